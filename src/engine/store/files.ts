// State on disk, written so that a crash (of the engine, or of the machine) leaves either the old content or the
// new one, never half of either: the new content goes to a temporary file that is flushed to disk, renamed over
// the old one, and the rename itself flushed by syncing the directory. Read back, a file that is empty or not
// JSON (a torn write from an older engine, a disk fault) is moved aside and reported, never a crash.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

export function writeJsonAtomic(path: string, value: unknown): void {
  writeTextAtomic(path, `${JSON.stringify(value, null, 1)}\n`);
}

export function writeTextAtomic(path: string, text: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  const data = typeof text === 'string' ? Buffer.from(text) : text;
  const fd = openSync(temporary, 'w', 0o644);
  try {
    for (let written = 0; written < data.length; ) written += writeSync(fd, data, written, data.length - written);
    fsyncSync(fd);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  } finally {
    closeSync(fd);
  }
  renameSync(temporary, path);
  syncDirectory(dirname(path));
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
