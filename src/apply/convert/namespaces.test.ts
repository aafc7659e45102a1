import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planContext } from './test-context.js';
import { convertNamespaces } from './namespaces.js';

const ctx = planContext({
  containersByService: { db: [{ id: 'db111', name: 'shop-db-1' }] },
});

test('namespace modes pass through; service:x shares the namespace of x\'s container', () => {
  assert.deepEqual(convertNamespaces({ name: 'web', ipc: 'service:db', pid: 'host', uts: 'host', userns_mode: 'host', cgroup: 'private' }, ctx), {
    host: { IpcMode: 'container:db111', PidMode: 'host', UTSMode: 'host', UsernsMode: 'host', CgroupnsMode: 'private' },
  });
  assert.deepEqual(convertNamespaces({ name: 'web', pid: 'service:db' }, ctx), { host: { PidMode: 'container:db111' } });
  assert.throws(() => convertNamespaces({ name: 'web', ipc: 'service:gone' }, ctx), /cannot share IPC namespace with service gone/);
});
