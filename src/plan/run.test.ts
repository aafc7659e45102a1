import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderPlanGraph } from './render.js';
import { oneOffName, oneOffService, planOneOff, resolveMountSource } from './run.js';

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

test('the one-off plan: create, start attached, post_start hooks after the start, wait, --rm; -d stops at the hooks', () => {
  const config = { name: 'web', command: ['sh'], post_start: [{ command: ['touch', '/x'], user: 'root' }] };
  const attached = planOneOff({ config, name: 'p-web-run-1', slug: 's', detach: false, autoRemove: true, interactive: true, useAliases: false });
  assert.deepEqual(renderPlanGraph(attached), [
    '#1 [] create-one-off service:web:run p-web-run-1 command=["sh"] rm interactive: berth run',
    '#2 [1] start-one-off service:web:run p-web-run-1: berth run',
    '#3 [2] run-hook service:web:run p-web-run-1 hook=post_start#1 user=root: started',
    "#4 [2] wait-one-off service:web:run p-web-run-1: its exit code is the command's",
    '#5 [3 4] remove-one-off service:web:run p-web-run-1: --rm',
  ]);
  const detached = planOneOff({ config: { name: 'web' }, name: 'n', slug: 's', detach: true, autoRemove: false, interactive: false, useAliases: true });
  assert.deepEqual(renderPlanGraph(detached), ['#1 [] create-one-off service:web:run n use-aliases: berth run', '#2 [1] start-one-off service:web:run n: berth run -d']);
});
