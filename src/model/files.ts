// Reading the files a project names (compose files, env files, label files) with a bound on their size, so that a
// path pointing at something huge is refused before it is read whole. I/O errors are left to the caller, which
// knows what the file was for.
// Every look at the disk a load makes goes through `ProjectFiles`, so that the whole-load cache (model-cache.ts)
// can note each one and later tell whether the disk still answers the same.
import { accessSync, closeSync, constants, fstatSync, openSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { BerthError } from './errors.js';
import { MAX_FILE_BYTES } from './limits.js';

/** The loader's view of the disk. Errors are node's (`code` ENOENT, EACCES...) or a BerthError for a file too large. */
export interface ProjectFiles {
  readText(path: string): string;
  /** A regular file (links followed) exists there. */
  isFile(path: string): boolean;
  /** A regular file exists there and this process may read it. */
  isReadableFile(path: string): boolean;
  realPath(path: string): string;
}

export const DISK: ProjectFiles = {
  readText: readTextFile,
  isFile: (path) => {
    try {
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
  isReadableFile: (path) => {
    try {
      accessSync(path, constants.R_OK);
      return statSync(path).isFile();
    } catch {
      return false;
    }
  },
  realPath: (path) => realpathSync(path),
};

export function readTextFile(path: string): string {
  const fd = openSync(path, 'r');
  try {
    if (fstatSync(fd).size > MAX_FILE_BYTES) {
      throw new BerthError(`${path} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB: not read`, { position: { file: path } });
    }
    return readFileSync(fd, 'utf8');
  } finally {
    closeSync(fd);
  }
}
