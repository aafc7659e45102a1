// Tar archives in and out of a root, through the in-root resolver only: `packInto` archives what a location holds
// (GET /archive, export, a volume's copy-up), walking directories by their descriptors and opening every file with
// O_NOFOLLOW; `extractInto` places each member of an archive (PUT /archive, docker cp into a container) at its path
// resolved inside the root, creating it relative to the directory it holds, never through a link, so that neither
// the archive's links nor the container's own (swapped in while the copy runs) lead a write out of the root.
import { spawn } from 'node:child_process';
import { closeSync, constants, fchmodSync, fchownSync, fstatSync, futimesSync, openSync, read, readdirSync, readlinkSync, write } from 'node:fs';
import { posix } from 'node:path';
import type { Readable } from 'node:stream';
import { promisify } from 'node:util';
import * as tar from 'tar-stream';
import { EngineError, invalid } from '../errors.js';
import { at, hostless, isCode, lstatOrUndefined } from './in-root.js';
import type { Location, RootDir } from './in-root.js';

type HeaderArgument = Partial<tar.Header> & Pick<tar.Header, 'name'>;
const { O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_RDONLY } = constants;
const readAsync = promisify(read);
const writeAsync = promisify(write);
const CHUNK = 256 * 1024;

/**
 * Archives what `location` names into `pack`: a directory with everything under it. `name` is what it is called in
 * the archive (its children under `name/`); without one (an export), the directory's children are the members.
 */
export async function packInto(pack: tar.Pack, location: Location, name?: string): Promise<void> {
  const links = new Map<string, string>();
  if (name !== undefined) {
    await packEntry(pack, location.dirFd, location.name, name, links, location.path);
    return;
  }
  const fd = location.openDirectory();
  try {
    for (const child of readdirSync(at(fd, '')).sort()) await packEntry(pack, fd, child, child, links, posix.join(location.path, child));
  } finally {
    closeSync(fd);
  }
}

