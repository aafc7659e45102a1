// `-e KEY=VALUE` and `-e KEY` on exec and run, as compose reads them: a bare KEY takes its value from the
// environment (the shell's, over the project's .env); when neither has it, it is left out.
export function resolveEnvFlags(values: readonly string[], lookup: (name: string) => string | undefined): string[] {
  const out: string[] = [];
  for (const value of values) {
    const equals = value.indexOf('=');
    if (equals >= 0) {
      out.push(value);
      continue;
    }
    const found = lookup(value);
    if (found !== undefined) out.push(`${value}=${found}`);
  }
  return out;
}
