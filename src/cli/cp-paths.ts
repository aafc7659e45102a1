// Where a `berth cp` lands, decided as `docker cp` decides it (pure, no I/O): which argument names the service, the
// container path made absolute and kept inside the container's root, and into which directory the archive is
// unpacked under which top-level name (a file copied onto a new name, `dir/.` for a directory's contents, a
// directory copied to a path that does not exist yet).
import { posix } from 'node:path';
import { BerthError } from '../model/errors.js';

export interface CpArgument {
  /** The service when the argument is `SERVICE:PATH`. */
  readonly service?: string;
  readonly path: string;
}

/** `web:/etc/x` names a service; `/abs`, `./rel:with-colon` and `plain` are local paths. */
export function splitCpArgument(argument: string): CpArgument {
  if (argument.startsWith('/')) return { path: argument };
  const colon = argument.indexOf(':');
  if (colon < 0 || argument.startsWith('.')) return { path: argument };
  return { service: argument.slice(0, colon), path: argument.slice(colon + 1) };
}

/** `dir/.` or `.`: the directory's contents, not the directory. */
export function specifiesCurrentDir(path: string): boolean {
  return path === '.' || path.endsWith('/.');
}

export function hasTrailingSeparator(path: string): boolean {
  return path.length > 1 && path.endsWith('/');
}

/** Go's filepath.Clean for `/`-paths: no trailing separator, no `.` or `..` left where they can be resolved. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const normalized = posix.normalize(path);
  return normalized.length > 1 && normalized.endsWith('/') ? normalized.slice(0, -1) : normalized;
}

/** The cleaned path with the `/` or `/.` the user wrote at its end put back: they change what a copy means. */
export function keepTrailing(cleaned: string, original: string): string {
  if (specifiesCurrentDir(original) && !specifiesCurrentDir(cleaned)) return `${cleaned === '/' ? '' : cleaned}/.`;
  if (hasTrailingSeparator(original) && !cleaned.endsWith('/')) return `${cleaned}/`;
  return cleaned;
}

/** A path's directory and last element; `dir/.` splits into `dir` and `.`. */
export function splitDirEntry(path: string): { dir: string; base: string } {
  let cleaned = cleanPath(path);
  if (specifiesCurrentDir(path)) cleaned = cleaned === '/' ? '/.' : `${cleaned}/.`;
  return { dir: posix.dirname(cleaned), base: posix.basename(cleaned) || '/' };
}

/**
 * A path in the container, absolute (docker reads `tmp/x` as `/tmp/x`). A path whose `..` climb above the root is
 * refused rather than quietly read as one under it: what the user meant is not clear.
 */
export function containerPath(path: string): string {
  let depth = 0;
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    depth += part === '..' ? -1 : 1;
    if (depth < 0) throw new BerthError(`the path "${path}" leads out of the container's root filesystem`);
  }
  return keepTrailing(cleanPath(`/${path}`), path);
}

/**
 * Where a link found at `path` leads (`target` as the link holds it), with the name the copy keeps: docker's
 * GetRebaseName. `-L` copies what the link points to under the link's own name.
 */
export function followedLink(path: string, target: string): { path: string; rebaseName?: string } {
  let resolved = cleanPath(target.startsWith('/') ? target : posix.join(splitDirEntry(path).dir, target));
  if (specifiesCurrentDir(path) && !specifiesCurrentDir(resolved)) resolved = `${resolved === '/' ? '' : resolved}/.`;
  if (hasTrailingSeparator(path) && !hasTrailingSeparator(resolved)) resolved = `${resolved}/`;
  const wanted = splitDirEntry(path).base;
  return wanted !== splitDirEntry(resolved).base ? { path: resolved, rebaseName: wanted } : { path: resolved };
}

export interface CopySource {
  readonly path: string;
  readonly isDir: boolean;
  /** The name the copy takes when it differs from the source's own (a followed link). */
  readonly rebaseName?: string;
}

export interface CopyDestination {
  readonly path: string;
  readonly exists: boolean;
  readonly isDir: boolean;
}

export interface CopyPlacement {
  /** The directory the archive is unpacked into. */
  readonly dir: string;
  /** The archive's top-level name as it is (`from`) and as it must land (`to`); absent: unchanged. */
  readonly rename?: { readonly from: string; readonly to: string };
}

/** docker's PrepareArchiveCopy: into an existing directory as is; else under the destination's name in its parent. */
export function placeCopy(source: CopySource, destination: CopyDestination): CopyPlacement {
  const { dir, base } = splitDirEntry(destination.path);
  const sourceBase = splitDirEntry(source.path).base;
  if (destination.exists && destination.isDir) {
    return { dir: cleanPath(destination.path), ...(source.rebaseName ? { rename: { from: sourceBase, to: source.rebaseName } } : {}) };
  }
  if (destination.exists && source.isDir) throw new BerthError(`cannot copy a directory onto the file ${destination.path}`);
  if (!destination.exists && !source.isDir && (hasTrailingSeparator(destination.path) || specifiesCurrentDir(destination.path))) {
    throw new BerthError(`no such directory: ${destination.path} (a file is copied into a directory that exists)`);
  }
  return { dir, rename: { from: sourceBase, to: base } };
}

/** The name the copied thing takes at the top of the archive (`.`: its contents, no top entry). */
export function topName(source: CopySource, placement: CopyPlacement): string {
  return placement.rename?.to ?? source.rebaseName ?? splitDirEntry(source.path).base;
}

/** An archive member's name once the copy's renaming applies: only its first element changes. */
export function renamed(name: string, rename: CopyPlacement['rename']): string {
  const cleaned = cleanPath(name.replace(/^\/+/, ''));
  if (!rename) return cleaned;
  if (cleaned === rename.from) return rename.to;
  if (rename.from === '.') return cleaned === '.' ? rename.to : posix.join(rename.to, cleaned);
  return cleaned.startsWith(`${rename.from}/`) ? `${rename.to}${cleaned.slice(rename.from.length)}` : cleaned;
}
