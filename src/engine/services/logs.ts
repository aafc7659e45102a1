// Reading a container's json-file log for `logs` and `attach`: the records written so far (tail, since, until,
// stream selection), then, when following, what the monitor appends until the container stops.
import { closeSync, openSync, readSync, statSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';

export interface LogRecord {
  readonly log: string;
  readonly stream: 'stdout' | 'stderr';
  readonly time: string;
}

export interface LogQuery {
  readonly stdout: boolean;
  readonly stderr: boolean;
  readonly tail?: number;
  /** Unix seconds (fractions allowed). */
  readonly since?: number;
  readonly until?: number;
  /** Start from the end of the file (attach without logs). */
  readonly fromEnd?: boolean;
}

export interface LogFollower {
  /** Resolves when following ends: the container stopped and everything written was read, or `stop()`. */
  readonly done: Promise<void>;
  stop(): void;
  /** Reads again at once (the container stopped, or the file grew), instead of at the next poll. */
  wake(): void;
}

function timeOf(record: LogRecord): number {
  return Date.parse(record.time) / 1000;
}

function wanted(record: LogRecord, query: LogQuery): boolean {
  if (record.stream === 'stdout' ? !query.stdout : !query.stderr) return false;
  const time = timeOf(record);
  if (query.since !== undefined && time < query.since) return false;
  if (query.until !== undefined && time > query.until) return false;
  return true;
}

/** Calls `onRecord` for each record; with `follow`, keeps reading appended records until `isRunning()` turns false. */
export function readLog(path: string, query: LogQuery, onRecord: (record: LogRecord) => void, follow: boolean, isRunning: () => boolean): LogFollower {
  let stopped = false;
  let offset = 0;
  let pending = '';
  const readNew = (): LogRecord[] => {
    let size: number;
    try {
      size = statSync(path).size;
    } catch {
      return [];
    }
    if (size <= offset) return [];
    const fd = openSync(path, 'r');
    try {
      const buffer = Buffer.alloc(size - offset);
      readSync(fd, buffer, 0, buffer.length, offset);
      offset = size;
      pending += buffer.toString('utf8');
    } finally {
      closeSync(fd);
    }
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    const records: LogRecord[] = [];
    for (const line of lines) {
      if (line.trim() === '') continue;
      try {
        records.push(JSON.parse(line) as LogRecord);
      } catch {
        // A torn line from a crash: skipped.
      }
    }
    return records;
  };
  if (query.fromEnd) {
    try {
      offset = statSync(path).size;
    } catch {
      offset = 0;
    }
  } else {
    let existing = readNew().filter((record) => wanted(record, query));
    if (query.tail !== undefined && query.tail >= 0) existing = query.tail === 0 ? [] : existing.slice(-query.tail);
    existing.forEach(onRecord);
  }
  let wake = (): void => {};
  const done = new Promise<void>((resolve) => {
    if (!follow) return resolve();
    let timer: NodeJS.Timeout | undefined;
    let watcher: FSWatcher | undefined;
    const finish = (): void => {
      if (timer) clearTimeout(timer);
      watcher?.close();
      resolve();
    };
    const watchFile = (): void => {
      if (watcher) return;
      try {
        watcher = watch(path, () => tick());
      } catch {
        // The file does not exist yet (an attach before the start): the next tick tries again.
      }
    };
    const tick = (): void => {
      if (timer) clearTimeout(timer);
      if (stopped) return finish();
      watchFile();
      const running = isRunning();
      for (const record of readNew()) if (wanted(record, query)) onRecord(record);
      if (!running) {
        // One last read: the monitor writes the last records before the exit file.
        for (const record of readNew()) if (wanted(record, query)) onRecord(record);
        return finish();
      }
      // Appends wake the reader through the watcher, and the poll is a safety net; until the file exists (and can be
      // watched) the poll is what finds the first output, so it is brisk.
      timer = setTimeout(tick, watcher ? 250 : 20);
    };
    wake = tick;
    tick();
  });
  return {
    done,
    stop: () => {
      stopped = true;
      wake();
    },
    wake: () => wake(),
  };
}

/** The 8-byte header docker puts before each chunk of a non-TTY stream: stream type, then length. */
export function frame(stream: 'stdout' | 'stderr', payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header[0] = stream === 'stdout' ? 1 : 2;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}
