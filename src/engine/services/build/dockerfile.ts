// Dockerfile syntax: parser directives (`# escape=`, `# syntax=`), comments, line continuations, heredocs,
// instruction flags (`--from=`), exec (JSON) and shell forms, and the stages that FROM lines start. Variable
// expansion ($VAR, ${VAR}, ${VAR:-default}, ${VAR:+alternative}) as the builder applies it.

export class DockerfileError extends Error {
  constructor(message: string, readonly line?: number) {
    super(line ? `Dockerfile line ${line}: ${message}` : message);
    this.name = 'DockerfileError';
  }
}

export interface Instruction {
  /** Upper case: RUN, COPY... */
  readonly name: string;
  /** What follows the instruction and its flags, continuations joined. */
  readonly text: string;
  readonly flags: Readonly<Record<string, string>>;
  /** The exec form, when the arguments are a JSON array of strings. */
  readonly json?: readonly string[];
  /** Heredoc bodies (`<<EOF`), by name, in order. */
  readonly heredocs: ReadonlyArray<{ readonly name: string; readonly body: string }>;
  readonly line: number;
  /** The instruction as written (flags included), for build output and the cache key. */
  readonly original: string;
}

export interface Stage {
  readonly index: number;
  readonly name?: string;
  readonly from: Instruction;
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  /** ARGs before the first FROM: usable in FROM lines. */
  readonly globalArgs: readonly Instruction[];
  readonly stages: readonly Stage[];
}

const INSTRUCTIONS = new Set([
  'FROM', 'RUN', 'CMD', 'LABEL', 'MAINTAINER', 'EXPOSE', 'ENV', 'ADD', 'COPY', 'ENTRYPOINT', 'VOLUME', 'USER', 'WORKDIR', 'ARG', 'ONBUILD', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL',
]);

