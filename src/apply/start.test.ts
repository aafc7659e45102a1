import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerDetails, ContainerState, ContainerSummary } from '../engine-client/containers.js';
import { fakeEngine } from '../engine-client/fake.js';
import type { Project } from '../model/types.js';
import type { ProgressSink } from '../progress/events.js';
import { waitCompleted, waitForServices, waitHealthy } from './start.js';

const state = (changes: Partial<ContainerState>): ContainerState => ({ status: 'running', running: true, exitCode: 0, startedAt: '', finishedAt: '', oomKilled: false, ...changes });

/** An engine whose inspect answers the given states in turn (the last one from then on). */
function inspecting(...states: Array<Partial<ContainerState> | undefined>) {
  let call = 0;
  return fakeEngine({
    containers: {
      inspect: async () => {
        const next = states[Math.min(call++, states.length - 1)];
        return next === undefined ? undefined : ({ state: state(next) } as ContainerDetails);
      },
      list: async () => [{ id: 'c1', name: 'demo-db-1', labels: { 'com.docker.compose.service': 'db', 'com.docker.compose.container-number': '1' } } as unknown as ContainerSummary],
    },
  });
}

const db = { id: 'c1', name: 'demo-db-1', service: 'db' };

test('waitHealthy: until the healthcheck says healthy', async () => {
  const { engine, calls } = inspecting({ health: 'starting' }, { health: 'healthy' });
  await waitHealthy(engine, db);
  assert.equal(calls.length, 2);
});

test('waitHealthy: unhealthy, exited, gone or without a healthcheck is an error naming the container', async () => {
  await assert.rejects(waitHealthy(inspecting({ health: 'unhealthy' }).engine, db), /container demo-db-1 is unhealthy/);
  await assert.rejects(waitHealthy(inspecting({ health: 'starting', running: false, status: 'exited', exitCode: 2 }).engine, db), /container demo-db-1 exited \(2\)/);
  await assert.rejects(waitHealthy(inspecting(undefined).engine, db), /container demo-db-1 has disappeared/);
  await assert.rejects(waitHealthy(inspecting({}).engine, db), /container demo-db-1 has no healthcheck configured/);
});

test('waitHealthy: an aborted wait is canceled', async () => {
  const controller = new AbortController();
  controller.abort();
  await assert.rejects(waitHealthy(inspecting({ health: 'starting' }).engine, db, controller.signal), (error: Error & { kind?: string }) => error.kind === 'canceled');
});

test('waitCompleted: exit 0 is done; any other exit code fails with compose\'s message', async () => {
  await waitCompleted(fakeEngine({ containers: { wait: async () => 0 } }).engine, db);
  await assert.rejects(waitCompleted(fakeEngine({ containers: { wait: async () => 3 } }).engine, db), /service "db" didn't complete successfully: exit 3/);
});

function sink(): { sink: ProgressSink; events: string[] } {
  const events: string[] = [];
  return { sink: { event: (event) => events.push(`${event.resource} ${event.status}`), note: () => {}, close: () => {} }, events };
}

const project = (dependsOn: Record<string, unknown> = {}) => ({ name: 'demo', services: { db: { name: 'db' }, web: { name: 'web', depends_on: dependsOn } } }) as unknown as Project;

test('--wait: running (healthy when it has a check) is ready; exiting is a failure unless another service waits for it to complete', async () => {
  const healthy = sink();
  await waitForServices({ engine: inspecting({ health: 'starting' }, { health: 'healthy' }).engine, project: project(), sink: healthy.sink }, ['db'], undefined);
  assert.deepEqual(healthy.events, ['Container demo-db-1 Waiting', 'Container demo-db-1 Healthy']);

  const exited = { running: false, status: 'exited', exitCode: 0 };
  await assert.rejects(waitForServices({ engine: inspecting(exited).engine, project: project(), sink: sink().sink }, ['db'], undefined), /container demo-db-1 exited \(0\)/);
  const completed = sink();
  await waitForServices({ engine: inspecting(exited).engine, project: project({ db: { condition: 'service_completed_successfully' } }), sink: completed.sink }, ['db'], undefined);
  assert.deepEqual(completed.events, ['Container demo-db-1 Waiting', 'Container demo-db-1 Exited']);
});

test('--wait-timeout: a service that never gets healthy fails the wait after that long', async () => {
  await assert.rejects(
    waitForServices({ engine: inspecting({ health: 'starting' }).engine, project: project(), sink: sink().sink }, ['db'], 1),
    /application not healthy after 1s/,
  );
});
