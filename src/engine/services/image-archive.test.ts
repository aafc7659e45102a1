import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { EngineError, statusOf } from '../errors.js';
import { loadImageArchive } from './image-archive.js';
import type { ImageArchiveStore } from './image-archive.js';

const work = mkdtempSync(join(tmpdir(), 'berth-image-archive-'));
after(() => rmSync(work, { recursive: true, force: true }));

type Member = { name: string; content?: string | Buffer; symlink?: string; hardlink?: string; directory?: true };

async function archive(members: readonly Member[]): Promise<Buffer> {
  const pack = tar.pack();
  for (const member of members) {
    if (member.symlink !== undefined) pack.entry({ name: member.name, type: 'symlink', linkname: member.symlink });
    else if (member.hardlink !== undefined) pack.entry({ name: member.name, type: 'link', linkname: member.hardlink });
    else if (member.directory) pack.entry({ name: member.name, type: 'directory' });
    else pack.entry({ name: member.name }, member.content ?? '');
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const sha256 = (data: string | Buffer): string => createHash('sha256').update(data).digest('hex');

/** A store that keeps what it is given, checking each layer's digest as the real one does. */
function memoryStore(): ImageArchiveStore & { layers: string[]; images: Array<{ config: string; tags: readonly string[] }> } {
  const layers: string[] = [];
  const images: Array<{ config: string; tags: readonly string[] }> = [];
  return {
    layers,
    images,
    async storeLayer(input, expected) {
      const chunks: Buffer[] = [];
      for await (const chunk of input) chunks.push(chunk as Buffer);
      const data = Buffer.concat(chunks);
      if (`sha256:${sha256(data)}` !== expected.diffId) throw new EngineError('invalid', 'layer digest mismatch');
      layers.push(data.toString());
    },
    storeImage(config, tags) {
      images.push({ config: config.toString(), tags });
      return tags.map((tag) => `Loaded image: ${tag}`);
    },
  };
}

let run = 0;
async function load(members: readonly Member[] | Buffer, store = memoryStore()): Promise<string[]> {
  const bytes = Buffer.isBuffer(members) ? members : await archive(members);
  return loadImageArchive(Readable.from([bytes]), join(work, `load-${run++}`), store);
}

async function refused(members: readonly Member[] | Buffer, pattern: RegExp): Promise<void> {
  await assert.rejects(load(members), (error: unknown) => {
    assert.ok(error instanceof EngineError, String(error));
    assert.equal(statusOf(error), 400, error.message);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes(work) && !error.message.includes('root:'), error.message);
    return true;
  });
}

const layer = 'layer bytes';
const config = JSON.stringify({ rootfs: { type: 'layers', diff_ids: [`sha256:${sha256(layer)}`] } });

test('a docker-archive loads, its layers found through links that stay inside the archive (docker 25 and later)', async () => {
  const store = memoryStore();
  const lines = await load(
    [
      { name: 'blobs/', directory: true },
      { name: `blobs/sha256/${sha256(layer)}`, content: layer },
      { name: `blobs/sha256/${sha256(config)}`, content: config },
      { name: 'abc/layer.tar', symlink: `../blobs/sha256/${sha256(layer)}` },
      { name: 'config.json', symlink: `/blobs/sha256/${sha256(config)}` },
      { name: 'again/layer.tar', hardlink: 'abc/layer.tar' },
      { name: 'manifest.json', content: JSON.stringify([{ Config: 'config.json', RepoTags: ['example:v1'], Layers: ['abc/layer.tar'] }, { Config: './config.json', RepoTags: null, Layers: ['again/layer.tar'] }]) },
    ],
    store,
  );
  assert.deepEqual(lines, ['Loaded image: example:v1']);
  assert.deepEqual(store.layers, [layer, layer]);
  assert.equal(store.images[0]!.config, config);
});

test('members linking out of the archive are missing members: never a host file read', async () => {
  await refused([{ name: 'manifest.json', symlink: '/etc/passwd' }], /no manifest\.json or index\.json/);
  await refused([{ name: 'manifest.json', symlink: '../../../../../../etc/passwd' }], /no manifest\.json or index\.json/);
  await refused([{ name: 'index.json', symlink: '/proc/self/root/etc/passwd' }], /no manifest\.json or index\.json/);
  await refused([{ name: 'config.json', symlink: '/etc/passwd' }, { name: 'manifest.json', content: JSON.stringify([{ Config: 'config.json', Layers: [] }]) }], /config "config.json" is not in the archive/);
  await refused([{ name: 'config.json', content: config }, { name: 'etc', symlink: '/etc' }, { name: 'manifest.json', content: JSON.stringify([{ Config: 'config.json', Layers: ['etc/passwd'] }]) }], /layer "etc\/passwd" is not in the archive/);
  await refused([{ name: 'config.json', content: config }, { name: 'manifest.json', content: JSON.stringify([{ Config: '/etc/passwd', Layers: ['../../etc/shadow'] }]) }], /config "\/etc\/passwd" is not in the archive/);
  await refused([{ name: 'manifest.json', hardlink: '../etc/passwd' }], /leads out of the archive/);
  await refused([{ name: '../../escape', content: 'x' }], /leads out of the archive/);
  await refused([{ name: 'loop', symlink: 'loop' }, { name: 'manifest.json', symlink: 'loop' }], /no manifest\.json/);
});

test('documents of the wrong shape or size are refused with a 400, their content never echoed', async () => {
  await refused([{ name: 'manifest.json', content: 'root:x:0:0:root:/root:/bin/sh' }], /manifest\.json is not valid JSON$/);
  await refused([{ name: 'manifest.json', content: '{"Config": 1}' }], /manifest\.json must be a list/);
  await refused([{ name: 'manifest.json', content: '[{"Config": "c", "Layers": "x"}]' }], /must be a list/);
  await refused([{ name: 'manifest.json', content: '[null]' }], /must be a list/);
  await refused([{ name: 'manifest.json', content: Buffer.alloc(17 * 1024 * 1024, 0x20) }], /larger than/);
  await refused([{ name: 'c.json', content: '{"rootfs": {"diff_ids": ["../../x"]}}' }, { name: 'manifest.json', content: '[{"Config": "c.json", "Layers": []}]' }], /rootfs\.diff_ids/);
  await refused([{ name: 'index.json', content: '{"manifests": [{"digest": "sha256:../../../etc/passwd"}]}' }], /index\.json must have a list of manifests/);
  await refused(Buffer.from('not a tar at all, and long enough to be read as a header '.repeat(20)), /invalid archive/);
});

test('an OCI layout loads (gzip-compressed, its blobs checked against their digests) and picks linux/amd64 from an index', async () => {
  const manifest = JSON.stringify({ config: { digest: `sha256:${sha256(config)}` }, layers: [{ digest: `sha256:${sha256(layer)}` }] });
  const other = JSON.stringify({ config: { digest: `sha256:${'0'.repeat(64)}` }, layers: [] });
  const index = JSON.stringify({
    manifests: [
      { digest: `sha256:${sha256(other)}`, platform: { os: 'linux', architecture: 'arm64' } },
      { digest: `sha256:${sha256(manifest)}`, platform: { os: 'linux', architecture: 'amd64' } },
    ],
  });
  const blobs = (entries: Array<string>): Member[] => entries.map((content) => ({ name: `blobs/sha256/${sha256(content)}`, content }));
  const top = JSON.stringify({ manifests: [{ digest: `sha256:${sha256(index)}`, annotations: { 'io.containerd.image.name': 'example/oci' } }] });
  const store = memoryStore();
  const lines = await load(gzipSync(await archive([...blobs([layer, config, manifest, other, index]), { name: 'index.json', content: top }])), store);
  assert.deepEqual(lines, ['Loaded image: example/oci:latest']);
  assert.deepEqual(store.layers, [layer]);
  // A blob whose bytes do not match its name is refused.
  await refused([{ name: `blobs/sha256/${sha256(manifest)}`, content: `${manifest} ` }, { name: 'index.json', content: JSON.stringify({ manifests: [{ digest: `sha256:${sha256(manifest)}` }] }) }], /does not match its digest/);
});
