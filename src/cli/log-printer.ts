// Container output as compose prints it: `web-1  | line`, names padded to one width, one colour per container.
import type { Engine } from '../engine-client/index.js';

const COLORS = ['36', '33', '32', '35', '34', '96', '93', '92', '95', '94'];

export interface LogPrinterOptions {
  readonly out: NodeJS.WritableStream;
  readonly color: boolean;
  readonly prefix: boolean;
}

export class LogPrinter {
  private width = 0;
  private readonly colors = new Map<string, string>();

  constructor(private readonly options: LogPrinterOptions) {}

  register(name: string): void {
    this.width = Math.max(this.width, name.length);
    if (!this.colors.has(name)) this.colors.set(name, COLORS[this.colors.size % COLORS.length]!);
  }

  line(name: string, text: string): void {
    if (!this.options.prefix) {
      this.options.out.write(`${text}\n`);
      return;
    }
    this.register(name);
    const label = `${name.padEnd(this.width)}  |`;
    const painted = this.options.color ? `\x1b[${this.colors.get(name)}m${label}\x1b[0m` : label;
    this.options.out.write(`${painted} ${text}\n`);
  }

  /** A line about a container rather than from it (`web-1 exited with code 0`). */
  status(name: string, text: string): void {
    this.register(name);
    const painted = this.options.color ? `\x1b[${this.colors.get(name)}m${name}\x1b[0m` : name;
    this.options.out.write(`${painted} ${text}\n`);
  }
}

/** How compose shows a container in log prefixes: its name without the project prefix. */
export function displayName(project: string, name: string): string {
  for (const separator of ['-', '_']) if (name.startsWith(`${project}${separator}`)) return name.slice(project.length + 1);
  return name;
}

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
export async function streamLogs(engine: Engine, id: string, options: FollowOptions, onLine: (line: string) => void): Promise<void> {
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
      onLine(pending[which].slice(0, newline).replace(/\r$/, ''));
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
  for (const which of ['out', 'err'] as const) if (pending[which] !== '') onLine(pending[which]);
}
