import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerSummary } from '../engine-client/index.js';
import { fakeEngine } from '../engine-client/fake.js';
import type { NetworkSummary, VolumeSummary } from '../engine-client/index.js';
import type { Project } from '../model/types.js';
import { observeProject, serviceImage, toObservedContainer } from './observe.js';

const summary = (name: string, labels: Record<string, string>, changes: Partial<ContainerSummary> = {}): ContainerSummary => ({
  id: `id-${name}`,
  name,
  image: 'busybox',
  imageId: 'sha256:b',
  command: '',
  created: 10,
  state: 'running',
  status: 'Up',
  labels,
  mounts: [],
  networks: {},
  ports: [],
  ...changes,
});

const project = {
  name: 'demo',
  services: { web: { name: 'web', image: 'busybox' }, app: { name: 'app', build: { context: '.' } } },
  networks: { default: {}, shared: { external: true, name: 'company-net' } },
  volumes: { data: {}, cache: { name: 'cache-by-hand' } },
} as unknown as Project;

test('a container as the planner reads it: service, number, one-off, config hash and image from its labels', () => {
  const observed = toObservedContainer(
    summary('demo-web-2', {
      'com.docker.compose.service': 'web',
      'com.docker.compose.container-number': '2',
      'com.docker.compose.oneoff': 'False',
      'com.docker.compose.config-hash': 'h',
      'com.docker.compose.image': 'sha256:b',
    }),
  );
  assert.deepEqual([observed.service, observed.number, observed.oneoff, observed.configHash, observed.imageDigest], ['web', 2, false, 'h', 'sha256:b']);
  const bare = toObservedContainer(summary('stray', { 'com.docker.compose.oneoff': 'True' }));
  assert.deepEqual([bare.service, bare.number, bare.oneoff, bare.configHash], ['', 0, true, '']);
});

test('the image a service runs is its image, else the one berth builds for it', () => {
  assert.equal(serviceImage('demo', { name: 'web', image: 'busybox' }), 'busybox');
  assert.equal(serviceImage('demo', { name: 'app' }), 'demo-app');
});

test('one read: labelled networks and volumes by key, declared ones found by name, the services\' images by reference', async () => {
  const network = (name: string, labels: Record<string, string>): NetworkSummary => ({ id: `net-${name}`, name, driver: 'bridge', labels });
  const volume = (name: string, labels: Record<string, string>): VolumeSummary => ({ name, driver: 'local', labels, mountpoint: '' });
  const { engine, calls } = fakeEngine({
    containers: { list: async () => [summary('demo-web-1', { 'com.docker.compose.service': 'web' }), summary('demo-app-1', { 'com.docker.compose.service': 'app' })] },
    networks: {
      list: async () => [network('demo_default', { 'com.docker.compose.network': 'default', 'com.docker.compose.project': 'demo', 'com.docker.compose.config-hash': 'nh' })],
      inspect: async (name: string) => (name === 'company-net' ? network('company-net', {}) : undefined),
    },
    volumes: { list: async () => [volume('demo_data', { 'com.docker.compose.volume': 'data', 'com.docker.compose.project': 'demo' })], inspect: async () => undefined },
    images: { inspect: async (reference: string) => (reference === 'busybox' ? { id: 'sha256:b', repoTags: [], volumes: [], labels: {} } : undefined) },
  });
  const observed = await observeProject(engine, project);
  assert.deepEqual(observed.containers.map((container) => container.name), ['demo-app-1', 'demo-web-1'], 'sorted by name');
  assert.deepEqual(observed.networks.default, { key: 'default', id: 'net-demo_default', name: 'demo_default', configHash: 'nh', project: 'demo' });
  assert.deepEqual(observed.networks.shared, { key: 'shared', id: 'net-company-net', name: 'company-net', configHash: '', project: '' });
  assert.deepEqual(Object.keys(observed.volumes), ['data'], 'a declared volume that is not there is absent');
  assert.deepEqual(observed.images, { busybox: 'sha256:b' }, 'demo-app is not built yet');
  assert.ok(calls.includes('containers.list {"label":["com.docker.compose.project=demo","com.docker.compose.oneoff=False"]} true'), 'service containers only');
  assert.ok(calls.includes('volumes.inspect cache-by-hand'));
});

test('down reads the one-off containers too', async () => {
  const { engine, calls } = fakeEngine();
  await observeProject(engine, project, { oneoffs: true });
  assert.ok(calls.includes('containers.list {"label":["com.docker.compose.project=demo"]} true'));
});
