// A build context as the tar stream the engine's /build endpoint reads: regular files, directories and symbolic
// links (ustar, with a PAX header for long names), modes kept, owners and times zeroed so that the same tree gives
// the same bytes.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

export interface TarEntry {
  readonly path: string;
  readonly type: 'file' | 'directory' | 'symlink';
  readonly mode: number;
  readonly content?: Buffer;
  readonly target?: string;
}

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
      } else if (stat.isFile()) entries.push({ path, type: 'file', mode, content: readFileSync(full) });
    }
  };
  walk(root);
  return entries;
}

export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const name = entry.type === 'directory' ? `${entry.path}/` : entry.path;
    if (Buffer.byteLength(name) > 100) {
      const pax = paxRecord('path', name);
      blocks.push(header({ name: 'PaxHeader', size: pax.length, type: 'x', mode: 0o644 }), pad(pax));
    }
    const content = entry.content ?? Buffer.alloc(0);
    blocks.push(
      header({
        name: truncate(name, 100),
        size: entry.type === 'file' ? content.length : 0,
        type: entry.type === 'file' ? '0' : entry.type === 'directory' ? '5' : '2',
        mode: entry.mode,
        ...(entry.target ? { linkname: entry.target } : {}),
      }),
    );
    if (entry.type === 'file') blocks.push(pad(content));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
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
