// A stack's output as an async iterable of lines: every chosen container read at once (src/app/container-logs.ts),
// the lines handed out in the order they arrive; leaving the loop early stops the reading.
import { streamLogs } from '../app/container-logs.js';
import type { ContainerSummary, Engine } from '../engine-client/index.js';
import { LABEL } from '../model/labels.js';

export interface LogLine {
  readonly service: string;
  /** The container's name (`myproject-web-1`). */
  readonly container: string;
  readonly stream: 'stdout' | 'stderr';
  readonly text: string;
}

export interface LogsOptions {
  /** Keep reading as the containers write, until they stop or the loop is left. */
  readonly follow?: boolean;
  /** Only what was written from then on: a Date, or seconds since the epoch. */
  readonly since?: Date | number;
  /** Only the last n lines of each container. */
  readonly tail?: number;
  /** Stops the reading (the loop then ends). */
  readonly signal?: AbortSignal;
}

export async function* containerLines(engine: Engine, containers: readonly ContainerSummary[], options: LogsOptions): AsyncGenerator<LogLine, void, undefined> {
  const queue: LogLine[] = [];
  let wake: (() => void) | undefined;
  let failure: unknown;
  let running = containers.length;
  const controller = new AbortController();
  const stop = (): void => controller.abort();
  options.signal?.addEventListener('abort', stop, { once: true });
  const since = options.since instanceof Date ? Math.floor(options.since.getTime() / 1000) : options.since;
  for (const container of containers) {
    const service = container.labels[LABEL.service] ?? '';
    void (async () => {
      try {
        const tty = (await engine.containers.inspect(container.id))?.tty ?? false;
        const follow = {
          follow: options.follow ?? false,
          tty,
          signal: controller.signal,
          ...(since !== undefined ? { since: String(since) } : {}),
          ...(options.tail !== undefined ? { tail: String(options.tail) } : {}),
        };
        await streamLogs(engine, container.id, follow, (text, stream) => {
          queue.push({ service, container: container.name, stream, text });
          wake?.();
        });
      } catch (error) {
        failure ??= error;
      } finally {
        running--;
        wake?.();
      }
    })();
  }
  try {
    for (;;) {
      while (queue.length > 0) yield queue.shift()!;
      if (failure !== undefined && !controller.signal.aborted) throw failure;
      if (running === 0) return;
      await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } finally {
    options.signal?.removeEventListener('abort', stop);
    controller.abort();
  }
}
