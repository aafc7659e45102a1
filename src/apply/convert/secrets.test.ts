import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileObjectMounts, fileObjectTarget } from './secrets.js';

const objects = {
  secrets: { db: { file: '/p/db.txt' }, token: { environment: 'TOKEN' }, vault: { external: true, name: 'vault' } },
  configs: { site: { file: '/p/site.conf' } },
};

test('file secrets mount read-only under /run/secrets, configs under /, by target or else by source', () => {
  const warnings: string[] = [];
  const mounts = fileObjectMounts(
    {
      name: 'web',
      secrets: [{ source: 'db', target: '/run/secrets/db' }, { source: 'db', target: 'other' }],
      configs: [{ source: 'site' }, { source: 'site', target: '/etc/nginx/site.conf', mode: 0o440 }],
    },
    objects,
    (message) => warnings.push(message),
  );
  assert.deepEqual(mounts, [
    { Type: 'bind', Source: '/p/db.txt', Target: '/run/secrets/db', ReadOnly: true },
    { Type: 'bind', Source: '/p/db.txt', Target: '/run/secrets/other', ReadOnly: true },
    { Type: 'bind', Source: '/p/site.conf', Target: '/site', ReadOnly: true },
    { Type: 'bind', Source: '/p/site.conf', Target: '/etc/nginx/site.conf', ReadOnly: true },
  ]);
  assert.deepEqual(warnings, [
    'service "web": configs uid, gid and mode apply to swarm services only and will be ignored',
  ]);
});

test('an external secret cannot be had on one engine; an undefined one is named', () => {
  assert.throws(() => fileObjectMounts({ name: 'web', secrets: [{ source: 'vault' }] }, objects, () => {}), /secret "vault" is external: only a swarm keeps such objects/);
  assert.throws(() => fileObjectMounts({ name: 'web', secrets: ['toString'] }, objects, () => {}), /secret "toString" is not defined/);
  assert.throws(() => fileObjectMounts({ name: 'web', secrets: [{ source: 'token' }] }, objects, () => {}), /secret "token" from environment is not supported by berth yet/);
});

test('targets: absolute as written, relative under the base directory', () => {
  assert.equal(fileObjectTarget('secrets', 'a', undefined), '/run/secrets/a');
  assert.equal(fileObjectTarget('secrets', 'a', 'b/c'), '/run/secrets/b/c');
  assert.equal(fileObjectTarget('configs', 'a', ''), '/a');
  assert.equal(fileObjectTarget('configs', 'a', '/etc/a'), '/etc/a');
});
