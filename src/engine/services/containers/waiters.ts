// Clients waiting on a container event (its next exit, its removal), by container id.
export class Waiters<T> {
  private readonly waiting = new Map<string, Array<(value: T) => void>>();

  next(id: string): Promise<T> {
    return new Promise((resolve) => {
      const list = this.waiting.get(id) ?? [];
      list.push(resolve);
      this.waiting.set(id, list);
    });
  }

  settle(id: string, value: T): void {
    const list = this.waiting.get(id) ?? [];
    this.waiting.delete(id);
    for (const resolve of list) resolve(value);
  }
}
