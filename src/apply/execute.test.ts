import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fakeEngine } from '../engine-client/fake.js';
import type { FakeAnswers } from '../engine-client/fake.js';
import type { Project } from '../model/types.js';
import type { ObservedContainer } from '../observe/observe.js';
import { PlanBuilder } from '../plan/builder.js';
import type { Plan } from '../plan/types.js';
import type { ProgressSink } from '../progress/events.js';
import { BerthError } from '../model/errors.js';
import { executePlan, failureError } from './execute.js';
import type { ApplyContext, OperationRecord } from './execute.js';

const project = {
  name: 'demo',
  workingDir: '/work/demo',
  configFiles: ['/work/demo/compose.yaml'],
  environment: {},
  services: { web: { name: 'web', image: 'busybox' }, db: { name: 'db', image: 'busybox' } },
  networks: { default: {} },
  volumes: { data: {} },
  secrets: {},
  configs: {},
  disabledServices: [],
  model: {},
} as unknown as Project;

const container = (service: string, id: string): ObservedContainer => ({
  id,
  name: `demo-${service}-1`,
  service,
  number: 1,
  oneoff: false,
  state: 'running',
  created: 1,
  configHash: 'old',
  imageDigest: '',
  labels: {},
  networks: {},
  mounts: [],
  image: 'busybox',
});

function run(plan: Plan, answers: FakeAnswers = {}, extra: Partial<ApplyContext> = {}) {
  const { engine, calls } = fakeEngine({ containers: { create: async (name: string) => ({ id: `id-of-${name}`, warnings: [] }) }, ...answers });
  const events: string[] = [];
  const notes: string[] = [];
  const records: OperationRecord[] = [];
  const sink: ProgressSink = { event: (event) => events.push(`${event.resource} ${event.status}${event.detail ? ` ${event.detail}` : ''}`), note: (line) => notes.push(line), close: () => {} };
  const result = executePlan(plan, { engine, project, sink, parallel: 0, version: '2.0.0', warn: (message) => notes.push(message), record: (entry) => records.push(entry), ...extra });
  return { result, calls, events, notes, records };
}

