// A container's streams besides its log file: input through the monitor's stdin FIFO, terminal size and end of
// input through its control FIFO, and the clients reading its log (an auto-removed container waits for them).
// The FIFOs are opened without blocking: opening a FIFO for writing waits until a reader has it open, and the
// monitor (the reader) is gone as soon as the container ends, before the engine has noticed. A blocking open then
// never returns: on the event loop (a resize just after a quick exit) it froze the whole engine.
import { closeSync, constants, openSync, writeSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import type { Layout } from '../../store/layout.js';
import type { ContainerRecord } from '../container-record.js';
import type { LogFollower } from '../logs.js';

/**
 * Input for the container's stdin, when it was created with OpenStdin and its monitor runs: a stream into the
 * monitor's FIFO that waits (without blocking the engine) when the FIFO is full. `end()`'s callback runs once all
 * of it is in the FIFO. Undefined when the container takes no input (not running, no stdin, its monitor gone).
 */
export function stdinStream(layout: Layout, record: ContainerRecord): NodeJS.WritableStream | undefined {
  if (!record.config.OpenStdin || record.state.status !== 'running') return undefined;
  const fd = openFifo(join(layout.container(record.id), 'stdin'));
  if (fd === undefined) return undefined;
  return new Socket({ fd, readable: false, writable: true });
}

/** What became of a line for the monitor: taken, nobody to take it (the container ended), or lost (`reason`). */
export type ControlResult = { readonly sent: boolean; readonly reason?: string };

/** Tells the monitor to close the container's input (attach with StdinOnce, when the client's stdin ends). */
export function closeStdin(layout: Layout, record: ContainerRecord): ControlResult {
  return sendControl(layout, record, 'eof');
}

/** Resizes the container's terminal (nothing without one). */
export function resizeTerminal(layout: Layout, record: ContainerRecord, rows: number, columns: number): ControlResult {
  return record.config.Tty ? sendControl(layout, record, `resize ${rows} ${columns}`) : { sent: false };
}

/** One line into the control FIFO: short lines are written whole or not at all (below PIPE_BUF). */
function sendControl(layout: Layout, record: ContainerRecord, line: string): ControlResult {
  if (record.state.status !== 'running') return { sent: false };
  const fd = openFifo(join(layout.container(record.id), 'control'));
  if (fd === undefined) return { sent: false };
  try {
    writeSync(fd, `${line}\n`);
    return { sent: true };
  } catch (error) {
    // EAGAIN: the monitor has not read 64 KiB of earlier lines (it is stuck); EPIPE: it went away meanwhile.
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EPIPE' ? { sent: false } : { sent: false, reason: (error as Error).message };
  } finally {
    closeSync(fd);
  }
}

/** A FIFO opened for writing without waiting for a reader: undefined when it has none (or is not there). */
function openFifo(path: string): number | undefined {
  try {
    // O_NONBLOCK also refuses (ENXIO) rather than waits when no one reads; O_NOFOLLOW: never a link planted there.
    return openSync(path, constants.O_WRONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch {
    return undefined; // ENXIO (no reader: the monitor has ended), ENOENT (never had stdin)
  }
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
