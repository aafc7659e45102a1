// The files a COPY or ADD takes: sources inside a root (the build context, or another stage's or image's files),
// wildcards matched as Go's filepath.Match does, each resolved inside that root (in-root.ts): a link among the
// sources, to `/etc/passwd` say, is that path in the context, never the host's (docker's classic builder does the
// same); and the content checksum that keys the build cache, read through the same descriptors.
import { createHash } from 'node:crypto';
import { closeSync, constants, fstatSync, openSync, readdirSync, readlinkSync, readSync } from 'node:fs';
import { posix } from 'node:path';
import { at, lstatOrUndefined, PathError, RootDir } from '../../store/in-root.js';
import { DockerfileError } from './dockerfile.js';

export interface Source {
  /** The root it is in (a host directory the engine made: the context, a layer, a mounted image). */
  readonly root: string;
  /** Its path in that root, every link resolved. */
  readonly path: string;
  /** As the Dockerfile named it (after wildcard matching), for messages. */
  readonly name: string;
  readonly isDirectory: boolean;
}

/** Resolves the sources of one instruction in `root`; each must exist there. */
export function resolveSources(root: string, patterns: readonly string[], instruction: string, line: number): Source[] {
  const found: Source[] = [];
  const dir = RootDir.open(root);
  try {
    for (const pattern of patterns) {
      const lexical = posix.normalize(pattern.replace(/^\/+/, '') || '.');
      if (lexical === '..' || lexical.startsWith('../')) {
        throw new DockerfileError(`${instruction} failed: forbidden path outside the build context: ${pattern}`, line);
      }
      const clean = posix.normalize(`/${pattern}`).slice(1);
      const names = /[*?[]/.test(clean) ? matchGlob(dir, clean) : [clean];
      if (names.length === 0) throw new DockerfileError(`${instruction} failed: no source files were specified (${pattern} matches nothing)`, line);
      for (const name of names) {
        const missing = new DockerfileError(`${instruction} failed: file not found in build context or excluded by .dockerignore: stat ${name || pattern}: file does not exist`, line);
        let resolved: { path: string; isDirectory: boolean } | undefined;
        try {
          resolved = dir.with(name === '' ? '/' : name, { follow: true }, (location) => (location.exists ? { path: location.path, isDirectory: location.entry.kind === 'directory' } : undefined));
        } catch (error) {
          if (!(error instanceof PathError)) throw error;
          if (error.code !== 'ENOENT' && error.code !== 'ENOTDIR') throw new DockerfileError(`${instruction} failed: ${error.message}`, line);
        }
        if (!resolved) throw missing;
        found.push({ root, path: resolved.path, name, isDirectory: resolved.isDirectory });
      }
    }
  } finally {
    dir.close();
  }
  return found;
}

/** Paths under the root matching the pattern, segment by segment (`*` never crosses a `/`), listed inside the root. */
function matchGlob(root: RootDir, pattern: string): string[] {
  let current = [''];
  for (const segment of pattern.split('/').filter(Boolean)) {
    const next: string[] = [];
    const matcher = /[*?[]/.test(segment) ? segmentRegex(segment) : undefined;
    for (const base of current) {
      for (const entry of matcher ? list(root, base).filter((name) => matcher.test(name)) : [segment]) {
        const path = base ? `${base}/${entry}` : entry;
        if (matcher || exists(root, path)) next.push(path);
      }
    }
    current = next;
  }
  return current;
}

/** The names in a directory of the root ([] when it is not one). */
function list(root: RootDir, path: string): string[] {
  try {
    return root.with(path === '' ? '/' : path, { follow: true }, (location) => {
      if (location.entry.kind !== 'directory') return [];
      const fd = location.openDirectory();
      try {
        return readdirSync(at(fd, '')).sort();
      } finally {
        closeSync(fd);
      }
    });
  } catch (error) {
    if (error instanceof PathError) return [];
    throw error;
  }
}

function exists(root: RootDir, path: string): boolean {
  try {
    return root.with(path, {}, (location) => location.exists);
  } catch (error) {
    if (error instanceof PathError) return false;
    throw error;
  }
}

function segmentRegex(segment: string): RegExp {
  let source = '';
  for (let at = 0; at < segment.length; at++) {
    const char = segment[at]!;
    if (char === '*') source += '[^/]*';
    else if (char === '?') source += '[^/]';
    else if (char === '[') {
      const end = segment.indexOf(']', at + 1);
      if (end < 0) source += '\\[';
      else {
        source += `[${segment.slice(at + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`;
        at = end;
      }
    } else if (char === '\\' && at + 1 < segment.length) source += `\\${segment[++at]}`;
    else source += char.replace(/[.+^${}()|\]]/g, '\\$&');
  }
  return new RegExp(`^${source}$`);
}

/**
 * A checksum of the sources' content: relative paths, kinds, permission bits, link targets and bytes (not times),
 * so that an untouched context hits the cache and any edit misses it. Read through descriptors held in each root.
 */
export function contentChecksum(sources: readonly Source[]): string {
  const hash = createHash('sha256');
  const visit = (dirFd: number, entry: string, name: string): void => {
    const info = lstatOrUndefined(at(dirFd, entry));
    if (!info) return;
    hash.update(`${name}\0${info.mode}\0`);
    if (info.isSymbolicLink()) hash.update(readlinkSync(at(dirFd, entry)));
    else if (info.isFile()) hashFile(hash, at(dirFd, entry));
    else if (info.isDirectory()) {
      const fd = openDirectory(at(dirFd, entry));
      try {
        for (const child of readdirSync(at(fd, '')).sort()) visit(fd, child, `${name}/${child}`);
      } finally {
        closeSync(fd);
      }
    }
    hash.update('\0');
  };
  for (const source of sources) {
    const root = RootDir.open(source.root);
    try {
      root.with(source.path, { follow: true }, (location) => visit(location.dirFd, location.name, source.name));
    } finally {
      root.close();
    }
  }
  return hash.digest('hex');
}

function openDirectory(path: string): number {
  return openSyncNoFollow(path, constants.O_RDONLY | constants.O_DIRECTORY);
}

function hashFile(hash: ReturnType<typeof createHash>, path: string): void {
  const fd = openSyncNoFollow(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    if (!fstatSync(fd).isFile()) return;
    const buffer = Buffer.alloc(256 * 1024);
    for (let read = readSync(fd, buffer); read > 0; read = readSync(fd, buffer)) hash.update(buffer.subarray(0, read));
  } finally {
    closeSync(fd);
  }
}

function openSyncNoFollow(path: string, flags: number): number {
  return openSync(path, flags | constants.O_NOFOLLOW);
}
