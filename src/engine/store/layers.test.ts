import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { startSpawner } from '../spawner.js';
import type { Spawner } from '../spawner.js';
import { LayerStore } from './layers.js';
import { Layout } from './layout.js';
import { tarArchive } from './tar-writer.js';

const whiteouts = fileURLToPath(new URL('../berth-whiteouts', import.meta.url));
let sandbox: string;
// tar is started as the engine starts it: through berth-spawner.
let spawner: Spawner;
before(async () => {
  sandbox = mkdtempSync(join(tmpdir(), 'berth-layers-'));
  spawner = await startSpawner(fileURLToPath(new URL('../berth-spawner', import.meta.url)), join(sandbox, 'spawner.sock'));
});
after(() => {
  spawner.stop();
  rmSync(sandbox, { recursive: true, force: true });
});

let count = 0;
function freshStore(options: { withoutSpawner?: boolean } = {}): { store: LayerStore; layout: Layout; outside: string } {
  const dir = join(sandbox, String(count++));
  const layout = new Layout(join(dir, 'a', 'b', 'root'));
  mkdirSync(layout.tmp, { recursive: true });
  const outside = join(dir, 'outside');
  mkdirSync(outside);
  return { store: new LayerStore(layout, whiteouts, options.withoutSpawner ? undefined : (argv) => spawner.filter(argv)), layout, outside };
}

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
const layerDirs = (layout: Layout): string[] => (existsSync(join(layout.root, 'image', 'layers')) ? readdirSync(join(layout.root, 'image', 'layers')) : []);
const leftovers = (layout: Layout): string[] => readdirSync(layout.tmp);
const bytesOf = async (stream: Readable): Promise<Buffer> => {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
};

const plain = tarArchive([
  { name: 'etc/', type: 'dir' },
  { name: 'etc/motd', content: 'hello\n' },
  { name: 'bin/', type: 'dir' },
  { name: 'bin/sh', type: 'symlink', linkname: 'busybox' },
  { name: 'etc/.wh.gone', content: '' },
]);

test('a gzip layer is verified while it streams, unpacked with its whiteouts, and kept as the blob that arrived', async () => {
  const { store, layout } = freshStore();
  const blob = gzipSync(plain);
  let seen = 0;
  const stored = await store.storeFromStream(Readable.from([blob.subarray(0, 10), blob.subarray(10)]), { digest: sha256(blob), size: blob.length, diffId: sha256(plain) }, {
    onBytes: (received) => (seen = received),
    source: { digest: sha256(blob), repository: '127.0.0.1:5000/app' },
  });
  assert.deepEqual(stored, { diffId: sha256(plain), size: plain.length, existed: false });
  assert.equal(seen, blob.length);
  const fs = layout.layer(sha256(plain).slice(7));
  assert.equal(readFileSync(join(fs, 'etc/motd'), 'utf8'), 'hello\n');
  assert.equal(readlinkSync(join(fs, 'bin/sh')), 'busybox');
  assert.ok(lstatSync(join(fs, 'etc/gone')).isCharacterDevice(), 'the whiteout became an overlay whiteout');
  assert.deepEqual(readFileSync(layout.layerGzip(sha256(plain).slice(7))), blob, 'the blob is kept as it arrived');
  assert.equal(existsSync(layout.layerTar(sha256(plain).slice(7))), false, 'and not a second time uncompressed');
  assert.deepEqual(await bytesOf(store.openTar(sha256(plain))!), plain, 'save reads the layer back decompressed');
  assert.deepEqual(store.meta(sha256(plain))?.blobs, { [sha256(blob)]: ['127.0.0.1:5000/app'] });
  assert.deepEqual(leftovers(layout), []);

  const again = await store.storeFromStream(Readable.from([blob]), { diffId: sha256(plain) });
  assert.equal(again.existed, true, 'a layer in the store already is not written again');
});

test('without a spawner the store starts tar itself, with the same checks', async () => {
  const { store, layout } = freshStore({ withoutSpawner: true });
  const blob = gzipSync(plain);
  const stored = await store.storeFromStream(Readable.from([blob]), { digest: sha256(blob), diffId: sha256(plain) });
  assert.equal(readFileSync(join(layout.layer(stored.diffId.slice(7)), 'etc/motd'), 'utf8'), 'hello\n');
  await assert.rejects(store.storeFromStream(Readable.from([Buffer.alloc(1024, 7)]), {}), /invalid layer archive/);
  assert.deepEqual(leftovers(layout), []);
});

test('a removed layer is gone at once, its files deleted in the background; trash a stopped engine left is finished', async () => {
  const { store, layout } = freshStore();
  const blob = gzipSync(plain);
  const { diffId } = await store.storeFromStream(Readable.from([blob]), { digest: sha256(blob), diffId: sha256(plain) });
  store.remove(diffId.slice(7));
  assert.equal(store.has(diffId), false, 'gone for every reader at once');
  assert.deepEqual(layerDirs(layout), []);
  store.remove(diffId.slice(7)); // already gone: nothing to do
  await store.settled();
  assert.deepEqual(leftovers(layout), [], 'and its files are deleted');
  mkdirSync(join(layout.tmp, 'trash-left-by-a-stopped-engine', 'fs', 'deep'), { recursive: true });
  store.emptyTrash();
  await store.settled();
  assert.deepEqual(leftovers(layout), []);
});

