// What the engine makes of a container when it starts again after stopping or crashing: the record on disk says
// one thing, the runtime (runc's state, the monitor's exit file) may say another, because the engine can die
// between any two steps. The runtime is the truth for what runs; the record for what was asked. Pure: the facts
// are gathered by the service.
import type { ContainerState } from '../container-record.js';

export interface ContainerFacts {
  /** The state the record holds. */
  readonly recorded: ContainerState['status'];
  /** The create never completed (the engine died between reserving the name and acknowledging it). */
  readonly halfCreated: boolean;
  /** runc's state of it: undefined when runc has none (it never ran, or it ended and runc cleaned up). */
  readonly runtime: { readonly status: string; readonly pid: number } | undefined;
  /** The monitor recorded an exit (the container ran and ended). */
  readonly exitRecorded: boolean;
}

export type Recovery =
  /** Remove what the create made: the client was never told the container exists. */
  | { readonly kind: 'remove-half-created' }
  /** It runs, as recorded (status corrected if a pause or unpause was not recorded): watch it again. */
  | { readonly kind: 'adopt'; readonly status: 'running' | 'paused'; readonly pid: number }
  /** It runs, but the engine died before recording the start: record it as running now. */
  | { readonly kind: 'complete-start'; readonly status: 'running' | 'paused'; readonly pid: number }
  /** It was running and is gone: record the exit (and apply its restart policy). */
  | { readonly kind: 'finish' }
  /** It does not run, and the record agrees: only leftovers of an interrupted start to clear. */
  | { readonly kind: 'stopped'; readonly exitedWhileAway: boolean };

const ALIVE = new Set(['running', 'paused', 'created']);

export function recoveryOf(facts: ContainerFacts): Recovery {
  if (facts.halfCreated) return { kind: 'remove-half-created' };
  const recordedRunning = facts.recorded === 'running' || facts.recorded === 'paused';
  const runtime = facts.runtime;
  if (runtime && ALIVE.has(runtime.status) && runtime.pid > 0 && !facts.exitRecorded) {
    // runc's `created` is a container between its set-up and its first instruction: the monitor's `runc run` goes on.
    const status = runtime.status === 'paused' ? 'paused' : 'running';
    return recordedRunning ? { kind: 'adopt', status, pid: runtime.pid } : { kind: 'complete-start', status, pid: runtime.pid };
  }
  if (recordedRunning) return { kind: 'finish' };
  // A start the record never saw, and an exit after it: the container ran and ended while the engine was away.
  return { kind: 'stopped', exitedWhileAway: facts.exitRecorded && facts.recorded === 'created' };
}
