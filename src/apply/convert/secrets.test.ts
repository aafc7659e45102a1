import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileObjectMounts, fileObjectTarget, inlineObjectFiles } from './secrets.js';

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
  assert.deepEqual(fileObjectMounts({ name: 'web', secrets: [{ source: 'token' }] }, objects, () => {}), [], 'an environment secret is written in, not mounted');
});

test('environment and content objects become files with their target, mode and owner; an unset variable is named', () => {
  const project = {
    ...objects,
    configs: { ...objects.configs, motd: { content: 'hello\n' } },
    environment: { TOKEN: 's3cret' },
  };
  const files = inlineObjectFiles(
    {
      name: 'web',
      secrets: ['token', { source: 'token', target: 'copy', uid: '1000', gid: 1001, mode: '0400' }, 'db'],
      configs: [{ source: 'motd', target: '/etc/motd', mode: 0o640 }],
    },
    project,
  );
  assert.deepEqual(files, [
    { target: '/run/secrets/token', content: 's3cret', mode: 0o444, uid: 0, gid: 0 },
    { target: '/run/secrets/copy', content: 's3cret', mode: 0o400, uid: 1000, gid: 1001 },
    { target: '/etc/motd', content: 'hello\n', mode: 0o640, uid: 0, gid: 0 },
  ]);
  assert.throws(() => inlineObjectFiles({ name: 'web', secrets: ['token'] }, { ...project, environment: {} }), /secret "token" comes from the environment variable TOKEN, which is not set/);
  assert.throws(() => inlineObjectFiles({ name: 'web', secrets: [{ source: 'token', mode: '0999' }] }, project), /invalid mode "0999"/);
  assert.throws(() => inlineObjectFiles({ name: 'web', secrets: [{ source: 'token', uid: 'root' }] }, project), /invalid id "root"/);
});

test('targets: absolute as written, relative under the base directory', () => {
  assert.equal(fileObjectTarget('secrets', 'a', undefined), '/run/secrets/a');
  assert.equal(fileObjectTarget('secrets', 'a', 'b/c'), '/run/secrets/b/c');
  assert.equal(fileObjectTarget('configs', 'a', ''), '/a');
  assert.equal(fileObjectTarget('configs', 'a', '/etc/a'), '/etc/a');
});
