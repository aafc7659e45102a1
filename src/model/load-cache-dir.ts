// The loader's cache on disk: one file per entry in `<cache>/berth/load-<fingerprint>/`, where the fingerprint
// names the code whose results are stored (berth's model modules with their subfolders, the generated ones, the yaml
// and ajv packages), so that a rebuilt or upgraded berth never reads what another build stored.
// `BERTH_CACHE_DIR` chooses the directory (empty: no cache); else `$XDG_CACHE_HOME/berth`, else `~/.cache/berth`,
// made only below a directory that exists (the home, or the parent of `BERTH_CACHE_DIR`'s parent).
// The directory must belong to the user running berth and be writable by nobody else (root running with another
// user's HOME does not trust that user's cache). Every failure means "not cached": the loader then does the work.
import { createHash } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadCache } from './load-cache.js';

/** Entries kept per fingerprint: past it, the oldest half goes. */
const MAX_ENTRIES = 2000;
/** Directories of other builds unused for this long are removed. */
const STALE_MS = 7 * 24 * 3600 * 1000;

export function openLoadCache(environment: Readonly<Record<string, string | undefined>>): LoadCache | undefined {
  const chosen = environment.BERTH_CACHE_DIR;
  if (chosen === '') return undefined;
  const root = chosen ?? join(environment.XDG_CACHE_HOME || join(environment.HOME || homedir(), '.cache'), 'berth');
  try {
    // Made from an existing directory down, never a home that does not exist (a test's made-up HOME).
    if (!statSync(dirname(dirname(root))).isDirectory()) return undefined;
    const fingerprint = codeFingerprint();
    const dir = join(root, `load-${fingerprint}`);
    const created = mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ownedByUs(root) || !ownedByUs(dir)) return undefined;
    if (created !== undefined) removeStaleSiblings(root, dir);
    return directoryCache(dir);
  } catch {
    return undefined;
  }
}

function ownedByUs(path: string): boolean {
  const stat = lstatSync(path);
  return stat.isDirectory() && stat.uid === process.getuid?.() && (stat.mode & 0o022) === 0;
}

function directoryCache(dir: string): LoadCache {
  let writes = 0;
  return {
    read(key) {
      try {
        return readFileSync(join(dir, key), 'utf8');
      } catch {
        return undefined;
      }
    },
    write(key, value) {
      const temporary = join(dir, `.${key}.${process.pid}`);
      try {
        writeFileSync(temporary, value, { mode: 0o600 });
        renameSync(temporary, join(dir, key));
        if (++writes === 1) pruneEntries(dir);
      } catch {
        rmSync(temporary, { force: true });
      }
    },
  };
}

/** Keeps the newest entries when there are too many (checked once per run that writes). */
function pruneEntries(dir: string): void {
  const names = readdirSync(dir);
  if (names.length <= MAX_ENTRIES) return;
  const aged = names.map((name) => ({ name, mtime: statSync(join(dir, name), { throwIfNoEntry: false })?.mtimeMs ?? 0 }));
  aged.sort((a, b) => a.mtime - b.mtime);
  for (const { name } of aged.slice(0, aged.length - MAX_ENTRIES / 2)) unlinkSync(join(dir, name));
}

function removeStaleSiblings(root: string, dir: string): void {
  const now = Date.now();
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    if (!name.startsWith('load-') || path === dir) continue;
    const stat = statSync(path, { throwIfNoEntry: false });
    if (stat && now - stat.mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
  }
}

/**
 * Names the code that loads: every file of this folder and its subfolders (the whole load is cached, see
 * model-cache.ts) and of the generated one, and the versions of yaml and ajv.
 */
function codeFingerprint(): string {
  const hash = createHash('sha256');
  const here = dirname(fileURLToPath(import.meta.url));
  const add = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const stat = statSync(join(dir, name));
      if (stat.isFile()) hash.update(`${dir}/${name}\0${stat.size}\0${stat.mtimeMs}\0`);
      else if (stat.isDirectory()) add(join(dir, name));
    }
  };
  add(here);
  add(join(here, '..', 'generated'));
  const require = createRequire(import.meta.url);
  for (const library of ['yaml', 'ajv']) hash.update(readFileSync(require.resolve(`${library}/package.json`)));
  return hash.digest('hex').slice(0, 32);
}
