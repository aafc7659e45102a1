// The files a COPY or ADD takes: sources inside a root (the build context, or another stage's or image's files),
// wildcards matched as Go's filepath.Match does, nothing outside the root (`..` or a symlink leading out), and the
// content checksum that keys the build cache.
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, readlinkSync, realpathSync } from 'node:fs';
import { join, normalize, relative } from 'node:path';
import { DockerfileError } from './dockerfile.js';

export interface Source {
  /** The path on the host. */
  readonly path: string;
  /** As the Dockerfile named it (after wildcard matching), for messages. */
  readonly name: string;
  readonly isDirectory: boolean;
}

/** Resolves the sources of one instruction; each must exist. */
export function resolveSources(root: string, patterns: readonly string[], instruction: string, line: number): Source[] {
  const found: Source[] = [];
  for (const pattern of patterns) {
    const clean = normalize(`/${pattern}`).slice(1);
    if (pattern.split('/').includes('..') && relative(root, join(root, pattern)).startsWith('..')) {
      throw new DockerfileError(`${instruction} failed: forbidden path outside the build context: ${pattern}`, line);
    }
    const names = /[*?[]/.test(clean) ? matchGlob(root, clean) : [clean];
    if (names.length === 0) throw new DockerfileError(`${instruction} failed: no source files were specified (${pattern} matches nothing)`, line);
    for (const name of names) {
      const path = name === '' ? root : join(root, name);
      if (!existsSync(path)) throw new DockerfileError(`${instruction} failed: file not found in build context or excluded by .dockerignore: stat ${pattern}: file does not exist`, line);
      const real = realpathSync(path);
      const realRoot = realpathSync(root);
      if (real !== realRoot && !real.startsWith(`${realRoot}/`)) throw new DockerfileError(`${instruction} failed: forbidden path outside the build context: ${pattern} (${real})`, line);
      found.push({ path: real, name, isDirectory: lstatSync(real).isDirectory() });
    }
  }
  return found;
}

/** Paths under `root` matching the pattern, segment by segment (`*` never crosses a `/`). */
function matchGlob(root: string, pattern: string): string[] {
  let current = [''];
  for (const segment of pattern.split('/').filter(Boolean)) {
    const next: string[] = [];
    const matcher = /[*?[]/.test(segment) ? segmentRegex(segment) : undefined;
    for (const base of current) {
      const dir = join(root, base);
      if (!matcher) {
        if (existsSync(join(dir, segment))) next.push(base ? `${base}/${segment}` : segment);
        continue;
      }
      let entries: string[] = [];
      try {
        entries = readdirSync(dir).sort();
      } catch {
        continue;
      }
      for (const entry of entries) if (matcher.test(entry)) next.push(base ? `${base}/${entry}` : entry);
    }
    current = next;
  }
  return current;
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
 * so that an untouched context hits the cache and any edit misses it.
 */
export function contentChecksum(sources: readonly Source[]): string {
  const hash = createHash('sha256');
  const visit = (path: string, name: string): void => {
    const info = lstatSync(path);
    hash.update(`${name}\0${info.mode}\0`);
    if (info.isSymbolicLink()) hash.update(readlinkSync(path));
    else if (info.isFile()) hash.update(readFileSync(path));
    else if (info.isDirectory()) for (const entry of readdirSync(path).sort()) visit(join(path, entry), `${name}/${entry}`);
    hash.update('\0');
  };
  for (const source of sources) visit(source.path, source.name);
  return hash.digest('hex');
}
