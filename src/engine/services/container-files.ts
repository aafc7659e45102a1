// A container's files as docker cp, the archive endpoints and export see them: every path resolved inside the
// container's root filesystem (in-root.ts), archives made and unpacked through descriptors held there
// (root-archive.ts), so that links in the container (planted, or swapped in while a copy runs) lead nowhere else.
import type { Stats } from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { GO_MODE } from '../../engine-api/archive.js';
import type { PathStat } from '../../engine-api/archive.js';
import { invalid, notFound } from '../errors.js';
import { decompressed } from '../store/decompress.js';
import { PathError, RootDir } from '../store/in-root.js';
import type { Location } from '../store/in-root.js';
import { extractInto, packInto } from '../store/root-archive.js';
import type { ContainerRecord } from './container-record.js';
import { resolveUser } from './containers/users.js';

/** What the container service gives: the container's root filesystem, mounted. */
export interface ContainerRoots {
  rootfs(reference: string): Promise<{ record: ContainerRecord; path: string }>;
}


/**
 * The entry at `path` (a final link not followed, unless the path ends in `/`): `head` gets its stat, then, given an
 * `output`, it is sent there as a tar (a directory with everything under it), named as the path's last component.
 */
export async function archivePath(containers: ContainerRoots, reference: string, path: string, head: (stat: PathStat) => void, output?: NodeJS.WritableStream): Promise<void> {
  if (!path) throw invalid('path is required');
  const { path: rootfs } = await containers.rootfs(reference);
  await RootDir.with(rootfs, async (root) => {
    const location = find(root, path, reference, { follow: false });
    try {
      head(pathStat(root, location, path));
      if (output) await send(output, (pack) => packInto(pack, location, goBase(requestedPath(path))));
    } finally {
      location.close();
    }
  });
}

/** `GET /containers/{id}/export`: the whole root filesystem as a tar. */
export async function exportContainer(containers: ContainerRoots, reference: string, head: () => void, output: NodeJS.WritableStream): Promise<void> {
  const { path: rootfs } = await containers.rootfs(reference);
  await RootDir.with(rootfs, async (root) => {
    const location = root.find('/');
    try {
      head();
      await send(output, (pack) => packInto(pack, location));
    } finally {
      location.close();
    }
  });
}

export interface ExtractRequest {
  readonly noOverwriteDirNonDir: boolean;
  /** docker cp -a: everything owned by the container's user (when it has one) rather than as the archive says. */
  readonly copyUIDGID: boolean;
}

/** `PUT /containers/{id}/archive`: the tar (compressed or not) unpacked into the directory at `path`. */
export async function extractToPath(containers: ContainerRoots, reference: string, path: string, input: Readable, request: ExtractRequest): Promise<void> {
  if (!path) throw invalid('path is required');
  const { record, path: rootfs } = await containers.rootfs(reference);
  await RootDir.with(rootfs, async (root) => {
    // The destination is followed to the end, a link to a directory included (docker does the same).
    const destination = root.with(path, { follow: true }, (location) => {
      if (!location.exists) throw notFound(`Could not find the file ${path} in container ${reference}`);
      if (location.entry.kind !== 'directory') throw invalid(`extraction point is not a directory: ${path}`);
      return location.path;
    });
    // As dockerd: -a chowns to the container's user only when it has one; else the archive's owners stay.
    const owner = request.copyUIDGID && record.config.User ? resolveUser(rootfs, record.config.User) : undefined;
    await extractInto(root, destination, await decompressed(input), {
      noOverwriteDirNonDir: request.noOverwriteDirNonDir,
      ...(owner ? { owner } : {}),
    });
  });
}

function find(root: RootDir, path: string, reference: string, options: { follow: boolean }): Location {
  let location: Location;
  try {
    location = root.find(path, options);
  } catch (error) {
    if (error instanceof PathError && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) throw notFound(`Could not find the file ${path} in container ${reference}`);
    throw error;
  }
  if (!location.exists) {
    location.close();
    throw notFound(`Could not find the file ${path} in container ${reference}`);
  }
  return location;
}

/** Makes a tar with `fill`, streamed to `output` (ended after); a client that goes away stops it. */
async function send(output: NodeJS.WritableStream, fill: (pack: tar.Pack) => Promise<void>): Promise<void> {
  const pack = tar.pack();
  const done = finished(output);
  done.catch(() => pack.destroy());
  pack.pipe(output as NodeJS.WritableStream & { write(chunk: unknown): boolean });
  try {
    await fill(pack);
  } catch (error) {
    pack.destroy();
    throw error;
  }
  pack.finalize();
  await done;
}

/** The path as docker reads it: absolute, with a trailing `/` or `/.` kept (they ask for a directory's contents). */
function requestedPath(path: string): string {
  const clean = posix.join('/', path);
  if (/\/\.$/.test(path) || path === '.') return clean === '/' ? '/.' : `${clean}/.`;
  return path.endsWith('/') && clean !== '/' ? `${clean}/` : clean;
}

/** Go's filepath.Base: the last element, trailing slashes dropped; '/' for the root. */
function goBase(path: string): string {
  const trimmed = path.replace(/\/+$/, '');
  if (trimmed === '') return '/';
  return trimmed.slice(trimmed.lastIndexOf('/') + 1);
}


function pathStat(root: RootDir, location: Location, asked: string): PathStat {
  const info = location.lstat();
  if (!info) throw notFound(`Could not find the file ${asked}`);
  // A link's target as the container sees it: fully resolved inside its root.
  let linkTarget = '';
  if (info.isSymbolicLink()) {
    try {
      linkTarget = root.with(location.path, { follow: true }, (target) => target.path);
    } catch {
      linkTarget = location.entry.kind === 'link' ? location.entry.target : '';
    }
  }
  return { name: goBase(requestedPath(asked)), size: info.size, mode: goMode(info), mtime: info.mtime.toISOString(), linkTarget };
}

/** (Added, not OR-ed: JavaScript's bitwise operators are 32-bit signed.) */
function goMode(info: Stats): number {
  let mode = info.mode & 0o777;
  if (info.isDirectory()) mode += GO_MODE.directory;
  if (info.isSymbolicLink()) mode += GO_MODE.symlink;
  if (info.isFIFO()) mode += GO_MODE.namedPipe;
  if (info.isSocket()) mode += GO_MODE.socket;
  if (info.isBlockDevice()) mode += GO_MODE.device;
  if (info.isCharacterDevice()) mode += GO_MODE.device + GO_MODE.charDevice;
  if (info.mode & 0o4000) mode += GO_MODE.setuid;
  if (info.mode & 0o2000) mode += GO_MODE.setgid;
  if (info.mode & 0o1000) mode += GO_MODE.sticky;
  return mode;
}
