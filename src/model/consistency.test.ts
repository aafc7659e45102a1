import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from './errors.js';
import { checkConsistency } from './consistency.js';

const refused = (tree: object, message: string, path: string): void => {
  assert.throws(
    () => checkConsistency(tree as never),
    (error: unknown) => error instanceof BerthError && error.message === message && error.path?.join('.') === path,
  );
};

test('a complete project passes', () => {
  checkConsistency({
    services: {
      web: { container_name: 'w', networks: ['front', 'default'], volumes: ['data:/d', './src:/src', '/anon', { type: 'volume', source: 'data', target: '/e' }], secrets: ['token'] },
      db: { container_name: 'd', configs: [{ source: 'cfg' }] },
    },
    networks: { front: {} },
    volumes: { data: {} },
    secrets: { token: {} },
    configs: { cfg: {} },
  });
});

test('two services with one container_name are refused, naming both', () => {
  refused({ services: { a: { container_name: 'x' }, b: { container_name: 'x' } } }, 'services a and b use the same container_name "x"', 'services.b.container_name');
});

test('container_name with more than one replica is refused', () => {
  refused({ services: { a: { container_name: 'x', scale: 2 } } }, 'service "a" has container_name "x" and scale 2: a container name must be unique', 'services.a.container_name');
  refused({ services: { a: { container_name: 'x', deploy: { replicas: 3 } } } }, 'service "a" has container_name "x" and scale 3: a container name must be unique', 'services.a.container_name');
});

test('undefined networks, volumes, secrets and configs are refused by name', () => {
  refused({ services: { a: { networks: { back: null } } } }, 'service "a" refers to undefined network back', 'services.a.networks.back');
  refused({ services: { a: { volumes: ['data:/d'] } } }, 'service "a" refers to undefined volume data', 'services.a.volumes.0');
  refused({ services: { a: { secrets: ['s'] } } }, 'service "a" refers to undefined secret s', 'services.a.secrets.0');
  refused({ services: { a: { configs: [{ source: 'c' }] } } }, 'service "a" refers to undefined config c', 'services.a.configs.0');
});

test('network_mode together with networks is refused', () => {
  refused({ services: { a: { network_mode: 'host', networks: ['default'] } } }, 'service "a" declares both network_mode and networks', 'services.a.network_mode');
});