async function packEntry(pack: tar.Pack, dirFd: number, name: string, member: string, links: Map<string, string>, path: string): Promise<void> {
  const info = lstatOrUndefined(at(dirFd, name));
  if (!info) return; // removed while the archive was made
  const header: HeaderArgument = { name: member, mode: info.mode & 0o7777, uid: info.uid, gid: info.gid, mtime: info.mtime };
  if (info.isDirectory()) {
    let fd: number;
    try {
      fd = openSync(at(dirFd, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (error) {
      if (isCode(error, 'ELOOP', 'ENOTDIR', 'ENOENT')) return; // replaced meanwhile: left out
      throw hostless(error, path);
    }
    try {
      await entry(pack, { ...header, type: 'directory' });
      const prefix = member === '/' ? '/' : `${member.replace(/\/$/, '')}/`;
      for (const child of readdirSync(at(fd, '')).sort()) await packEntry(pack, fd, child, `${prefix}${child}`, links, posix.join(path, child));
    } finally {
      closeSync(fd);
    }
    return;
  }
  if (info.isSymbolicLink()) {
    let target: string;
    try {
      target = readlinkSync(at(dirFd, name));
    } catch {
      return; // replaced meanwhile
    }
    await entry(pack, { ...header, type: 'symlink', linkname: target });
    return;
  }
  if (info.isFile()) {
    // Hard links stay links to the first member with that file.
    const key = `${info.dev}:${info.ino}`;
    const first = info.nlink > 1 ? links.get(key) : undefined;
    if (first !== undefined) {
      await entry(pack, { ...header, type: 'link', linkname: first });
      return;
    }
    let fd: number;
    try {
      fd = openSync(at(dirFd, name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (error) {
      if (isCode(error, 'ELOOP', 'ENOENT')) return;
      throw hostless(error, path);
    }
    try {
      const opened = fstatSync(fd);
      if (!opened.isFile()) return;
      if (info.nlink > 1) links.set(key, member);
      await fileEntry(pack, { ...header, type: 'file', size: opened.size }, fd, opened.size);
    } finally {
      closeSync(fd);
    }
    return;
  }
  const device = info.isCharacterDevice() ? 'character-device' : info.isBlockDevice() ? 'block-device' : info.isFIFO() ? 'fifo' : undefined;
  if (device) await entry(pack, { ...header, type: device, devmajor: major(info.rdev), devminor: minor(info.rdev) });
  // Sockets are left out, as tar leaves them out.
}

function entry(pack: tar.Pack, header: HeaderArgument): Promise<void> {
  return new Promise((resolve, reject) => {
    pack.entry(header, (error) => (error ? reject(error) : resolve()));
  });
}

/** A file's bytes as a member: exactly `size` of them (a file that shrank meanwhile is padded, as tar does). */
async function fileEntry(pack: tar.Pack, header: HeaderArgument, fd: number, size: number): Promise<void> {
  let sink!: NodeJS.WritableStream;
  const done = new Promise<void>((resolve, reject) => {
    sink = pack.entry(header, (error) => (error ? reject(error) : resolve()));
  });
  let offset = 0;
  while (offset < size) {
    const buffer = Buffer.alloc(Math.min(CHUNK, size - offset));
    const { bytesRead } = await readAsync(fd, buffer, 0, buffer.length, offset);
    const chunk = bytesRead === 0 ? buffer : buffer.subarray(0, bytesRead);
    offset += chunk.length;
    // (A destroyed pack never drains: its entry's callback fails instead.)
    if (!sink.write(chunk)) await Promise.race([new Promise((resolve) => sink.once('drain', resolve)), done]);
  }
  sink.end();
  await done;
}

/**
 * Copies what `location` names to `destination` in another root, named `name` there (a directory's own metadata
 * and everything under it with `name` '.', its destination being that directory).
 */
export async function copyInto(location: Location, name: string, root: RootDir, destination: string, options: ExtractOptions = {}): Promise<void> {
  const pack = tar.pack();
  const packed = packInto(pack, location, name).then(() => pack.finalize());
  const extracted = extractInto(root, destination, pack as unknown as Readable, options);
  // Either side failing stops the other; both are over (their descriptors closed) before this returns.
  const [packing, extracting] = await Promise.allSettled([packed.catch((error: unknown) => {
    pack.destroy(error as Error);
    throw error;
  }), extracted.catch((error: unknown) => {
    pack.destroy();
    throw error;
  })]);
  if (extracting.status === 'rejected') throw extracting.reason;
  if (packing.status === 'rejected') throw packing.reason;
}

export interface ExtractOptions {
  /** Refuse to replace a directory by something else, or the reverse (docker cp's default). */
  readonly noOverwriteDirNonDir?: boolean;
  /** Owner of everything placed (docker cp -a: the container's user); else the members' own. */
  readonly owner?: { readonly uid: number; readonly gid: number };
  /** Permission bits of everything placed (COPY --chmod); else the members' own. */
  readonly mode?: number;
}

/**
 * Places the members of the tar on `input` under `destination` (a directory, in the root's terms): each resolved
 * inside the root on its own (so a link among the members, or one the container swaps in, is followed inside the
 * root), missing parent directories made, existing files replaced (a link replaced, never written through).
 */
export async function extractInto(root: RootDir, destination: string, input: Readable, options: ExtractOptions = {}): Promise<void> {
  const extract = tar.extract();
  input.on('error', (error) => extract.destroy(error));
  input.pipe(extract);
  const directories: Array<{ path: string; mtime: Date }> = [];
  try {
    for await (const member of extract) {
      const header = member.header;
      try {
        const relative = memberPath(header.name);
        const path = relative === '' ? destination : posix.join(destination, relative);
        await place(root, path, header, member, options, relative, destination);
        if (header.type === 'directory') directories.push({ path, mtime: header.mtime ?? new Date() });
      } finally {
        member.resume();
      }
    }
  } catch (error) {
    throw readFailure(input, extract, error);
  }
  // Directory times last: placing their members changed them.
  for (const { path, mtime } of directories.reverse()) {
    try {
      root.with(path, {}, (location) => location.exists && location.entry.kind === 'directory' && location.utimes(mtime, mtime));
    } catch {
      // gone or changed meanwhile: its time does not matter
    }
  }
}

/**
 * Why reading a tar stopped, as the engine answers it (the rest of the input drained): tar-stream's own complaints
 * (a truncated archive, a bad header) are the client's archive at fault, a 400; a system call's, the engine's.
 */
export function readFailure(input: Readable, extract: tar.Extract, error: unknown): EngineError {
  input.unpipe?.(extract as unknown as NodeJS.WritableStream);
  input.resume();
  if (error instanceof EngineError) return error;
  if (!(error as NodeJS.ErrnoException).code) return invalid(`invalid archive: ${(error as Error).message}`);
  return hostless(error);
}

/** A member's name as a relative path without `.` parts; one that climbs out of the destination is refused. */
function memberPath(name: string): string {
  const parts: string[] = [];
  for (const part of name.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (parts.length === 0) throw invalid(`invalid archive member ${JSON.stringify(name)}: it leads out of the destination`);
      parts.pop();
    } else parts.push(part);
  }
  return parts.join('/');
}

async function place(root: RootDir, path: string, header: HeaderArgument, content: AsyncIterable<unknown>, options: ExtractOptions, relative: string, destination: string): Promise<void> {
  const type = header.type ?? 'file';
  const location = root.find(path, { create: true });
  try {
    const mode = (options.mode ?? header.mode ?? 0o644) & 0o7777;
    const uid = options.owner?.uid ?? header.uid ?? 0;
    const gid = options.owner?.gid ?? header.gid ?? 0;
    const mtime = header.mtime ?? new Date();
    const existing = location.entry.kind;
    if (type === 'directory') {
      if (existing !== 'directory') {
        if (existing !== 'missing') {
          if (options.noOverwriteDirNonDir) throw invalid(`cannot overwrite non-directory "${location.path}" with directory "${relative}"`);
          location.remove();
        }
        location.mkdir(0o700);
      }
      const fd = location.openDirectory();
      try {
        fchownSync(fd, uid, gid);
        fchmodSync(fd, mode);
      } finally {
        closeSync(fd);
      }
      return;
    }
    if (relative === '') throw invalid(`invalid archive member ${JSON.stringify(header.name)}: only a directory can be the destination ${destination}`);
    if (existing === 'directory') {
      if (options.noOverwriteDirNonDir) throw invalid(`cannot overwrite directory "${location.path}" with non-directory "${relative}"`);
      location.remove();
    } else if (existing !== 'missing') location.remove();
    switch (type) {
      case 'file':
      case 'contiguous-file': {
        const fd = location.createFile(0o600);
        try {
          for await (const chunk of content) await writeAll(fd, chunk as Buffer);
          fchownSync(fd, uid, gid);
          fchmodSync(fd, mode);
          futimesSync(fd, mtime, mtime);
        } finally {
          closeSync(fd);
        }
        return;
      }
      case 'symlink':
        location.symlink(header.linkname ?? '');
        location.chown(uid, gid);
        location.utimes(mtime, mtime);
        return;
      case 'link': {
        // The member it links to, by its name in the archive, under the same destination.
        const target = memberPath(header.linkname ?? '');
        const existingFile = root.find(target === '' ? destination : posix.join(destination, target));
        try {
          if (!existingFile.exists) throw invalid(`invalid archive member ${JSON.stringify(header.name)}: it links to ${JSON.stringify(header.linkname)}, which the archive does not have`);
          if (existingFile.entry.kind === 'directory') throw invalid(`invalid archive member ${JSON.stringify(header.name)}: a hard link to a directory`);
          location.link(existingFile);
        } finally {
          existingFile.close();
        }
        return;
      }
      case 'character-device':
      case 'block-device':
      case 'fifo':
        await makeNode(location, type, mode, header.devmajor ?? 0, header.devminor ?? 0);
        location.chown(uid, gid);
        return;
      default:
        throw invalid(`invalid archive member ${JSON.stringify(header.name)}: entries of type ${type} are not supported`);
    }
  } finally {
    location.close();
  }
}

async function writeAll(fd: number, chunk: Buffer): Promise<void> {
  let offset = 0;
  while (offset < chunk.length) offset += (await writeAsync(fd, chunk, offset, chunk.length - offset)).bytesWritten;
}

/**
 * A device node or FIFO (Node has no mknod): made by `mknod` with the directory handed over as its descriptor 3, so
 * that it too creates the node in the directory the engine holds, never through a link.
 */
async function makeNode(location: Location, type: 'character-device' | 'block-device' | 'fifo', mode: number, devMajor: number, devMinor: number): Promise<void> {
  const kind = type === 'fifo' ? ['p'] : [type === 'character-device' ? 'c' : 'b', String(devMajor), String(devMinor)];
  const child = spawn('mknod', ['-m', mode.toString(8), `/proc/self/fd/3/${location.name}`, ...kind], { stdio: ['ignore', 'ignore', 'pipe', location.dirFd] });
  let stderr = '';
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  const code = await new Promise<number>((resolve) => {
    child.on('error', () => resolve(127));
    child.on('close', (status) => resolve(status ?? 1));
  });
  if (code !== 0) throw new EngineError('internal', `could not make ${type} ${location.path}${/File exists/.test(stderr) ? ': it exists' : ''}`);
}

/** Linux's encoding of device numbers (glibc's major and minor). */
function major(rdev: number): number {
  return Number(((BigInt(rdev) >> 8n) & 0xfffn) | ((BigInt(rdev) >> 32n) & 0xfffff000n));
}

function minor(rdev: number): number {
  return Number((BigInt(rdev) & 0xffn) | ((BigInt(rdev) >> 12n) & 0xffffff00n));
}
