// Whether a stream gets colours, decided once per stream from the flags and the environment (never from globals):
// `--ansi never` and NO_COLOR switch them off (NO_COLOR wins over `--ansi always`, as in compose), `--ansi always`
// and FORCE_COLOR switch them on, else the stream itself decides: a terminal that is not `TERM=dumb`.

export type AnsiMode = 'never' | 'always' | 'auto';

export interface ColorSettings {
  readonly ansi: AnsiMode;
  readonly environment: Readonly<Record<string, string | undefined>>;
  /** The stream the colours would be written to: stderr for progress, stdout for logs. */
  readonly stream: { readonly isTTY?: boolean };
}

export function useColor({ ansi, environment, stream }: ColorSettings): boolean {
  if (ansi === 'never' || (environment.NO_COLOR ?? '') !== '') return false;
  if (ansi === 'always') return true;
  const force = environment.FORCE_COLOR;
  if (force !== undefined) return !['0', 'false'].includes(force.trim().toLowerCase());
  return stream.isTTY === true && environment.TERM !== 'dumb';
}