test('each operation goes to its handler once what it depends on is done, with its progress before and after', async () => {
  const plan = new PlanBuilder();
  const network = plan.add({ kind: 'create-network', resource: 'network:default', cause: 'not found', key: 'default', name: 'demo_default' });
  plan.add({ kind: 'create-container', resource: 'service:web:1', cause: 'no existing container', service: 'web', number: 1, name: 'demo-web-1' }, [network]);
  const { result, calls, events, records } = run(plan.build());
  assert.deepEqual((await result).failures, []);
  const body = JSON.parse(calls[0]!.slice('networks.create '.length)) as { Name: string; Labels: Record<string, string> };
  assert.equal(body.Name, 'demo_default');
  assert.equal(body.Labels['com.docker.compose.project'], 'demo');
  assert.match(calls[1]!, /^containers\.create demo-web-1 \{/);
  assert.deepEqual(events, ['Network demo_default Creating', 'Network demo_default Created', 'Container demo-web-1 Creating', 'Container demo-web-1 Created']);
  assert.deepEqual(
    records.map((record) => `${record.step} | ${record.operation}`),
    ['create network demo_default: not found | create-network: create network demo_default', 'create container demo-web-1: no existing container | create-container: create container demo-web-1'],
  );
});

test('a recreate is one progress line, and the rename acts on the container the create made', async () => {
  const old = container('web', 'old-id');
  const plan = new PlanBuilder();
  const group = 'recreate:web:1';
  const create = plan.add({ kind: 'create-container', resource: 'service:web:1', cause: 'configuration changed', service: 'web', number: 1, name: 'old-id_demo-web-1', replaces: old }, [], group);
  const stop = plan.add({ kind: 'stop-container', resource: 'service:web:1', cause: `replaced by #${create}`, container: old, timeout: 3 }, [create], group);
  const remove = plan.add({ kind: 'remove-container', resource: 'service:web:1', cause: `replaced by #${create}`, container: old, volumes: false }, [stop], group);
  plan.add({ kind: 'rename-container', resource: 'service:web:1', cause: 'finalize recreate', createNode: create, name: 'demo-web-1', service: 'web' }, [remove], group);
  const { result, calls, events, records } = run(plan.build(), {}, { observed: { containers: [old], images: {} } });
  assert.deepEqual((await result).failures, []);
  assert.deepEqual(calls.slice(1), ['containers.stop old-id 3', 'containers.remove old-id {"force":true,"volumes":false}', 'containers.rename id-of-old-id_demo-web-1 demo-web-1']);
  assert.deepEqual(events, ['Container demo-web-1 Recreate', 'Container demo-web-1 Recreated']);
  assert.deepEqual(new Set(records.map((record) => record.step)), new Set(['recreate container demo-web-1: configuration changed']));
});

test('a dry run reports and records every operation as a real run would, and never calls the engine', async () => {
  const plan = new PlanBuilder();
  const stop = plan.add({ kind: 'stop-container', resource: 'service:web:1', cause: 'down', container: container('web', 'w') });
  plan.add({ kind: 'remove-container', resource: 'service:web:1', cause: 'down', container: container('web', 'w'), volumes: true }, [stop]);
  const { result, calls, events, records } = run(plan.build(), {}, { dryRun: true });
  assert.deepEqual((await result).failures, []);
  assert.deepEqual(calls, []);
  assert.deepEqual(events, ['Container demo-web-1 Stopping', 'Container demo-web-1 Stopped', 'Container demo-web-1 Removing', 'Container demo-web-1 Removed']);
  assert.ok(records.length === 2 && records.every((record) => record.dryRun));
});

test('a failed operation says so on its line and stops what depends on it; the rest goes on', async () => {
  const plan = new PlanBuilder();
  const stop = plan.add({ kind: 'stop-container', resource: 'service:web:1', cause: 'down', container: container('web', 'w') });
  plan.add({ kind: 'remove-container', resource: 'service:web:1', cause: 'down', container: container('web', 'w'), volumes: false }, [stop]);
  plan.add({ kind: 'kill-container', resource: 'service:db:1', cause: 'requested', container: container('db', 'd'), signal: 'SIGTERM' });
  const { result, calls, events, records } = run(plan.build(), { containers: { stop: async () => Promise.reject(new Error('no such container')) } });
  const { failures } = await result;
  assert.deepEqual(failures.map((failure) => `${failure.resource}: ${failure.message}`), ['service:web:1: no such container']);
  assert.deepEqual(calls, ['containers.stop w', 'containers.kill d SIGTERM']);
  assert.ok(events.includes('Container demo-web-1 Error no such container'));
  assert.equal(records.find((record) => record.operation.startsWith('stop'))?.error, 'no such container');
});

test("a failed one-off hook is the command's error in compose's words, its service named once (no plan resource id)", async () => {
  const oneOff = { id: 'demo-web-run-0123456789ab', name: 'demo-web-run-0123456789ab', service: 'web', number: 1 };
  const plan = new PlanBuilder();
  plan.add({ kind: 'run-hook', resource: 'service:web:run', cause: 'started', container: oneOff, hook: 'post_start', index: 1, command: ['false'], environment: [], onFailure: 'fail' });
  const { result } = run(plan.build(), { containers: { exec: async () => ({ exitCode: 3, output: 'boom\n' }) } });
  assert.equal(failureError((await result).failures)?.message, 'service web: post_start hook #1 in container demo-web-run-0123456789ab exited with status 3:\nboom');
});

test("an engine's answer is named by the resource it was about, as compose names it; more failures are counted", async () => {
  const plan = new PlanBuilder();
  plan.add({ kind: 'stop-container', resource: 'service:web:1', cause: 'down', container: container('web', 'w') });
  plan.add({ kind: 'stop-container', resource: 'service:db:1', cause: 'down', container: container('db', 'd') });
  const gone = (id: string): BerthError => Object.assign(new BerthError(`No such container: ${id}`, { kind: 'not-found' }), { statusCode: 404 });
  const { result } = run(plan.build(), { containers: { stop: async (id: string) => Promise.reject(gone(id)) } });
  const error = failureError((await result).failures);
  assert.match(error?.message ?? '', /^Container demo-(web|db)-1: No such container: [wd] \(and 1 more failures\)$/);
  assert.equal(error?.kind, 'not-found');
  assert.equal(failureError([]), undefined);
});

test('with stopOnFailure the first failure stops the rest', async () => {
  const plan = new PlanBuilder();
  const wait = plan.add({ kind: 'wait-container', resource: 'service:db:1', cause: 'web depends on it', container: container('db', 'd'), condition: 'service_completed_successfully', required: true });
  plan.add({ kind: 'start-container', resource: 'service:web:1', cause: 'created, not running', container: container('web', 'w') }, [wait]);
  const { result, calls } = run(plan.build(), { containers: { wait: async () => 3 } }, { stopOnFailure: true });
  assert.match((await result).failures[0]!.message, /service "db" didn't complete successfully: exit 3/);
  assert.deepEqual(calls, ['containers.wait d not-running']);
});

test('what is allowed to fail is reported and does not fail the run: a pull that keeps its image, an image in use, an optional dependency', async () => {
  const plan = new PlanBuilder();
  plan.add({ kind: 'pull-image', resource: 'image:busybox', cause: 'pull_policy: always', service: 'web', reference: 'busybox', onFailure: { kind: 'warn' } });
  plan.add({ kind: 'remove-image', resource: 'image:demo-web', cause: 'down --rmi local', reference: 'demo-web' });
  plan.add({ kind: 'wait-container', resource: 'service:db:1', cause: 'web depends on it', container: container('db', 'd'), condition: 'service_completed_successfully', required: false });
  const { result, events, notes } = run(plan.build(), {
    images: { pull: async () => Promise.reject(new Error('registry unreachable')), remove: async () => Promise.reject(new Error('image is in use')) },
    containers: { wait: async () => 1 },
  });
  assert.deepEqual((await result).failures, []);
  assert.deepEqual(events.filter((event) => !/ing$/.test(event)).sort(), [
    'Container demo-db-1 Warning service "db" didn\'t complete successfully: exit 1',
    'Image busybox Warning registry unreachable',
    'Image demo-web Warning image is in use',
  ]);
  assert.deepEqual(notes, ['optional dependency db: service "db" didn\'t complete successfully: exit 1']);
});

test('the parallel limit bounds the operations in flight; builds and pulls go four at a time unless told', async () => {
  const inFlight = { now: 0, most: 0 };
  const slow = async (): Promise<void> => {
    inFlight.most = Math.max(inFlight.most, ++inFlight.now);
    await new Promise((resolve) => setImmediate(resolve));
    inFlight.now--;
  };
  const plan = new PlanBuilder();
  for (let i = 1; i <= 6; i++) plan.add({ kind: 'pull-image', resource: `image:i${i}`, cause: 'image not found', service: 'web', reference: `i${i}`, onFailure: { kind: 'fail' } });
  await run(plan.build(), { images: { pull: slow } }).result;
  assert.equal(inFlight.most, 4);
  inFlight.most = 0;
  await run(plan.build(), { images: { pull: slow } }, { parallel: 2 }).result;
  assert.equal(inFlight.most, 2);
});
