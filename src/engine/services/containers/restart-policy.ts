// Restart policies, decided: whether a container that stopped is started again, and after how long (Docker's
// backoff: 100 ms, doubling up to a minute, back to 100 ms once a run lasted 10 seconds).
export interface RestartPolicy {
  readonly Name?: string;
  readonly MaximumRetryCount?: number;
}

export interface Exit {
  readonly policy: RestartPolicy | null | undefined;
  readonly exitCode: number;
  /** How long the container ran before it stopped. */
  readonly ranMs: number;
  readonly restartCount: number;
  /** Stopped by a client (stop, kill): not restarted. */
  readonly manuallyStopped: boolean;
  /** The delay before the previous restart, if there was one since the engine started. */
  readonly previousDelayMs: number | undefined;
}

export type RestartDecision = { readonly restart: false } | { readonly restart: true; readonly delayMs: number };

const FIRST_DELAY_MS = 100;
const MAX_DELAY_MS = 60_000;
const RESET_AFTER_MS = 10_000;

export function restartAfterExit(exit: Exit): RestartDecision {
  const name = exit.policy?.Name ?? '';
  if (exit.manuallyStopped || name === '' || name === 'no') return { restart: false };
  if (name === 'on-failure') {
    if (exit.exitCode === 0) return { restart: false };
    const maximum = exit.policy?.MaximumRetryCount ?? 0;
    if (maximum > 0 && exit.restartCount >= maximum) return { restart: false };
  }
  const previous = exit.previousDelayMs;
  const delayMs = previous === undefined || exit.ranMs >= RESET_AFTER_MS ? FIRST_DELAY_MS : Math.min(previous * 2, MAX_DELAY_MS);
  return { restart: true, delayMs };
}

/** When the engine starts again: `always` brings stopped containers back, `unless-stopped` those not stopped by hand. */
export function restartsWithEngine(policy: RestartPolicy | null | undefined, manuallyStopped: boolean): boolean {
  const name = policy?.Name ?? '';
  return name === 'always' || (name === 'unless-stopped' && !manuallyStopped);
}
