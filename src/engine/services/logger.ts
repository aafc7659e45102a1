// The engine's log, handed to services so that a failure they choose to survive is still written down.
export type Logger = (line: string) => void;

/** A rejection handler for work whose failure must not stop the caller: it logs what failed, and why that is safe. */
export function logFailure(log: Logger, doing: string, whySafe: string): (error: unknown) => void {
  return (error) => log(`${doing} failed (${whySafe}): ${error instanceof Error ? error.message : String(error)}`);
}
