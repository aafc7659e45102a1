// Reading the files a project names (compose files, env files, label files) with a bound on their size, so that a
// path pointing at something huge is refused before it is read whole. I/O errors are left to the caller, which
// knows what the file was for.
import { closeSync, fstatSync, openSync, readFileSync } from 'node:fs';
import { BerthError } from './errors.js';
import { MAX_FILE_BYTES } from './limits.js';

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
