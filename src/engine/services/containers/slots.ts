// A bound on how many of one kind of work run at once; the rest wait their turn, first come first served. Starting
// a container forks its monitor and `runc run`, which re-executes itself: a hundred of them side by side on two cores
// only slow each other down (and every waiting monitor and runc holds memory and threads), while a few at a time keep
// the cores busy and get each container running sooner.

/** A place taken: give it back once the work is over (more than once is harmless). */
export interface Slot {
  release(): void;
}

export class Slots {
  private taken = 0;
  private readonly waiting: Array<() => void> = [];

  /**
   * `limit` places at once; a place held longer than `holdAtMostMs` stops counting, so that one stuck piece of work
   * (a runc that never answers) cannot hold up all the others for ever.
   */
  constructor(
    private readonly limit: number,
    private readonly holdAtMostMs: number,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`a bound of ${limit} places`);
  }

  /** Resolves with a place once one is free. */
  take(): Promise<Slot> {
    return new Promise((resolve) => {
      const grant = (): void => {
        this.taken += 1;
        resolve(this.slot());
      };
      if (this.taken < this.limit) grant();
      else this.waiting.push(grant);
    });
  }

  /** How many wait for a place. */
  get queued(): number {
    return this.waiting.length;
  }

  private slot(): Slot {
    let held = true;
    const release = (): void => {
      if (!held) return;
      held = false;
      clearTimeout(timer);
      this.taken -= 1;
      this.waiting.shift()?.();
    };
    const timer = setTimeout(release, this.holdAtMostMs);
    timer.unref();
    return { release };
  }
}
