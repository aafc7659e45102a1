// A container's output read line by line (stdout and stderr apart, the engine's framing undone), until it ends:
// what `berth logs`, the attached `up` and the library's `stack.logs()` all read.
import type { Engine } from '../engine-client/index.js';

export interface FollowOptions {
  readonly follow: boolean;
  readonly tail?: string;
  readonly since?: string;
  readonly until?: string;
  readonly timestamps?: boolean;
  readonly tty: boolean;
  readonly signal?: AbortSignal;
}

/** Streams a container's output, line by line, until it ends (the container stops, or `signal` aborts). */
export async function streamLogs(engine: Engine, id: string, options: FollowOptions, onLine: (line: string, stream: 'stdout' | 'stderr') => void): Promise<void> {
  const stream = await engine.containers.logs(id, {
    follow: options.follow,
    ...(options.tail !== undefined ? { tail: options.tail } : {}),
    ...(options.since !== undefined ? { since: options.since } : {}),
    ...(options.until !== undefined ? { until: options.until } : {}),
    ...(options.timestamps ? { timestamps: true } : {}),
    ...(options.signal ? { signal: options.signal } : {}),
  });
  const onAbort = (): void => {
    stream.destroy();
  };
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const pending: Record<'out' | 'err', string> = { out: '', err: '' };
  const emit = (which: 'out' | 'err', text: string): void => {
    pending[which] += text;
    let newline: number;
    while ((newline = pending[which].indexOf('\n')) >= 0) {
      onLine(pending[which].slice(0, newline).replace(/\r$/, ''), which === 'out' ? 'stdout' : 'stderr');
      pending[which] = pending[which].slice(newline + 1);
    }
  };
  let buffer = Buffer.alloc(0);
  try {
    for await (const chunk of stream) {
      if (options.tty) {
        emit('out', chunk.toString());
        continue;
      }
      // Without a TTY the engine frames output: 1 byte stream, 3 padding, 4 bytes length, then the payload.
      buffer = Buffer.concat([buffer, chunk as Buffer]);
      while (buffer.length >= 8) {
        const length = buffer.readUInt32BE(4);
        if (buffer.length < 8 + length) break;
        emit(buffer[0] === 2 ? 'err' : 'out', buffer.subarray(8, 8 + length).toString());
        buffer = buffer.subarray(8 + length);
      }
    }
  } catch (error) {
    if (!options.signal?.aborted) throw error;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  for (const which of ['out', 'err'] as const) if (pending[which] !== '') onLine(pending[which], which === 'out' ? 'stdout' : 'stderr');
}
