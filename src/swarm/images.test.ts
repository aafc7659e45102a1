import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pinned, resolveDigests, withTag } from './images.js';

test('an image is pinned as name:tag@digest; one that names a digest keeps it', () => {
  assert.equal(withTag('127.0.0.1:5000/app'), '127.0.0.1:5000/app:latest');
  assert.equal(withTag('127.0.0.1:5000/app:1'), '127.0.0.1:5000/app:1');
  assert.equal(pinned('app', 'sha256:ab'), 'app:latest@sha256:ab');
  assert.equal(pinned('app:1@sha256:cd', 'sha256:ab'), 'app:1@sha256:cd');
});

test('each image is asked once; one the registry lacks is an error that says push it first when it is only local', async () => {
  const asked: string[] = [];
  const source = (local: boolean) => ({
    digest: async (reference: string) => {
      asked.push(reference);
      if (reference.startsWith('registry.test/')) return 'sha256:ab';
      throw new Error('manifest unknown');
    },
    hasLocalImage: async () => local,
  });
  assert.deepEqual([...(await resolveDigests(['registry.test/a', 'registry.test/a', 'b@sha256:cd'], source(false)))], [['registry.test/a', 'sha256:ab']]);
  assert.deepEqual(asked, ['registry.test/a:latest']);
  await assert.rejects(resolveDigests(['mine:dev'], source(true)), /image mine:dev could not be resolved to a registry digest: manifest unknown\nit exists only on this engine: push it to a registry/);
  await assert.rejects(resolveDigests(['missing:1'], source(false)), /push it to a registry the swarm can pull from, or check its name/);
});
