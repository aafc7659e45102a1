// A service's build context, ready for the engine: the directory as a tar stream (minus .dockerignore; files read
// as it is sent), with an inline Dockerfile added under a name of its own.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../../model/errors.js';
import { parseDockerignore } from '../../engine-api/dockerignore.js';
import type { Readable } from 'node:stream';
import { collectEntries, tarStream } from './tar.js';

export const INLINE_DOCKERFILE = '.berth-inline.Dockerfile';

export function buildContext(contextDir: string, dockerfile: string, inline?: string): Readable {
  if (!existsSync(contextDir)) throw new BerthError(`build context ${contextDir} does not exist`, { kind: 'not-found' });
  const ignoreFile = join(contextDir, '.dockerignore');
  const ignored = existsSync(ignoreFile) ? parseDockerignore(readFileSync(ignoreFile, 'utf8')) : undefined;
  // The Dockerfile and .dockerignore always go, whatever .dockerignore says (as docker does), and so do the
  // directories on their way.
  const keep = new Set([dockerfile, '.dockerignore']);
  const onTheWay = (path: string): boolean => [...keep].some((kept) => kept.startsWith(`${path}/`));
  const entries = collectEntries(contextDir, (path, isDirectory) => {
    if (!ignored || keep.has(path) || !ignored(path)) return false;
    return !(isDirectory && (ignored.descend(path) || onTheWay(path)));
  });
  if (inline !== undefined) entries.push({ path: INLINE_DOCKERFILE, type: 'file', mode: 0o644, content: Buffer.from(inline) });
  return tarStream(entries);
}
