// One queue per container: lifecycle operations on a container (start, stop, restart, pause, remove, network
// connect...) run one after the other, in the order asked, so that two never set up or tear down the same
// namespace, mount or runc state at once; operations on different containers still run side by side.
export class PerKeyQueue {
  private readonly tails = new Map<string, Promise<unknown>>();

  /** Runs `work` once every operation queued before it on `key` has settled (succeeded or failed). */
  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(work, work);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  /** Whether anything is queued or running on `key`. */
  busy(key: string): boolean {
    return this.tails.has(key);
  }
}
