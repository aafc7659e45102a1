// The file watcher: one fs.watch (inotify on Linux) per directory under each watched path, new directories watched
// as they appear. Every event is reported at once, none dropped or held back: the batcher decides what waits, and a
// change made after a batch read a file is always seen again. (chokidar, used before, drops a path's further
// changes for 50 ms after it reports one, which loses the last write once the first one goes out at once.)
// A watched path that is a file is watched through its directory, so that an editor replacing the file (write to a
// temporary file, rename over it) is seen too. Symbolic links are reported as themselves, never followed.
import { existsSync as exists, lstatSync, readdirSync, watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { basename, dirname, join } from 'node:path';

export interface TreeWatcherOptions {
  /** Paths (absolute) left alone, with everything under them. */
  readonly ignored: (path: string) => boolean;
  /** A path was created, changed or removed. */
  readonly change: (path: string) => void;
  /** Something cannot be watched (a line for the user; watching goes on). */
  readonly problem: (message: string) => void;
}

export interface TreeWatcher {
  close(): void;
}

/** Watches `paths` (directories with everything under them, or single files) until closed. */
export function watchTrees(paths: readonly string[], options: TreeWatcherOptions): TreeWatcher {
  const directories = new Map<string, FSWatcher>();
  /** Directories watched for some of their entries only (the watched files in them); absent: all entries. */
  const only = new Map<string, Set<string>>();
  let closed = false;

  const unwatch = (directory: string): void => {
    for (const [path, watcher] of directories) {
      if (path === directory || path.startsWith(`${directory}/`)) {
        watcher.close();
        directories.delete(path);
      }
    }
  };

  const watchDirectory = (directory: string, recursive: boolean): void => {
    if (closed || directories.has(directory)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(directory, { persistent: true }, (_event, name) => onEvent(directory, name));
    } catch (error) {
      cannotWatch(directory, error);
      return;
    }
    watcher.on('error', () => unwatch(directory)); // the directory went away
    directories.set(directory, watcher);
    if (!recursive) return;
    let entries;
    try {
      entries = readdirSync(directory, { withFileTypes: true });
    } catch (error) {
      cannotWatch(directory, error);
      return;
    }
    for (const entry of entries) {
      const path = join(directory, entry.name);
      if (entry.isDirectory() && !options.ignored(path)) watchDirectory(path, true);
    }
  };

  const onEvent = (directory: string, name: string | Buffer | null): void => {
    if (closed) return;
    // No name: the kernel could not say what changed (its queue overflowed): the whole directory is reported.
    if (name === null) {
      if (!only.has(directory)) options.change(directory);
      else for (const file of only.get(directory)!) options.change(join(directory, file));
      return;
    }
    const entry = String(name);
    if (entry === basename(directory) && !exists(directory)) {
      // The watched directory itself went away (inotify names it as its own entry).
      unwatch(directory);
      if (!only.has(directory) && !options.ignored(directory)) options.change(directory);
      return;
    }
    const wanted = only.get(directory);
    if (wanted && !wanted.has(entry)) return;
    const path = join(directory, entry);
    if (options.ignored(path)) return;
    if (!wanted) {
      // A directory that appeared is watched before the change is reported, so nothing made in it afterwards is
      // missed (the batch that reports it reads the directory later still); one that went is no longer watched.
      let isDirectory = false;
      try {
        isDirectory = lstatSync(path).isDirectory();
      } catch {
        // gone already
      }
      if (isDirectory) watchDirectory(path, true);
      else if (directories.has(path)) unwatch(path);
    }
    options.change(path);
  };

  const cannotWatch = (path: string, error: unknown): void => {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return; // removed meanwhile
    if (code === 'ENOSPC' || code === 'EMFILE') {
      options.problem(`cannot watch ${path}: the system's limit of watched directories is reached (raise fs.inotify.max_user_watches, or ignore large directories in develop.watch)`);
    } else options.problem(`cannot watch ${path}: ${(error as Error).message}`);
  };

  // Directories first: a file in one of them needs no watch of its own.
  const kinds = paths.map((path) => {
    try {
      return { path, isDirectory: lstatSync(path).isDirectory() };
    } catch (error) {
      cannotWatch(path, error);
      return undefined;
    }
  });
  for (const { path, isDirectory } of kinds.filter((kind) => kind !== undefined).sort((a, b) => Number(b.isDirectory) - Number(a.isDirectory))) {
    if (isDirectory) watchDirectory(path, true);
    else {
      const directory = dirname(path);
      if (directories.has(directory) && !only.has(directory)) continue; // its directory is watched whole already
      only.set(directory, new Set([...(only.get(directory) ?? []), basename(path)]));
      watchDirectory(directory, false);
    }
  }

  return {
    close() {
      closed = true;
      for (const watcher of directories.values()) watcher.close();
      directories.clear();
    },
  };
}
