// The local side of `berth cp`: a file or directory tree of this machine as a tar stream (files streamed, owners,
// modes and times kept, hard links as links), and a container's archive unpacked into a local directory. The
// archive comes from a container, so it is not trusted: a member whose name leads out of the destination, or
// whose path runs through a symbolic link, is refused before anything is written there.
import { createReadStream, createWriteStream, lstatSync, mkdirSync, readdirSync, readlinkSync, rmSync, chmodSync, constants, linkSync, lutimesSync, openSync, symlinkSync, utimesSync } from 'node:fs';
import type { Stats } from 'node:fs';
import { join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { BerthError } from '../model/errors.js';
import { cleanPath, renamed } from './cp-paths.js';
import type { CopyPlacement } from './cp-paths.js';

type HeaderArgument = Partial<tar.Header> & Pick<tar.Header, 'name'>;

/**
 * `path` as an archive whose top member is `name` (`.`: the directory's members only). What tar cannot carry
 * (sockets, devices) is left out, and `skipped` is told.
 */
export function packLocal(path: string, name: string, skipped: (path: string) => void): Readable {
  const pack = tar.pack();
  const links = new Map<string, string>();
  const add = async (local: string, member: string): Promise<void> => {
    const info = lstatSync(local);
    const header: HeaderArgument = { name: member, mode: info.mode & 0o7777, uid: info.uid, gid: info.gid, mtime: info.mtime };
    if (info.isDirectory()) {
      if (member !== '.') await entry(pack, { ...header, type: 'directory' });
      for (const child of readdirSync(local).sort()) await add(join(local, child), member === '.' ? child : `${member}/${child}`);
    } else if (info.isSymbolicLink()) {
      await entry(pack, { ...header, type: 'symlink', linkname: readlinkSync(local) });
    } else if (info.isFile()) {
      const key = `${info.dev}:${info.ino}`;
      const first = info.nlink > 1 ? links.get(key) : undefined;
      if (first !== undefined) return entry(pack, { ...header, type: 'link', linkname: first });
      if (info.nlink > 1) links.set(key, member);
      await pipeline(createReadStream(local), pack.entry({ ...header, type: 'file', size: info.size }));
    } else {
      skipped(local);
    }
  };
  add(path, name).then(
    () => pack.finalize(),
    (error: unknown) => pack.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  return pack as unknown as Readable;
}

function entry(pack: tar.Pack, header: HeaderArgument): Promise<void> {
  return new Promise((resolve, reject) => pack.entry(header, (error) => (error ? reject(error) : resolve())));
}

const { O_CREAT, O_EXCL, O_NOFOLLOW, O_WRONLY } = constants;

/**
 * Unpacks `archive` into the existing directory `dir`, members renamed as `placement` says. Owners are not kept
 * (the files belong to whoever runs berth, as with docker cp); modes and times are. A directory is never replaced
 * by a file or the reverse.
 */
export async function extractLocal(archive: Readable, placement: CopyPlacement, skipped: (name: string) => void): Promise<void> {
  const extract = tar.extract();
  archive.on('error', (error) => extract.destroy(error));
  archive.pipe(extract as unknown as NodeJS.WritableStream);
  const directories: Array<{ path: string; mtime: Date }> = [];
  for await (const member of extract) {
    const { header } = member;
    const name = renamed(header.name, placement.rename);
    const path = inside(placement.dir, name, header.name);
    if (name === '.' && header.type === 'directory') {
      member.resume();
      continue;
    }
    prepareParents(placement.dir, name);
    const existing = lstatOrUndefined(path);
    const isDirectory = header.type === 'directory';
    if (existing?.isDirectory() && !isDirectory) throw new BerthError(`cannot overwrite directory "${path}" with non-directory "${header.name}"`);
    if (existing && !existing.isDirectory() && isDirectory) throw new BerthError(`cannot overwrite non-directory "${path}" with directory "${header.name}"`);
    if (existing && !existing.isDirectory()) rmSync(path, { force: true });
    const mode = header.mode & 0o7777;
    switch (header.type) {
      case 'directory':
        if (!existing) mkdirSync(path, { mode });
        chmodSync(path, mode);
        directories.push({ path, mtime: header.mtime });
        member.resume();
        break;
      case 'file':
      case 'contiguous-file':
        await pipeline(member, createWriteStream(path, { fd: openSync(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, mode) }));
        chmodSync(path, mode);
        utimesSync(path, header.mtime, header.mtime);
        break;
      case 'symlink':
        member.resume();
        symlinkSync(header.linkname, path);
        lutimesSync(path, header.mtime, header.mtime);
        break;
      case 'link': {
        member.resume();
        const targetName = renamed(header.linkname, placement.rename);
        const target = inside(placement.dir, targetName, header.linkname);
        prepareParents(placement.dir, targetName);
        linkSync(target, path);
        break;
      }
      default:
        member.resume();
        skipped(header.name);
    }
  }
  // Last, as writing into a directory changes its time.
  for (const { path, mtime } of directories.reverse()) utimesSync(path, mtime, mtime);
}

/** The local path of a member: refused when its name climbs out of the destination. */
function inside(dir: string, name: string, original: string): string {
  if (name === '..' || name.startsWith('../')) throw new BerthError(`the archive from the container holds "${original}", which leads out of the destination ${dir}`);
  return name === '.' ? dir : join(dir, name);
}

/** Creates the member's missing parents; refuses to go through a link an earlier member (or anyone) put there. */
function prepareParents(dir: string, name: string): void {
  const parts = cleanPath(name).split('/').slice(0, -1);
  let path = dir;
  for (const part of parts) {
    path = join(path, part);
    const info = lstatOrUndefined(path);
    if (!info) mkdirSync(path, { mode: 0o755 });
    else if (!info.isDirectory()) {
      throw new BerthError(`the archive from the container writes "${posix.join(...parts)}" through ${info.isSymbolicLink() ? 'a symbolic link' : 'a file'} at ${path}`);
    }
  }
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
