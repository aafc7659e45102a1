// Test-only: named points in the engine's work where it kills itself with SIGKILL, so that tests can stop it at an
// exact moment (after the Nth create, between a start's runc call and the record write...) and check what a
// restart makes of it. Asked for with BERTH_ENGINE_CRASH_AT=POINT[@N] (the Nth time POINT is reached; the first
// by default); without it every point is a no-op.

/** Every point, in the order a container's life reaches them. */
export const CRASH_POINTS = [
  /** The name is reserved on disk (a record marked as being created), nothing else done. */
  'create:reserved',
  /** The new volumes are filled from the image (copy-up), the record still marked as being created. */
  'create:copied-up',
  /** The create is complete on disk, not yet acknowledged to the client. */
  'create:done',
  /** The container's network namespace and endpoints exist and are recorded; runc not called yet. */
  'start:network-ready',
  /** runc runs the container; the record does not say so yet. */
  'start:runtime-started',
  /** The record says running; the client has not been answered. */
  'start:recorded',
  /** A removal killed the container and is about to delete its files. */
  'remove:killed',
] as const;

export type CrashPoint = (typeof CRASH_POINTS)[number];

export interface CrashPoints {
  reach(point: CrashPoint): void;
}

export const NO_CRASH_POINTS: CrashPoints = { reach: () => {} };

/** Parses `POINT[@N]`; a point that does not exist is an error (a test that would never crash is a broken test). */
export function crashPoints(spec: string | undefined, die: () => void = () => process.kill(process.pid, 'SIGKILL')): CrashPoints {
  if (!spec) return NO_CRASH_POINTS;
  const match = /^([a-z:-]+)(?:@(\d+))?$/.exec(spec);
  const point = match?.[1] as CrashPoint | undefined;
  if (!match || !point || !CRASH_POINTS.includes(point)) throw new Error(`BERTH_ENGINE_CRASH_AT: unknown crash point "${spec}" (one of ${CRASH_POINTS.join(', ')}, optionally @N)`);
  const after = Number(match[2] ?? '1');
  let reached = 0;
  return {
    reach: (at) => {
      if (at === point && ++reached === after) die();
    },
  };
}
