// Facts the engine reads from its own host for a container: files it copies (hosts, resolv.conf), the init
// program, and the open-files limit runc may give.
import { existsSync, readFileSync } from 'node:fs';
import { EngineError } from '../../errors.js';

/** A file's text, or `fallback` when it cannot be read (absent in the image, or on the host). */
export function readTextOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** tini from Debian's `tini` package: the static build, since it runs inside any image. */
export function initProgram(): string {
  for (const path of ['/usr/bin/tini-static', '/usr/bin/docker-init', '/usr/libexec/docker/docker-init']) if (existsSync(path)) return path;
  throw new EngineError('invalid', '--init needs tini on the engine host (apt-get install tini)');
}

/** The engine's hard limit on open files: a container may not be given more (runc would refuse to start it). */
export function hostNofile(): number {
  const line = readTextOr('/proc/self/limits', '').split('\n').find((entry) => entry.startsWith('Max open files'));
  const hard = line?.split(/\s{2,}/)[2];
  return hard && /^\d+$/.test(hard) ? Number(hard) : 1048576;
}
