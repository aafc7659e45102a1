import assert from 'node:assert/strict';
import { test } from 'node:test';
import { oneOffName, oneOffService, resolveMountSource } from './run.js';

const base = { command: [], environment: [], labels: {}, volumes: [], servicePorts: false, publish: [], capAdd: [], capDrop: [], tty: false, interactive: true };

test('a one-off: no restart, no scale, no ports unless asked, the overrides over the service', () => {
  const service = {
    name: 'web',
    command: ['serve'],
    restart: 'always',
    scale: 3,
    environment: { A: '1', B: null },
    ports: [{ target: 80 }],
    volumes: [{ type: 'volume' as const, source: 'data', target: '/data' }],
  };
  const plain = oneOffService(service, base);
  assert.equal(plain.restart, undefined);
  assert.equal(plain.scale, undefined);
  assert.deepEqual(plain.ports, []);
  assert.deepEqual(plain.command, ['serve']);
  const overridden = oneOffService(service, {
    ...base,
    command: ['sh'],
    entrypoint: ['/bin/x'],
    environment: ['A=2', 'C=x=y'],
    servicePorts: true,
    publish: [{ target: 81 }],
    volumes: [{ type: 'bind', source: '/h', target: '/data' }],
    tty: true,
  });
  assert.deepEqual(overridden.command, ['sh']);
  assert.deepEqual(overridden.entrypoint, ['/bin/x']);
  assert.deepEqual(overridden.environment, { A: '2', B: null, C: 'x=y' });
  assert.deepEqual(overridden.ports, [{ target: 80 }, { target: 81 }]);
  assert.deepEqual(overridden.volumes, [{ type: 'bind', source: '/h', target: '/data' }]);
  assert.equal(overridden['tty'], true);
});

test("names and relative -v sources", () => {
  assert.equal(oneOffName('p', 'web', 'abcdef0123456789ff'), 'p-web-run-abcdef012345');
  assert.equal(oneOffName('p', 'web', 'abcdef0123456789ff', '_'), 'p_web_run_abcdef012345');
  assert.deepEqual(resolveMountSource({ type: 'bind', source: './d', target: '/d' }, '/proj'), { type: 'bind', source: '/proj/d', target: '/d' });
  assert.deepEqual(resolveMountSource({ type: 'volume', source: 'd', target: '/d' }, '/proj'), { type: 'volume', source: 'd', target: '/d' });
});
