import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adaptToOneEngine } from './stack-file.js';
import type { Project } from './types.js';

const project = (parts: Partial<Project>): Project =>
  ({ name: 'p', workingDir: '/w', configFiles: [], environment: {}, services: {}, networks: {}, volumes: {}, secrets: {}, configs: {}, disabledServices: [], model: {}, ...parts }) as Project;

test('overlay networks become bridge networks, named in one warning; external and other networks stay as written', () => {
  const { project: adapted, warnings } = adaptToOneEngine(project({
    networks: {
      front: { driver: 'overlay' },
      payment: { driver: 'overlay', driver_opts: { encrypted: 'yes' }, attachable: true },
      shared: { driver: 'overlay', external: true },
      local: { driver: 'bridge', driver_opts: { 'com.docker.network.bridge.name': 'x' } },
    },
  }));
  assert.deepEqual(adapted.networks, {
    front: { driver: 'bridge' },
    payment: { driver: 'bridge', attachable: true },
    shared: { driver: 'overlay', external: true },
    local: { driver: 'bridge', driver_opts: { 'com.docker.network.bridge.name': 'x' } },
  });
  assert.deepEqual(warnings, ['networks front, payment use the overlay driver, which needs a swarm manager: created as bridge networks on this engine (their driver_opts are ignored)']);
});

test('swarm-only deploy keys are dropped with one warning per key for all services; replicas and resources stay', () => {
  const { project: adapted, warnings } = adaptToOneEngine(project({
    services: {
      web: { name: 'web', deploy: { replicas: 2, placement: { constraints: ['node.role == worker'] }, update_config: { parallelism: 2 }, resources: { limits: { memory: '1' } } } },
      api: { name: 'api', deploy: { placement: { constraints: [] }, endpoint_mode: 'dnsrr' } },
      db: { name: 'db', image: 'postgres' },
    },
  }));
  assert.deepEqual(adapted.services.web!.deploy, { replicas: 2, resources: { limits: { memory: '1' } } });
  assert.deepEqual(adapted.services.api!.deploy, {});
  assert.equal(adapted.services.db!.deploy, undefined);
  assert.deepEqual(warnings, [
    'deploy.endpoint_mode is a swarm setting, ignored on an engine that is not a swarm manager (services api)',
    'deploy.placement is a swarm setting, ignored on an engine that is not a swarm manager (services api, web)',
    'deploy.update_config is a swarm setting, ignored on an engine that is not a swarm manager (services web)',
  ]);
});

test('a plain compose project comes back unchanged, without warnings', () => {
  const plain = project({ services: { web: { name: 'web', deploy: { replicas: 3 } } }, networks: { default: { name: 'p_default' } } });
  assert.deepEqual(adaptToOneEngine(plain), { project: plain, warnings: [] });
});
