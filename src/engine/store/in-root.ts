// Paths under a root (a container's root filesystem, a volume, a build context, an image layer or archive) resolved
// as the kernel resolves them for a process chrooted there (openat2's RESOLVE_IN_ROOT): links are read and followed
// here, in the root's terms (an absolute target starts again at the root, `..` never climbs above it, 40 links at
// most), and each step opens the next component relative to the directory it holds, refusing to follow a link
// there (O_NOFOLLOW). A link swapped in while the engine works (CVE-2018-15664) therefore cannot lead it out: it is
// either seen and followed inside the root, or makes the step fail. Node has no openat(2); the kernel does the same
// for `/proc/self/fd/<dir>/<name>` (it enters the directory the descriptor holds, then looks `name` up in it).
//
// The walk itself is generic (`walk` over a `Tree`), so that an image archive read into memory is resolved by the
// very same rules as a directory on disk.
import { closeSync, constants, existsSync, fstatSync, lchownSync, linkSync, lstatSync, lutimesSync, mkdirSync, openSync, readdirSync, readlinkSync, readSync, rmdirSync, symlinkSync, unlinkSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { EngineError } from '../errors.js';

const { O_CREAT, O_DIRECTORY, O_EXCL, O_NOFOLLOW, O_NONBLOCK, O_RDONLY, O_WRONLY } = constants;
/** O_PATH (Linux; Node has no constant for it): a descriptor that pins a file or directory without opening it. */
export const O_PATH = 0o10000000;
/** The kernel's limit on links followed in one resolution (MAXSYMLINKS). */
export const MAX_LINKS = 40;
/** The kernel's limits on a path and on one of its components (PATH_MAX, NAME_MAX). */
export const MAX_PATH = 4096;
const MAX_NAME = 255;
/** Retries when a directory changes between looking at it and opening it (someone renames things meanwhile). */
const MAX_RETRIES = 100;

export type PathErrorCode = 'ENOENT' | 'ENOTDIR' | 'ELOOP' | 'ENAMETOOLONG';

const DESCRIPTIONS: Record<PathErrorCode, string> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'not a directory',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
};

/** A path that cannot be resolved; its message names the path as the caller gave it (in the root's terms), no more. */
export class PathError extends EngineError {
  constructor(
    readonly code: PathErrorCode,
    readonly path: string,
  ) {
    super(code === 'ENOENT' ? 'not-found' : 'invalid', `${path}: ${DESCRIPTIONS[code]}`);
  }
}

/** What a name in a directory is, not following it. */
export type Entry = { readonly kind: 'directory' | 'other' | 'missing' } | { readonly kind: 'link'; readonly target: string };

/** A tree of directories and links the walk can move in; `D` is a held directory (a descriptor, a key). */
export interface Tree<D> {
  readonly root: D;
  look(dir: D, name: string): Entry;
  /** The directory `name` in `dir`, held; undefined when it is not one any more (the walk looks again). */
  enter(dir: D, name: string): D | undefined;
  /** Makes the directory `name` in `dir` (a walk with `create`); one that appeared meanwhile is fine. */
  make?(dir: D, name: string): void;
  leave(dir: D): void;
}

export interface WalkOptions {
  /** Follow a link in the final component too (a trailing `/` or `/.` always does, as the kernel does). */
  readonly follow?: boolean;
  /** Make missing directories on the way to the final component. */
  readonly create?: boolean;
}

export interface Found<D> {
  /** The directory holding the final component, held: the caller leaves it. */
  readonly dir: D;
  /** The final component's name in it; '' when the path is the root itself. */
  readonly name: string;
  /** What the final component is (a link only when not followed). */
  readonly entry: Entry;
  /** The path inside the root with every link resolved ('/'-rooted): where the walk ended, in the root's terms. */
  readonly path: string;
}