test('a whiteout whose name arrives split across two chunks is still converted', async () => {
  const { store, layout } = freshStore();
  const at = plain.indexOf('.wh.gone') + 2;
  await store.storeFromStream(Readable.from([plain.subarray(0, at), plain.subarray(at)]), { compression: 'none' });
  assert.ok(lstatSync(join(layout.layer(sha256(plain).slice(7)), 'etc/gone')).isCharacterDevice());
  assert.deepEqual(readFileSync(layout.layerTar(sha256(plain).slice(7))), plain, 'an uncompressed layer is kept as its tar');
});

test('a whiteout whose name arrives one byte at a time is still converted', async () => {
  const { store, layout } = freshStore();
  const at = plain.indexOf('.wh.gone');
  const bytes = [plain.subarray(0, at), ...[...plain.subarray(at, at + 4)].map((byte) => Buffer.from([byte])), plain.subarray(at + 4)];
  await store.storeFromStream(Readable.from(bytes), { compression: 'none' });
  assert.ok(lstatSync(join(layout.layer(sha256(plain).slice(7)), 'etc/gone')).isCharacterDevice());
});

test('a blob whose digest does not match is refused and nothing is stored', async () => {
  const { store, layout } = freshStore();
  const blob = gzipSync(plain);
  const wrong = `sha256:${'0'.repeat(64)}`;
  await assert.rejects(store.storeFromStream(Readable.from([blob]), { digest: wrong }), /digest mismatch/);
  await assert.rejects(store.storeFromStream(Readable.from([plain]), { diffId: wrong }), /the image config says/);
  assert.deepEqual(layerDirs(layout), []);
  assert.deepEqual(leftovers(layout), []);
});

test('a truncated blob, one larger than its descriptor, and corrupt gzip are refused, leaving nothing behind', async () => {
  const { store, layout } = freshStore();
  const blob = gzipSync(plain);
  await assert.rejects(store.storeFromStream(Readable.from([blob.subarray(0, blob.length - 20)]), { digest: sha256(blob), size: blob.length }), /gzip|truncated/);
  await assert.rejects(store.storeFromStream(Readable.from([blob]), { digest: sha256(blob), size: blob.length - 1 }), /larger than/);
  await assert.rejects(store.storeFromStream(Readable.from([plain.subarray(0, 700)]), { size: plain.length }), /truncated|invalid layer archive/);
  assert.deepEqual(layerDirs(layout), []);
  assert.deepEqual(leftovers(layout), []);
});

test('digests with other algorithms or path parts are refused before anything is read', async () => {
  const { store } = freshStore();
  await assert.rejects(store.storeFromStream(Readable.from([plain]), { digest: 'sha256:../../etc' }), /invalid layer digest/);
  await assert.rejects(store.storeFromStream(Readable.from([plain]), { digest: `md5:${'a'.repeat(32)}` }), /invalid layer digest/);
  await assert.rejects(store.storeFromStream(Readable.from([plain]), { diffId: `sha512:${'a'.repeat(128)}` }), /invalid layer diff id/);
});

test('zstd layers are refused clearly', async () => {
  const { store, layout } = freshStore();
  await assert.rejects(store.storeFromStream(Readable.from([Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0])]), {}), /zstd-compressed layers are not supported/);
  assert.deepEqual(leftovers(layout), []);
});

test('an aborted store (the client went away) leaves no partial layer behind', async () => {
  const { store, layout } = freshStore();
  const input = new PassThrough();
  const controller = new AbortController();
  const storing = store.storeFromStream(input, { diffId: sha256(plain) }, { signal: controller.signal });
  input.write(plain.subarray(0, 1024));
  await new Promise((resolve) => setTimeout(resolve, 50));
  controller.abort();
  await assert.rejects(storing, /aborted/);
  assert.deepEqual(layerDirs(layout), []);
  assert.deepEqual(leftovers(layout), []);
});

test('a hostile layer never writes outside its directory: .., absolute names, symlinks and hard links pointing out', async () => {
  const { store, layout, outside } = freshStore();
  const hostile = tarArchive([
    { name: '../../../../outside/dotdot', content: 'x' },
    { name: `/${outside.slice(1)}/absolute`, content: 'x' },
    { name: 'escape', type: 'symlink', linkname: '../../../../../../outside' },
    { name: 'escape/through-symlink', content: 'x' },
    { name: 'abs', type: 'symlink', linkname: outside },
    { name: 'abs/through-absolute-symlink', content: 'x' },
    { name: 'hard', type: 'hardlink', linkname: join(outside, '..', 'outside', 'target') },
    { name: 'ok', content: 'fine' },
  ]);
  await assert.rejects(store.storeFromStream(Readable.from([hostile]), {}), /invalid layer archive: .*Member name contains '\.\.'/);
  assert.deepEqual(readdirSync(outside), [], 'nothing was written outside the layer');
  assert.deepEqual(leftovers(layout), []);
});
