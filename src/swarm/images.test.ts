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

test('--push: an image built here and on this engine is pushed before its digest is asked; one only local is pushed when the registry lacks it', async () => {
  const registry = new Set(['registry.test/pulled:1']);
  const events: string[] = [];
  const source = {
    digest: async (reference: string) => {
      events.push(`digest ${reference}`);
      if (registry.has(reference)) return `sha256:${reference.length}`;
      throw new Error('manifest unknown');
    },
    hasLocalImage: async (reference: string) => reference !== 'registry.test/pulled:1',
  };
  const push = { built: new Set(['registry.test/app:1']), dryRun: false, push: async (image: string) => void (events.push(`push ${image}`), registry.add(withTag(image))) };
  const digests = await resolveDigests(['registry.test/app:1', 'registry.test/pulled:1', 'registry.test/tagged'], source, push);
  assert.deepEqual([...digests.keys()], ['registry.test/app:1', 'registry.test/pulled:1', 'registry.test/tagged']);
  assert.deepEqual(events, [
    'push registry.test/app:1',
    'digest registry.test/app:1',
    'digest registry.test/pulled:1',
    'digest registry.test/tagged:latest',
    'push registry.test/tagged',
    'digest registry.test/tagged:latest',
  ]);
});

test('--push --dry-run says what it would push and leaves those images without a digest', async () => {
  const pushed: string[] = [];
  const source = { digest: async () => Promise.reject(new Error('manifest unknown')), hasLocalImage: async () => true };
  const digests = await resolveDigests(['r.test/app:1', 'r.test/other:2'], source, { built: new Set(['r.test/app:1']), dryRun: true, push: async (image) => void pushed.push(image) });
  assert.deepEqual(pushed, ['r.test/app:1', 'r.test/other:2']);
  assert.equal(digests.size, 0);
});

test('an image pushed that the registry still does not give back is an error that says so', async () => {
  const source = { digest: async () => Promise.reject(new Error('manifest unknown')), hasLocalImage: async () => true };
  await assert.rejects(resolveDigests(['r.test/app:1'], source, { built: new Set(), dryRun: false, push: async () => {} }), /could not be resolved to a registry digest: manifest unknown\nit was pushed, yet the registry does not give it back/);
});