export function parseDockerfile(source: string): Dockerfile {
  const lines = source.replace(/\r\n/g, '\n').split('\n');
  let escape = '\\';
  // Parser directives: only at the very top, before any comment that is not one, blank line or instruction.
  let first = 0;
  for (; first < lines.length; first++) {
    const directive = /^#\s*([a-zA-Z]+)\s*=\s*(\S+)\s*$/.exec(lines[first]!);
    if (!directive) break;
    if (directive[1]!.toLowerCase() === 'escape') {
      if (directive[2] !== '\\' && directive[2] !== '`') throw new DockerfileError(`invalid escape token '${directive[2]}': must be \` or \\`, first + 1);
      escape = directive[2]!;
    }
  }
  const instructions: Instruction[] = [];
  let index = first;
  while (index < lines.length) {
    const raw = lines[index]!;
    const start = index + 1;
    index++;
    if (/^\s*(#.*)?$/.test(raw)) continue;
    // Continuations: a line ending in the escape character goes on; comment lines inside are dropped.
    let logical = raw;
    while (endsWithEscape(logical, escape) && index <= lines.length) {
      logical = logical.replace(/\s*$/, '').slice(0, -1);
      while (index < lines.length && /^\s*#/.test(lines[index]!)) index++;
      if (index >= lines.length) break;
      logical += lines[index]!;
      index++;
    }
    const match = /^\s*(\S+)\s*([\s\S]*)$/.exec(logical)!;
    const name = match[1]!.toUpperCase();
    if (!INSTRUCTIONS.has(name)) throw new DockerfileError(`unknown instruction: ${match[1]}`, start);
    let rest = match[2]!.trim();
    const flags: Record<string, string> = {};
    for (;;) {
      const flag = /^--([a-z-]+)(?:=(\S*))?(?:\s+|$)/.exec(rest);
      if (!flag) break;
      flags[flag[1]!] = flag[2] ?? 'true';
      rest = rest.slice(flag[0].length);
    }
    // Heredocs (<<EOF, <<-EOF, <<"EOF"): their bodies are the lines that follow, up to the terminator.
    const heredocs: Array<{ name: string; body: string }> = [];
    if (name === 'RUN' || name === 'COPY' || name === 'ADD') {
      for (const marker of rest.matchAll(/<<(-?)(["']?)([A-Za-z_][A-Za-z0-9_]*)\2/g)) {
        const body: string[] = [];
        for (;;) {
          if (index >= lines.length) throw new DockerfileError(`unterminated heredoc ${marker[3]}`, start);
          const line = lines[index]!;
          index++;
          const candidate = marker[1] ? line.replace(/^\t+/, '') : line;
          if (candidate === marker[3]) break;
          body.push(candidate);
        }
        heredocs.push({ name: marker[3]!, body: `${body.join('\n')}\n` });
      }
    }
    instructions.push({ name, text: rest, flags, heredocs, line: start, original: `${name} ${match[2]!.trim()}`, ...jsonForm(rest) });
  }
  const globalArgs: Instruction[] = [];
  const stages: Array<{ index: number; name?: string; from: Instruction; instructions: Instruction[] }> = [];
  for (const instruction of instructions) {
    if (instruction.name === 'FROM') {
      const words = instruction.text.split(/\s+/);
      if (words.length !== 1 && !(words.length === 3 && words[1]!.toUpperCase() === 'AS')) throw new DockerfileError('FROM requires either one argument, or three: FROM <source> [AS <name>]', instruction.line);
      const name = words[2]?.toLowerCase();
      if (name && !/^[a-z][a-z0-9-_.]*$/.test(name)) throw new DockerfileError(`invalid name for build stage: "${words[2]}"`, instruction.line);
      stages.push({ index: stages.length, ...(name ? { name } : {}), from: instruction, instructions: [] });
    } else if (stages.length === 0) {
      if (instruction.name !== 'ARG') throw new DockerfileError(`no build stage in current context: ${instruction.name} before the first FROM`, instruction.line);
      globalArgs.push(instruction);
    } else {
      stages[stages.length - 1]!.instructions.push(instruction);
    }
  }
  if (stages.length === 0) throw new DockerfileError('the Dockerfile has no FROM instruction');
  return { globalArgs, stages };
}

function endsWithEscape(line: string, escape: string): boolean {
  return line.replace(/\s*$/, '').endsWith(escape);
}

function jsonForm(text: string): { json?: string[] } {
  if (!text.startsWith('[')) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (Array.isArray(parsed) && parsed.every((item) => typeof item === 'string')) return { json: parsed as string[] };
  } catch {
    // not JSON: the shell form
  }
  return {};
}

/** `$VAR`, `${VAR}`, `${VAR:-default}`, `${VAR:+alternative}`; `\$` stays a literal dollar. */
export function expand(text: string, variables: Readonly<Record<string, string>>, escape = '\\'): string {
  let out = '';
  for (let at = 0; at < text.length; at++) {
    const char = text[at]!;
    if (char === escape && text[at + 1] === '$') {
      out += '$';
      at++;
      continue;
    }
    if (char !== '$') {
      out += char;
      continue;
    }
    const braced = /^\$\{([A-Za-z_][A-Za-z0-9_]*)(?::([-+])((?:[^}\\]|\\.)*))?\}/.exec(text.slice(at));
    if (braced) {
      const value = variables[braced[1]!];
      if (braced[2] === '-') out += value ? value : expand(braced[3]!, variables, escape);
      else if (braced[2] === '+') out += value ? expand(braced[3]!, variables, escape) : '';
      else out += value ?? '';
      at += braced[0].length - 1;
      continue;
    }
    const plain = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(text.slice(at));
    if (plain) {
      out += variables[plain[1]!] ?? '';
      at += plain[0].length - 1;
      continue;
    }
    out += char;
  }
  return out;
}

/** `KEY=value KEY2="two words"` (or the legacy `KEY value` of ENV): pairs, quotes removed. */
export function keyValues(text: string, legacySpace: boolean, line: number): Array<[string, string]> {
  const words = splitWords(text);
  if (words.length === 0) throw new DockerfileError('requires at least one argument', line);
  if (!words[0]!.includes('=')) {
    if (!legacySpace) throw new DockerfileError(`expected KEY=value, found "${words[0]}"`, line);
    const space = text.trim().search(/\s/);
    if (space < 0) throw new DockerfileError('requires a value: KEY value or KEY=value', line);
    return [[text.trim().slice(0, space), unquote(text.trim().slice(space + 1).trim())]];
  }
  return words.map((word) => {
    const equals = word.indexOf('=');
    if (equals <= 0) throw new DockerfileError(`expected KEY=value, found "${word}"`, line);
    return [word.slice(0, equals), unquote(word.slice(equals + 1))];
  });
}

/** Words separated by blanks, quotes keeping blanks inside one word (the quotes stay, for unquote). */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote = '';
  for (let at = 0; at < text.length; at++) {
    const char = text[at]!;
    if (quote) {
      if (char === '\\' && quote === '"' && at + 1 < text.length) {
        current += char + text[++at];
        continue;
      }
      if (char === quote) quote = '';
      current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      current += char;
    } else if (/\s/.test(char)) {
      if (current) words.push(current);
      current = '';
    } else current += char;
  }
  if (current) words.push(current);
  return words;
}

function unquote(value: string): string {
  let out = '';
  let quote = '';
  for (let at = 0; at < value.length; at++) {
    const char = value[at]!;
    if (quote) {
      if (char === quote) quote = '';
      else if (char === '\\' && quote === '"' && at + 1 < value.length) out += value[++at];
      else out += char;
    } else if (char === '"' || char === "'") quote = char;
    else if (char === '\\' && at + 1 < value.length) out += value[++at];
    else out += char;
  }
  return out;
}
