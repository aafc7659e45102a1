import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerPlanContext } from './context.js';
import { convertNamespaces } from './namespaces.js';

const ctx: ContainerPlanContext = {
  projectName: 'shop',
  serviceName: 'web',
  containerName: 'shop-web-1',
  number: 1,
  labels: {},
  networkNames: {},
  volumeNames: {},
  containersByService: { db: [{ id: 'db111', name: 'shop-db-1' }] },
  apiVersion: '1.47',
};

test('namespace modes pass through; service:x shares the namespace of x\'s container', () => {
  assert.deepEqual(convertNamespaces({ name: 'web', ipc: 'service:db', pid: 'host', uts: 'host', userns_mode: 'host', cgroup: 'private' }, ctx), {
    host: { IpcMode: 'container:db111', PidMode: 'host', UTSMode: 'host', UsernsMode: 'host', CgroupnsMode: 'private' },
  });
  assert.deepEqual(convertNamespaces({ name: 'web', pid: 'service:db' }, ctx), { host: { PidMode: 'container:db111' } });
  assert.throws(() => convertNamespaces({ name: 'web', ipc: 'service:gone' }, ctx), /cannot share IPC namespace with service gone/);
});
