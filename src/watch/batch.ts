// File events gathered into batches: each path once (its last state wins), handed on once no event has come for a
// quiet period. An editor's save (write, rename, chmod) becomes one change, and a `git checkout` one batch.
import { BerthError } from '../model/errors.js';

/** The default quiet period: short enough to feel immediate, long enough to catch an editor's burst of events. */
export const DEFAULT_QUIET_MS = 50;

export class ChangeBatcher {
  private readonly pending = new Map<string, boolean>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `flush` gets the batch: each changed path, and whether it still exists (false: deleted). */
  constructor(
    private readonly quietMs: number,
    private readonly flush: (changes: ReadonlyMap<string, boolean>) => void,
  ) {}

  add(path: string, exists: boolean): void {
    this.pending.set(path, exists);
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => this.emit(), this.quietMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
  }

  private emit(): void {
    this.timer = undefined;
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
