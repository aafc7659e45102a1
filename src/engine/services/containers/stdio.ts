// A container's streams besides its log file: input through the monitor's stdin FIFO, terminal size and end of
// input through its control FIFO, and the clients reading its log (an auto-removed container waits for them).
import { createWriteStream, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Layout } from '../../store/layout.js';
import type { ContainerRecord } from '../container-record.js';
import type { LogFollower } from '../logs.js';

/** Input for the container's stdin, when it was created with OpenStdin and runs. */
export function stdinStream(layout: Layout, record: ContainerRecord): NodeJS.WritableStream | undefined {
  if (!record.config.OpenStdin || record.state.status !== 'running') return undefined;
  return createWriteStream(join(layout.container(record.id), 'stdin'), { flags: 'a' });
}

/** Tells the monitor to close the container's input (attach with StdinOnce, when the client's stdin ends). */
export function closeStdin(layout: Layout, record: ContainerRecord): void {
  sendControl(layout, record, 'eof');
}

/** Resizes the container's terminal (nothing without one). */
export function resizeTerminal(layout: Layout, record: ContainerRecord, rows: number, columns: number): void {
  if (record.config.Tty) sendControl(layout, record, `resize ${rows} ${columns}`);
}

function sendControl(layout: Layout, record: ContainerRecord, line: string): void {
  const control = join(layout.container(record.id), 'control');
  if (record.state.status === 'running' && existsSync(control)) writeFileSync(control, `${line}\n`, { flag: 'a' });
}

/** Readers of containers' logs (logs -f, attach), woken when their container stops. */
export class LogReaders {
  private readonly readers = new Map<string, Set<LogFollower>>();

  hold(id: string, follower: LogFollower): void {
    const readers = this.readers.get(id) ?? new Set();
    readers.add(follower);
    this.readers.set(id, readers);
    void follower.done.finally(() => readers.delete(follower));
  }

  wake(id: string): void {
    for (const reader of this.readers.get(id) ?? []) reader.wake();
  }

  /** Resolves when every reader has read all it wants, or after `limitMs`. */
  async drained(id: string, limitMs: number): Promise<void> {
    const readers = [...(this.readers.get(id) ?? [])];
    if (readers.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled(readers.map((reader) => reader.done)), new Promise((resolve) => (timer = setTimeout(resolve, limitMs)))]);
    clearTimeout(timer);
  }

  forget(id: string): void {
    this.readers.delete(id);
  }
}
