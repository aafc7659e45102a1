// A minimal ustar writer: enough to make the layers the engine pushes in its tests, hostile ones included (names
// with `..`, absolute names, symlinks and hard links pointing anywhere), which no well-behaved tar would produce.
export interface TarEntry {
  readonly name: string;
  /** `file` (the default), `dir`, `symlink`, `hardlink`. */
  readonly type?: 'file' | 'dir' | 'symlink' | 'hardlink';
  readonly content?: Buffer | string;
  readonly linkname?: string;
  readonly mode?: number;
}

const TYPES = { file: '0', hardlink: '1', symlink: '2', dir: '5' } as const;

export function tarArchive(entries: readonly TarEntry[]): Buffer {
  const blocks: Buffer[] = [];
  for (const entry of entries) {
    const type = entry.type ?? 'file';
    const content = type === 'file' ? Buffer.from(entry.content ?? '') : Buffer.alloc(0);
    blocks.push(header(entry, type, content.length), content, Buffer.alloc((512 - (content.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Buffer.concat(blocks);
}

function header(entry: TarEntry, type: keyof typeof TYPES, size: number): Buffer {
  const block = Buffer.alloc(512);
  let name = entry.name;
  let prefix = '';
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', 155);
    prefix = name.slice(0, cut);
    name = name.slice(cut + 1);
  }
  block.write(name, 0, 100);
  block.write(octal(entry.mode ?? (type === 'dir' ? 0o755 : 0o644), 8), 100);
  block.write(octal(0, 8), 108);
  block.write(octal(0, 8), 116);
  block.write(octal(size, 12), 124);
  block.write(octal(1_700_000_000, 12), 136);
  block.write('        ', 148);
  block.write(TYPES[type], 156);
  block.write(entry.linkname ?? '', 157, 100);
  block.write('ustar\u000000', 257);
  block.write(prefix, 345, 155);
  let sum = 0;
  for (const byte of block) sum += byte;
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148);
  return block;
}

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\u0000`;
}
