// The one place where an error becomes a message on stderr and an exit code.
import { isBerthError } from '../model/errors.js';
import type { ErrorKind } from '../model/errors.js';

const EXIT_CODES: Record<ErrorKind, number> = {
  invalid: 1,
  'not-found': 1,
  conflict: 1,
  engine: 1,
  internal: 1,
  canceled: 130,
};

export function reportError(error: unknown, options: { verbose: boolean; stderr: NodeJS.WritableStream }): number {
  if (isBerthError(error)) {
    options.stderr.write(`${error.describe()}\n`);
    if (options.verbose && error.stack) options.stderr.write(`${error.stack}\n`);
    return EXIT_CODES[error.kind];
  }
  const message = error instanceof Error ? error.message : String(error);
  options.stderr.write(`unexpected error: ${message}\n`);
  if (options.verbose && error instanceof Error && error.stack) options.stderr.write(`${error.stack}\n`);
  else options.stderr.write('(run with --verbose or DEBUG=1 for details)\n');
  return EXIT_CODES.internal;
}

/** The exit code an error ends berth with (what reportError returns for it), without printing anything. */
export function exitCodeOf(error: unknown): number {
  return isBerthError(error) ? EXIT_CODES[error.kind] : EXIT_CODES.internal;
}
