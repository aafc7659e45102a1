// A build context as the tar stream the engine's /build endpoint reads: regular files, directories and symbolic
// links (ustar, with a PAX header for long names), modes kept, owners and times zeroed so that the same tree gives
// the same bytes. Files collected from disk are read only while the archive is sent (`tarStream`), a chunk at a
// time, so that a context of any size costs the same memory and its first bytes leave at once.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { BerthError } from '../../model/errors.js';

export interface TarEntry {
  readonly path: string;
  readonly type: 'file' | 'directory' | 'symlink';
  readonly mode: number;
  /** A file's bytes, or (for a file on disk) where to read its `size` bytes from when the archive is written. */
  readonly content?: Buffer;
  readonly source?: string;
  readonly size?: number;
  readonly target?: string;
}

/** How much of a file is read at once while streaming. */
const CHUNK = 1024 * 1024;

/** The entries under `root` (sorted), minus what `exclude` says to leave out (paths relative to root, `/`-separated). */
export function collectEntries(root: string, exclude: (path: string, isDirectory: boolean) => boolean): TarEntry[] {
  const entries: TarEntry[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = join(dir, name);
      const path = relative(root, full).split(sep).join('/');
      const stat = lstatSync(full);
      if (exclude(path, stat.isDirectory())) continue;
      const mode = stat.mode & 0o7777;
      if (stat.isSymbolicLink()) entries.push({ path, type: 'symlink', mode, target: readlinkSync(full) });
      else if (stat.isDirectory()) {
        entries.push({ path, type: 'directory', mode });
        walk(full);
      } else if (stat.isFile()) entries.push({ path, type: 'file', mode, source: full, size: stat.size });
    }
  };
  walk(root);
  return entries;
}

/** The archive in one Buffer (small archives: a watch sync, tests); files on disk are read whole. */
export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const content = entry.type === 'file' ? (entry.content ?? (entry.source !== undefined ? readFileSync(entry.source) : Buffer.alloc(0))) : Buffer.alloc(0);
    blocks.push(...entryHeader(entry, content.length));
    if (entry.type === 'file') blocks.push(pad(content));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

/** The archive as a stream: files on disk are read a chunk at a time as the reader asks for more. */
export function tarStream(entries: readonly TarEntry[]): Readable {
  return Readable.from(streamedBlocks(entries), { objectMode: false });
}

async function* streamedBlocks(entries: readonly TarEntry[]): AsyncGenerator<Buffer> {
  for (const entry of entries) {
    const size = entry.type !== 'file' ? 0 : (entry.content?.length ?? entry.size ?? 0);
    yield* entryHeader(entry, size);
    if (entry.type !== 'file' || size === 0) continue;
    if (entry.content) yield entry.content;
    else if (entry.source !== undefined) yield* fileChunks(entry.source, size);
    if (size % 512 !== 0) yield Buffer.alloc(512 - (size % 512));
  }
  yield Buffer.alloc(1024);
}

/** Exactly `size` bytes of the file (the size its header announced), or an error if it has changed since. */
async function* fileChunks(path: string, size: number): AsyncGenerator<Buffer> {
  const handle = await open(path, 'r');
  try {
    let sent = 0;
    while (sent < size) {
      const buffer = Buffer.allocUnsafe(Math.min(CHUNK, size - sent));
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, sent);
      if (bytesRead === 0) throw new BerthError(`${path} became shorter while it was being sent`);
      sent += bytesRead;
      yield bytesRead === buffer.length ? buffer : buffer.subarray(0, bytesRead);
    }
    if ((await handle.stat()).size !== size) throw new BerthError(`${path} changed size while it was being sent`);
  } finally {
    await handle.close();
  }
}

function entryHeader(entry: TarEntry, size: number): Buffer[] {
  const blocks: Buffer[] = [];
  const name = entry.type === 'directory' ? `${entry.path}/` : entry.path;
  if (Buffer.byteLength(name) > 100) {
    const pax = paxRecord('path', name);
    blocks.push(header({ name: 'PaxHeader', size: pax.length, type: 'x', mode: 0o644 }), pad(pax));
  }
  blocks.push(
    header({
      name: truncate(name, 100),
      size,
      type: entry.type === 'file' ? '0' : entry.type === 'directory' ? '5' : '2',
      mode: entry.mode,
      ...(entry.target ? { linkname: entry.target } : {}),
    }),
  );
  return blocks;
}

function truncate(text: string, bytes: number): string {
  let out = text;
  while (Buffer.byteLength(out) > bytes) out = out.slice(1);
  return out;
}

function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let length = Buffer.byteLength(body);
  length += String(length).length;
  if (String(length).length !== String(length - String(length).length).length) length++;
  return Buffer.from(`${length}${body}`);
}

function pad(content: Buffer): Buffer {
  const rest = content.length % 512;
  return rest === 0 ? content : Buffer.concat([content, Buffer.alloc(512 - rest)]);
}

function header(fields: { name: string; size: number; type: string; mode: number; linkname?: string }): Buffer {
  const block = Buffer.alloc(512);
  const write = (offset: number, length: number, value: string): void => {
    block.write(value, offset, length, 'utf8');
  };
  const octal = (offset: number, length: number, value: number): void => write(offset, length, `${value.toString(8).padStart(length - 1, '0')}\0`);
  write(0, 100, fields.name);
  octal(100, 8, fields.mode);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, fields.size);
  octal(136, 12, 0);
  block.fill(' ', 148, 156);
  write(156, 1, fields.type);
  if (fields.linkname) write(157, 100, fields.linkname);
  write(257, 6, 'ustar\0');
  write(263, 2, '00');
  let sum = 0;
  for (const byte of block) sum += byte;
  write(148, 8, `${sum.toString(8).padStart(6, '0')}\0 `);
  return block;
}
