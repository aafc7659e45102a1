import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ObservedContainer } from '../observe/observe.js';
import { PlanBuilder } from './builder.js';
import { containersAfter } from './predict.js';
import type { ContainerRef } from './types.js';

const observed = (service: string, number: number, state: string, extra: Partial<ObservedContainer> = {}): ObservedContainer =>
  ({ id: `id-${service}-${number}`, name: `demo-${service}-${number}`, service, number, state, oneoff: false, ...extra }) as ObservedContainer;
const ref = ({ id, name, service, number }: ObservedContainer): ContainerRef => ({ id, name, service, number });

test('with an empty plan the next stage sees the containers as they are, one-offs left out, sorted by name', () => {
  const after = containersAfter([observed('web', 1, 'exited'), observed('db', 1, 'running'), observed('web', 2, 'running', { oneoff: true })], new PlanBuilder().build());
  assert.deepEqual(after, [
    { id: 'id-db-1', name: 'demo-db-1', service: 'db', number: 1, state: 'running' },
    { id: 'id-web-1', name: 'demo-web-1', service: 'web', number: 1, state: 'exited' },
  ]);
});

test('a recreate as planned: the old container gone, the new one known by its final name, created (not yet started)', () => {
  const old = observed('web', 1, 'running');
  const plan = new PlanBuilder();
  const create = plan.add({ kind: 'create-container', resource: 'service:web:1', cause: 'configuration changed', service: 'web', number: 1, name: 'abc123_demo-web-1', replaces: ref(old) });
  const stop = plan.add({ kind: 'stop-container', resource: 'service:web:1', cause: 'replaced', container: ref(old) }, [create]);
  const remove = plan.add({ kind: 'remove-container', resource: 'service:web:1', cause: 'replaced', container: ref(old), volumes: false }, [stop]);
  plan.add({ kind: 'rename-container', resource: 'service:web:1', cause: 'replaced', createNode: create, name: 'demo-web-1', service: 'web' }, [remove]);
  assert.deepEqual(containersAfter([old], plan.build()), [{ id: 'demo-web-1', name: 'demo-web-1', service: 'web', number: 1, state: 'created' }]);
});

test('stops, kills, starts, unpauses and restarts change the state the next stage plans from; unknown containers are not invented', () => {
  const web = observed('web', 1, 'running');
  const db = observed('db', 1, 'exited');
  const cache = observed('cache', 1, 'paused');
  const plan = new PlanBuilder();
  plan.add({ kind: 'stop-container', resource: 'service:web:1', cause: 'stop', container: ref(web) });
  plan.add({ kind: 'start-container', resource: 'service:db:1', cause: 'exited, not running', container: ref(db) });
  plan.add({ kind: 'unpause-container', resource: 'service:cache:1', cause: 'unpause', container: ref(cache) });
  plan.add({ kind: 'start-container', resource: 'service:gone:1', cause: 'exited, not running', container: { id: 'nowhere', name: 'demo-gone-1', service: 'gone', number: 1 } });
  assert.deepEqual(
    containersAfter([web, db, cache], plan.build()).map(({ name, state }) => `${name} ${state}`),
    ['demo-cache-1 running', 'demo-db-1 running', 'demo-web-1 exited'],
  );
});