/** Resolves `path` in the tree; every directory held on the way but the final one's parent is left again. */
export function walk<D>(tree: Tree<D>, path: string, options: WalkOptions = {}): Found<D> {
  const fail = (code: PathErrorCode): PathError => new PathError(code, path);
  if (path === '') throw fail('ENOENT');
  if (Buffer.byteLength(path) >= MAX_PATH) throw fail('ENAMETOOLONG');
  const trailing = /(^|\/)\.?$/.test(path);
  const follow = options.follow === true || trailing;
  const parts = path.split('/');
  const held: Array<{ dir: D; name: string }> = [{ dir: tree.root, name: '' }];
  const top = (): D => held[held.length - 1]!.dir;
  let links = 0;
  let retries = 0;
  const found = (name: string, entry: Entry): Found<D> => {
    const names = [...held.map((step) => step.name), name].filter(Boolean);
    const dir = held.pop()!.dir;
    for (const ancestor of held) if (ancestor.dir !== tree.root) tree.leave(ancestor.dir);
    held.length = 0;
    return { dir, name, entry, path: `/${names.join('/')}` };
  };
  try {
    while (parts.length > 0) {
      const part = parts.shift()!;
      if (part === '' || part === '.') continue;
      if (part === '..') {
        if (held.length > 1) tree.leave(held.pop()!.dir);
        continue;
      }
      if (Buffer.byteLength(part) > MAX_NAME) throw fail('ENAMETOOLONG');
      const last = parts.every((rest) => rest === '' || rest === '.');
      const entry = tree.look(top(), part);
      if (entry.kind === 'link' && (!last || follow)) {
        if (++links > MAX_LINKS) throw fail('ELOOP');
        if (entry.target === '') throw fail('ENOENT');
        if (entry.target.startsWith('/')) while (held.length > 1) tree.leave(held.pop()!.dir);
        parts.unshift(...entry.target.split('/'));
        continue;
      }
      if (last) {
        if (trailing && entry.kind !== 'directory' && entry.kind !== 'missing') throw fail('ENOTDIR');
        return found(part, entry);
      }
      if (entry.kind === 'missing') {
        if (!options.create || !tree.make) throw fail('ENOENT');
        if (++retries > MAX_RETRIES) throw fail('ENOENT');
        tree.make(top(), part);
        parts.unshift(part);
        continue;
      }
      if (entry.kind !== 'directory') throw fail('ENOTDIR');
      const next = tree.enter(top(), part);
      if (next === undefined) {
        if (++retries > MAX_RETRIES) throw fail('ENOENT');
        parts.unshift(part);
        continue;
      }
      held.push({ dir: next, name: part });
    }
    // The path ends at a directory already entered (the root, or one reached through `.` or `..`): it is named
    // from its parent like any other final component.
    if (held.length === 1) return found('', { kind: 'directory' });
    const last = held.pop()!;
    tree.leave(last.dir);
    return found(last.name, { kind: 'directory' });
  } catch (error) {
    for (const step of held) if (step.dir !== tree.root) tree.leave(step.dir);
    throw error;
  }
}

/** The host path that reaches `name` in the directory held by descriptor `fd` (the kernel's openat in disguise). */
export function at(fd: number, name: string): string {
  return name === '' ? `/proc/self/fd/${fd}/.` : `/proc/self/fd/${fd}/${name}`;
}

/** A directory on disk as a tree of open descriptors. */
class DiskTree implements Tree<number> {
  constructor(readonly root: number) {}

  look(dir: number, name: string): Entry {
    for (let attempt = 0; ; attempt++) {
      const info = lstatOrUndefined(at(dir, name));
      if (!info) return { kind: 'missing' };
      if (info.isDirectory()) return { kind: 'directory' };
      if (!info.isSymbolicLink()) return { kind: 'other' };
      try {
        return { kind: 'link', target: readlinkSync(at(dir, name)) };
      } catch (error) {
        // Replaced by something else between lstat and readlink: look again.
        if (attempt >= MAX_RETRIES || !isCode(error, 'ENOENT', 'EINVAL')) throw hostless(error);
      }
    }
  }

