// The build context as the classic builder reads it after unpacking: the Dockerfile and .dockerignore found inside
// the context (a Dockerfile that links to /etc/shadow is the context's /etc/shadow: missing, never the host's), and
// both taken out of the context when .dockerignore excludes them (as dockerd does), so that `COPY .` leaves them.
import { posix } from 'node:path';
import { parseDockerignore } from '../../../engine-api/dockerignore.js';
import { invalid } from '../../errors.js';
import { PathError, readFileInRoot, RootDir } from '../../store/in-root.js';

/** Bigger Dockerfiles and .dockerignore files than this are refused rather than read. */
const MAX_FILE = 16 * 1024 * 1024;

/** The Dockerfile's text, read in the unpacked context at `root`; the context's ignored control files removed. */
export function readBuildContext(root: string, dockerfile: string): string {
  return RootDir.withSync(root, (context) => {
    const text = readText(context, dockerfile);
    if (text === undefined) throw invalid(`Cannot locate specified Dockerfile: ${dockerfile}`);
    const ignore = readText(context, '.dockerignore');
    if (ignore !== undefined) {
      const ignored = parseDockerignore(ignore);
      for (const path of ['.dockerignore', posix.normalize(dockerfile).replace(/^(\.?\/)+/, '')]) {
        if (ignored(path)) context.with(path, {}, (location) => location.exists && location.remove());
      }
    }
    return text;
  });
}

function readText(context: RootDir, path: string): string | undefined {
  try {
    return readFileInRoot(context, path, MAX_FILE)?.toString('utf8');
  } catch (error) {
    // A loop of links, a name too long: there is no such file to read.
    if (error instanceof PathError) return undefined;
    throw error;
  }
}
