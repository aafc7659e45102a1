// File events gathered into batches, each path once (its last state wins). The first event after a quiet time goes
// out at once (with whatever else arrived in the same turn of the event loop: an editor's write, rename and chmod
// come together); later ones wait until no event has come for the quiet period, so that a burst (a `git checkout`,
// a build writing its output) becomes one batch, but never longer than the cap, so that a continuous stream of
// events still goes out regularly.
import { BerthError } from '../model/errors.js';

/**
 * The default quiet period. The first change goes out at once, so this is what a change that follows it closely
 * waits: often the rest of the same save (a write that truncates the file, then fills it, seen as two events when
 * the writer is slow), so it is short. Bursts are still one action per service (session.ts merges the batches
 * that come while one runs).
 */
export const DEFAULT_QUIET_MS = 20;
/** The longest a batch waits under a stream of events that never falls quiet: this, or 5 quiet periods. */
const MIN_CAP_MS = 250;

export class ChangeBatcher {
  private readonly pending = new Map<string, boolean>();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private immediate: ReturnType<typeof setImmediate> | undefined;
  /** When the last event came (performance.now()); none yet: long ago. */
  private lastEvent = Number.NEGATIVE_INFINITY;
  /** When the first event of the pending batch came (for the cap). */
  private firstPending = 0;

  /** `flush` gets the batch: each changed path, and whether it still exists (false: deleted). */
  constructor(
    private readonly quietMs: number,
    private readonly flush: (changes: ReadonlyMap<string, boolean>) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  add(path: string, exists: boolean): void {
    const now = this.now();
    const quiet = now - this.lastEvent >= this.quietMs;
    this.lastEvent = now;
    if (this.pending.size === 0) this.firstPending = now;
    this.pending.set(path, exists);
    if (this.immediate) return; // going out in this turn already
    if (quiet && !this.timer) {
      this.immediate = setImmediate(() => this.emit());
      return;
    }
    if (this.timer) clearTimeout(this.timer);
    const due = Math.min(now + this.quietMs, this.firstPending + Math.max(MIN_CAP_MS, 5 * this.quietMs));
    this.timer = setTimeout(() => this.emit(), Math.max(0, due - now));
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    this.pending.clear();
  }

  private emit(): void {
    this.timer = undefined;
    this.immediate = undefined;
    if (this.pending.size === 0) return;
    const batch = new Map(this.pending);
    this.pending.clear();
    this.flush(batch);
  }
}

/** The quiet period from BERTH_WATCH_QUIET_MS (milliseconds), else the default. */
export function quietPeriod(environment: Readonly<Record<string, string | undefined>>): number {
  const raw = environment.BERTH_WATCH_QUIET_MS;
  if (raw === undefined || raw === '') return DEFAULT_QUIET_MS;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0 || value > 60_000) throw new BerthError(`BERTH_WATCH_QUIET_MS must be a number of milliseconds (0-60000), not "${raw}"`);
  return value;
}