  enter(dir: number, name: string): number | undefined {
    try {
      return openSync(at(dir, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (error) {
      if (isCode(error, 'ELOOP', 'ENOTDIR', 'ENOENT')) return undefined;
      throw hostless(error);
    }
  }

  make(dir: number, name: string): void {
    try {
      mkdirSync(at(dir, name), 0o755);
    } catch (error) {
      if (!isCode(error, 'EEXIST')) throw hostless(error);
    }
  }

  leave(dir: number): void {
    if (dir !== this.root) closeSync(dir);
  }
}

/**
 * A directory the engine trusts (its own path), under which untrusted paths are resolved. Open until `close`;
 * every `Location` found in it is open until its own `close`.
 */
export class RootDir {
  private readonly tree: DiskTree;
  private closed = false;

  private constructor(
    readonly fd: number,
    /** Where the root is on the host, for checking descriptors; never for messages. */
    private readonly real: string,
  ) {
    this.tree = new DiskTree(fd);
  }

  static open(hostPath: string): RootDir {
    let fd: number;
    try {
      fd = openSync(hostPath, O_RDONLY | O_DIRECTORY);
    } catch (error) {
      throw hostless(error); // the engine's own directory is missing: its fault, told without its path
    }
    return new RootDir(fd, readlinkSync(`/proc/self/fd/${fd}`));
  }

  /** The root, or undefined when there is no such directory. */
  static tryOpen(hostPath: string): RootDir | undefined {
    try {
      return RootDir.open(hostPath);
    } catch (error) {
      if (!existsSync(hostPath)) return undefined;
      throw error;
    }
  }

  /** Runs `use` with the root open, closing it after (also when `use` fails or its promise rejects). */
  static async with<T>(hostPath: string, use: (root: RootDir) => T | Promise<T>): Promise<T> {
    const root = RootDir.open(hostPath);
    try {
      return await use(root);
    } finally {
      root.close();
    }
  }

  /** `with` for work that is done synchronously. */
  static withSync<T>(hostPath: string, use: (root: RootDir) => T): T {
    const root = RootDir.open(hostPath);
    try {
      return use(root);
    } finally {
      root.close();
    }
  }

  close(): void {
    if (!this.closed) closeSync(this.fd);
    this.closed = true;
  }

  /** `path` resolved inside the root (a missing final component is found too: `entry.kind` says 'missing'). */
  find(path: string, options: WalkOptions = {}): Location {
    const found = walk(this.tree, path, options);
    const location = new Location(this, found.dir, found.name, found.path, found.entry);
    try {
      this.check(found.dir);
    } catch (error) {
      location.close();
      throw error;
    }
    return location;
  }

  /** `find`, then `use`, then close. */
  with<T>(path: string, options: WalkOptions, use: (location: Location) => T): T {
    const location = this.find(path, options);
    try {
      return use(location);
    } finally {
      location.close();
    }
  }

  /** The directory a descriptor holds is under the root: what the walk guarantees, checked once more. */
  check(fd: number): void {
    const where = readlinkSync(`/proc/self/fd/${fd}`);
    if (where !== this.real && !where.startsWith(this.real === '/' ? '/' : `${this.real}/`)) {
      throw new EngineError('internal', 'a path resolved outside its root (refused)');
    }
  }
}

/**
 * A component found under a root: the directory that holds it (open, pinned) and its name. Everything done to it
 * goes through that directory and never follows a link in the name.
 */
export class Location {
  private open = true;

  constructor(
    readonly root: RootDir,
    readonly dirFd: number,
    readonly name: string,
    /** In the root's terms, links resolved: for messages and for what a client sees (stat's linkTarget). */
    readonly path: string,
    readonly entry: Entry,
  ) {}

  /** The host path through the held directory (for a system call that does not follow its final component). */
  get hostPath(): string {
    return at(this.dirFd, this.name);
  }

  get exists(): boolean {
    return this.entry.kind !== 'missing';
  }

  lstat(): Stats | undefined {
    return this.name === '' ? fstatSync(this.dirFd) : lstatOrUndefined(this.hostPath);
  }

  /** Opens the final component, never through a link (`O_NOFOLLOW`): a file to read, without blocking on a FIFO. */
  openFile(flags = O_RDONLY | O_NONBLOCK, mode?: number): number {
    try {
      return openSync(this.hostPath, flags | O_NOFOLLOW, mode);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Opens the final component as a directory (the root itself when the path was '/'). */
  openDirectory(): number {
    if (this.name === '') return openSync(at(this.dirFd, ''), O_RDONLY | O_DIRECTORY);
    try {
      return openSync(this.hostPath, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** Makes the final component a directory. */
  mkdir(mode: number): void {
    this.act(() => mkdirSync(this.hostPath, mode));
  }

  /** Makes the final component a symbolic link to `target` (which is not looked at). */
  symlink(target: string): void {
    this.act(() => symlinkSync(target, this.hostPath));
  }

  /** Makes the final component a hard link to what `existing` names (a link there is linked, not followed). */
  link(existing: Location): void {
    this.act(() => linkSync(existing.hostPath, this.hostPath));
  }

  /** Creates the final component as a new regular file, open for writing (it must not exist: no link is followed). */
  createFile(mode: number): number {
    return this.openFile(O_WRONLY | O_CREAT | O_EXCL, mode);
  }

  /** Owner of the final component (of a link itself, not what it points to). */
  chown(uid: number, gid: number): void {
    this.act(() => lchownSync(this.hostPath, uid, gid));
  }

  /** Times of the final component (of a link itself). */
  utimes(atime: Date, mtime: Date): void {
    this.act(() => lutimesSync(this.hostPath, atime, mtime));
  }

  /** Removes the final component, a directory with everything in it; nothing is followed. */
  remove(): void {
    if (this.name === '') throw new EngineError('invalid', 'cannot remove the root');
    removeAt(this.dirFd, this.name);
  }

  private act(action: () => void): void {
    try {
      action();
    } catch (error) {
      throw this.failure(error);
    }
  }

  /** An error of a system call on this location, as the engine tells it: the path in the root's terms. */
  failure(error: unknown): EngineError {
    if (error instanceof EngineError) return error;
    if (isCode(error, 'ENOENT')) return new PathError('ENOENT', this.path);
    if (isCode(error, 'ENOTDIR')) return new PathError('ENOTDIR', this.path);
    if (isCode(error, 'ELOOP')) return new EngineError('conflict', `${this.path} changed while the engine was using it`);
    if (isCode(error, 'ENAMETOOLONG')) return new PathError('ENAMETOOLONG', this.path);
    if (isCode(error, 'EEXIST')) return new EngineError('conflict', `${this.path} already exists`);
    if (isCode(error, 'EISDIR')) return new EngineError('invalid', `${this.path} is a directory`);
    if (isCode(error, 'ENOTEMPTY', 'EBUSY')) return new EngineError('conflict', `${this.path} changed or is in use`);
    if (isCode(error, 'EXDEV')) return new EngineError('invalid', `${this.path} is on another file system (a mount)`);
    return hostless(error, this.path);
  }

  close(): void {
    if (this.open && this.dirFd !== this.root.fd) closeSync(this.dirFd);
    this.open = false;
  }
}

/** Removes `name` in the directory `dirFd`, recursively, through descriptors (a link is removed, not followed). */
export function removeAt(dirFd: number, name: string): void {
  const info = lstatOrUndefined(at(dirFd, name));
  if (!info) return;
  if (!info.isDirectory()) {
    ignoreMissing(() => unlinkSync(at(dirFd, name)));
    return;
  }
  let fd: number;
  try {
    fd = openSync(at(dirFd, name), O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
  } catch (error) {
    // Turned into something else meanwhile: that is removed instead.
    if (isCode(error, 'ELOOP', 'ENOTDIR')) return removeAt(dirFd, name);
    if (isCode(error, 'ENOENT')) return;
    throw hostless(error);
  }
  try {
    for (const child of readdirSync(at(fd, ''))) removeAt(fd, child);
  } finally {
    closeSync(fd);
  }
  try {
    rmdirSync(at(dirFd, name));
  } catch (error) {
    if (isCode(error, 'ENOENT')) return;
    // Filled again while it was emptied (a running container), or a mount point: not the engine's fault.
    if (isCode(error, 'ENOTEMPTY', 'EEXIST', 'EBUSY')) throw new EngineError('conflict', `${name} changed or is in use while the engine removed it`);
    throw hostless(error);
  }
}

/** Reads a regular file under a root (a container's /etc/passwd, say), at most `limit` bytes; undefined when missing. */
export function readFileInRoot(root: RootDir, path: string, limit: number): Buffer | undefined {
  let location: Location;
  try {
    location = root.find(path, { follow: true });
  } catch (error) {
    if (error instanceof PathError && (error.code === 'ENOENT' || error.code === 'ENOTDIR')) return undefined;
    throw error;
  }
  try {
    if (location.entry.kind !== 'other') return undefined;
    const fd = location.openFile();
    try {
      const info = fstatSync(fd);
      if (!info.isFile()) return undefined;
      if (info.size > limit) throw new EngineError('invalid', `${location.path} is larger than ${limit} bytes`);
      return readAll(fd, info.size);
    } finally {
      closeSync(fd);
    }
  } finally {
    location.close();
  }
}

/** `path` read under the host directory `rootPath` (see readFileInRoot); undefined when the root itself is missing. */
export function readFileUnder(rootPath: string, path: string, limit: number): Buffer | undefined {
  const root = RootDir.tryOpen(rootPath);
  if (!root) return undefined;
  try {
    return readFileInRoot(root, path, limit);
  } finally {
    root.close();
  }
}

/** What `path` is under the host directory `rootPath`, links followed inside it; undefined when missing. */
export function statUnder(rootPath: string, path: string): Stats | undefined {
  const root = RootDir.tryOpen(rootPath);
  if (!root) return undefined;
  try {
    return root.with(path, { follow: true }, (location) => location.lstat());
  } catch (error) {
    if (error instanceof PathError) return undefined;
    throw error;
  } finally {
    root.close();
  }
}

function readAll(fd: number, size: number): Buffer {
  const buffer = Buffer.alloc(size);
  let offset = 0;
  while (offset < size) {
    const read = readSync(fd, buffer, offset, size - offset, null);
    if (read === 0) break;
    offset += read;
  }
  return buffer.subarray(0, offset);
}

export function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if (isCode(error, 'ENOENT', 'ENOTDIR')) return undefined;
    throw hostless(error);
  }
}

function ignoreMissing(action: () => void): void {
  try {
    action();
  } catch (error) {
    if (!isCode(error, 'ENOENT')) throw hostless(error);
  }
}

export function isCode(error: unknown, ...codes: string[]): boolean {
  return codes.includes((error as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/**
 * A system call's error without the host path Node puts in its message: the code and the system call, and the
 * path in the root's terms when the caller knows it. An error of the engine's own (a 500), unless it is the
 * caller's (a name too long).
 */
export function hostless(error: unknown, path?: string): EngineError {
  if (error instanceof EngineError) return error;
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENAMETOOLONG' && path) return new PathError('ENAMETOOLONG', path);
  const syscall = (error as NodeJS.ErrnoException | undefined)?.syscall;
  return new EngineError('internal', `${syscall ?? 'file system'}${path ? ` ${path}` : ''}: ${code ?? 'failed'}`);
}
