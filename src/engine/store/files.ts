// State on disk, written so that a crash (of the engine, or of the machine) leaves either the old content or the
// new one, never half of either: the new content goes to a temporary file that is flushed to disk, renamed over
// the old one, and the rename itself flushed by syncing the directory. Read back, a file that is empty or not
// JSON (a torn write from an older engine, a disk fault) is moved aside and reported, never a crash.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';

/** Whether a write is flushed to disk; a file remade whenever it is needed (a runc config, a probe) need not be. */
export interface WriteOptions {
  readonly durable?: boolean;
}

export function writeJsonAtomic(path: string, value: unknown, options: WriteOptions = {}): void {
  writeTextAtomic(path, `${JSON.stringify(value, null, 1)}\n`, options);
}

export function writeTextAtomic(path: string, text: string | Buffer, { durable = true }: WriteOptions = {}): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const data = typeof text === 'string' ? Buffer.from(text) : text;
  const fd = openSync(temporary, 'w', 0o644);
  try {
    for (let written = 0; written < data.length; ) written += writeSync(fd, data, written, data.length - written);
    if (durable) fsyncSync(fd);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  if (durable) syncDirectory(dirname(path));
}

/** Makes the directory's entries (a rename, a new file, a removal) durable. */
export function syncDirectory(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

let temporaries = 0;

/** `writeTextAtomic` off the event loop (the flushes wait in libuv's pool); the directory must exist. */
export async function writeTextDurably(path: string, text: string): Promise<void> {
  const temporary = `${path}.${process.pid}.${++temporaries}.tmp`;
  const file = await open(temporary, 'w', 0o644);
  try {
    await file.writeFile(text);
    await file.sync();
  } catch (error) {
    await file.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await file.close();
  await rename(temporary, path);
  const directory = await open(dirname(path), 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}

/**
 * Durable writes of state files that change often (container records): off the event loop, one at a time per
 * file, and a write asked for while another waits replaces it (only the latest content matters). A file whose
 * directory is gone is not made again: the write fails instead (a removed container does not come back).
 */
export class StateFiles {
  private readonly slots = new Map<string, { tail: Promise<void>; waiting?: { text: string; done: Promise<void> } }>();

  write(path: string, value: unknown): Promise<void> {
    const text = `${JSON.stringify(value, null, 1)}\n`;
    const slot = this.slots.get(path) ?? { tail: Promise.resolve() };
    this.slots.set(path, slot);
    if (slot.waiting) {
      slot.waiting.text = text;
      return slot.waiting.done;
    }
    const waiting = { text, done: Promise.resolve() };
    waiting.done = slot.tail.then(() => {
      if (slot.waiting === waiting) delete slot.waiting;
      return writeTextDurably(path, waiting.text);
    });
    slot.waiting = waiting;
    const tail = waiting.done.then(
      () => undefined,
      () => undefined,
    );
    slot.tail = tail;
    void tail.then(() => {
      if (slot.tail === tail && !slot.waiting) this.slots.delete(path);
    });
    return waiting.done;
  }

  /** Resolves once every write asked for so far on `path` has finished (written or failed). */
  settled(path: string): Promise<void> {
    return this.slots.get(path)?.tail ?? Promise.resolve();
  }
}

/** Told about a state file that could not be read back, and where it was moved. */
export type CorruptFileHandler = (message: string) => void;

/**
 * The JSON in `path`; undefined when there is no such file, or when it is empty or not JSON: such a file is moved
 * aside (`NAME.corrupt-TIME`, kept for a post-mortem) and `onCorrupt` told, so that the caller starts without it.
 */
export function readJsonFile<T>(path: string, onCorrupt: CorruptFileHandler = (message) => process.emitWarning(message)): T | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
  try {
    return JSON.parse(text) as T;
  } catch (error) {
    const aside = `${path}.corrupt-${Date.now()}`;
    renameSync(path, aside);
    onCorrupt(`${path} could not be read back (${text.trim() === '' ? 'empty' : (error as Error).message}), moved to ${aside}`);
    return undefined;
  }
}
