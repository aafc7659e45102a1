// What a pull or a push tells its client as it goes, in the words dockerd uses (`Pulling fs layer`, `Downloading`,
// `Pull complete`, ...): one message per step, with byte counts for the steps that move bytes. The server turns
// them into dockerd's JSON lines; nothing here knows about HTTP.
export interface ProgressMessage {
  readonly status: string;
  /** The layer (12 hex digits of its digest) or the tag the message is about. */
  readonly id?: string;
  readonly progress?: { readonly current: number; readonly total: number };
  /** A line without a layer's progress (`Pulling from ...`, `The push refers to ...`): no `progressDetail`. */
  readonly plain?: boolean;
  /** Extra data dockerd sends once at the end of a push (`aux`: Tag, Digest, Size). */
  readonly aux?: Readonly<Record<string, unknown>>;
}

export type Progress = (message: ProgressMessage) => void;

/** Byte counts are reported at most this often per layer (and always at the end). */
const EVERY_MS = 100;

/** A reporter of byte counts for one layer that does not flood the client. */
export function throttled(progress: Progress, status: string, id: string, total: number, now: () => number = Date.now): (current: number) => void {
  let last = 0;
  return (current) => {
    const time = now();
    if (current < total && time - last < EVERY_MS) return;
    last = time;
    progress({ status, id, progress: { current, total } });
  };
}

/** Runs at most `limit` of the tasks at once, in order; each task is told when it starts. */
export function limiter(limit: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const queue: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= limit) await new Promise<void>((resolve) => queue.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      queue.shift()?.();
    }
  };
}

/** `sha256:abcdef...` -> `abcdef012345`, the id docker shows for a layer. */
export function shortId(digest: string): string {
  return digest.slice(digest.indexOf(':') + 1, digest.indexOf(':') + 13);
}
