// Writes a docker-archive tarball (what `docker save` makes) of an image whose layers are random content, for the
// pull benchmark and the registry tests: node bench/gen-image.mjs OUT.tar NAME:TAG LAYERS BYTES_PER_LAYER.
// Random bytes do not compress, so the pushed blobs are as large as the layers. Needs `npm run build` (tar writer).
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { tarArchive } from '../dist/engine/store/tar-writer.js';

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [out, name, layerCount = '5', bytesPerLayer = String(20 * 1024 * 1024)] = process.argv.slice(2);
  if (!out || !name) {
    console.error('usage: node bench/gen-image.mjs OUT.tar NAME:TAG [LAYERS] [BYTES_PER_LAYER]');
    process.exit(2);
  }
  writeImageArchive(out, name, Number(layerCount), Number(bytesPerLayer));
}

/** The docker-archive of a new image: `layerCount` layers of `bytesPerLayer` random bytes each. */
export function writeImageArchive(out, name, layerCount, bytesPerLayer) {
  const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex');
  const entries = [];
  const diffIds = [];
  const layerNames = [];
  for (let index = 0; index < layerCount; index++) {
    const layer = tarArchive([
      { name: `data${index}/`, type: 'dir' },
      { name: `data${index}/random.bin`, content: randomBytes(bytesPerLayer) },
    ]);
    const hex = sha256(layer);
    diffIds.push(`sha256:${hex}`);
    layerNames.push(`${hex}/layer.tar`);
    entries.push({ name: `${hex}/`, type: 'dir' }, { name: `${hex}/layer.tar`, content: layer });
  }
  const config = Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      created: '2024-01-01T00:00:00Z',
      config: { Cmd: ['/bin/sh'] },
      rootfs: { type: 'layers', diff_ids: diffIds },
      history: diffIds.map(() => ({ created: '2024-01-01T00:00:00Z', created_by: 'gen-image' })),
    }),
  );
  const configName = `${sha256(config)}.json`;
  entries.push({ name: configName, content: config });
  entries.push({ name: 'manifest.json', content: JSON.stringify([{ Config: configName, RepoTags: [name], Layers: layerNames }]) });
  writeFileSync(out, tarArchive(entries));
}
