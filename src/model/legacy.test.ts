import { test } from 'node:test';
import assert from 'node:assert/strict';
import { upgradeLegacyLayout } from './legacy.js';

test('a v1 file (services at the top level) loads as services, with a deprecation warning', () => {
  const warnings: string[] = [];
  const tree = upgradeLegacyLayout(
    { coffee: { build: './coffee', expose: [3000], ports: ['0:3000'], links: ['db:db'] }, db: { volumes_from: ['dbstate'] }, 'x-a': 1 },
    'docker-compose.yml',
    (m) => warnings.push(m),
  );
  assert.deepEqual(tree, {
    'x-a': 1,
    services: {
      coffee: { build: './coffee', expose: [3000], ports: ['0:3000'], links: ['db:db'], network_mode: 'bridge' },
      db: { volumes_from: ['dbstate'], network_mode: 'bridge' },
    },
  });
  assert.equal(warnings.length, 1);
  assert.match(warnings[0]!, /docker-compose\.yml: services defined at the top level/);
});

test('version is dropped with compose\'s warning; a modern file is otherwise untouched', () => {
  const warnings: string[] = [];
  const tree = upgradeLegacyLayout({ version: '2', services: { web: {} } }, 'c.yml', (m) => warnings.push(m));
  assert.deepEqual(tree, { services: { web: {} } });
  assert.deepEqual(warnings, ['c.yml: the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion']);
});

test('a file with only spec keys (networks, include, name) is not mistaken for a v1 file', () => {
  const warnings: string[] = [];
  const input = { name: 'p', networks: { a: {} }, volumes: {}, include: ['x.yml'] };
  assert.deepEqual(upgradeLegacyLayout(input, 'c.yml', (m) => warnings.push(m)), input);
  assert.deepEqual(warnings, []);
});

test("a v1 service runs on the default bridge (legacy links give their variables there) unless it names its network mode", () => {
  const tree = upgradeLegacyLayout({ web: { links: ['db'] }, db: {}, host: { network_mode: 'host' } }, 'c.yml', () => {});
  assert.deepEqual(tree.services, { web: { links: ['db'], network_mode: 'bridge' }, db: { network_mode: 'bridge' }, host: { network_mode: 'host' } });
});

test("a v1 service's `net:` is its network mode, as docker-compose 1.x reads it: container:SERVICE means that service", () => {
  const tree = upgradeLegacyLayout(
    { app: { net: 'host' }, db: {}, sidecar: { net: 'container:db' }, other: { net: 'container:elsewhere' }, none: { net: 'none' } },
    'c.yml',
    () => {},
  );
  assert.deepEqual(tree.services, {
    app: { network_mode: 'host' },
    db: { network_mode: 'bridge' },
    sidecar: { network_mode: 'service:db' },
    other: { network_mode: 'container:elsewhere' },
    none: { network_mode: 'none' },
  });
});
