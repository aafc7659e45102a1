import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Project, ServiceConfig } from '../model/types.js';
import { planImages } from './images.js';
import { planPull, planPush } from './pull-push.js';
import { renderPlanSteps } from './render.js';

const project = (services: Record<string, Partial<ServiceConfig>>): Project =>
  ({ name: 'demo', environment: {}, services: Object.fromEntries(Object.entries(services).map(([name, service]) => [name, { name, ...service }])), networks: {}, volumes: {} }) as unknown as Project;
const build = { context: '.' } as ServiceConfig['build'];

test('berth pull: one pull per image, the rest skipped with compose\'s reasons', () => {
  const { plan, skipped } = planPull(
    project({
      app: { build },
      api: { image: 'reg/api:1', build },
      db: { image: 'reg/db:1' },
      db2: { image: 'reg/db:1' },
      cache: { image: 'reg/cache:1', pull_policy: 'missing' },
      local: { image: 'reg/local:1', pull_policy: 'never' },
    }),
    { 'reg/cache:1': 'sha256:c' },
    { ignoreBuildable: true, ignoreFailures: false },
  );
  assert.deepEqual(renderPlanSteps(plan), ['pull image reg/db:1 for service db: berth pull']);
  assert.deepEqual(skipped, [
    { resource: 'Image reg/api:1', detail: 'Image can be built' },
    { resource: 'app', detail: 'No image to be pulled' },
    { resource: 'Image reg/cache:1', detail: 'Image is already present locally' },
    { resource: 'Image reg/local:1', detail: '' },
  ]);
  assert.deepEqual(plan.nodes[0]!.operation, { kind: 'pull-image', resource: 'image:reg/db:1', cause: 'berth pull', service: 'db', reference: 'reg/db:1', onFailure: { kind: 'fail' } });
});

test('berth pull --policy always --ignore-pull-failures: everything with an image, failures as warnings', () => {
  const { plan } = planPull(project({ cache: { image: 'reg/cache:1', pull_policy: 'never' } }), { 'reg/cache:1': 'x' }, { policy: 'always', ignoreBuildable: false, ignoreFailures: true });
  assert.deepEqual(plan.nodes.map((node) => node.operation), [
    { kind: 'pull-image', resource: 'image:reg/cache:1', cause: '--policy always', service: 'cache', reference: 'reg/cache:1', onFailure: { kind: 'warn' } },
  ]);
});

test('berth push: what is built here, each service\'s tags one after the other', () => {
  const { plan, skipped } = planPush(project({ app: { image: 'reg/app:1', build: { ...build, tags: ['reg/app:2'] } as ServiceConfig['build'] }, db: { image: 'reg/db:1' }, tool: { build } }), { ignoreFailures: false });
  assert.deepEqual(skipped.map((entry) => entry.resource), ['db', 'tool']);
  assert.deepEqual(
    plan.nodes.map((node) => [node.id, node.dependsOn, node.operation.kind === 'push-image' ? node.operation.reference : '']),
    [
      [1, [], 'reg/app:1'],
      [2, [1], 'reg/app:2'],
    ],
  );
});

test('up: a missing image with a build section is pulled first and built if the pull fails; never is an error', () => {
  const withBuild = planImages(project({ api: { image: 'reg/api:1', build } }), ['api'], {}, { build: 'missing', now: 0 });
  assert.deepEqual(withBuild.nodes[0]!.operation, {
    kind: 'pull-image',
    resource: 'image:reg/api:1',
    cause: 'image not on the engine (service api)',
    service: 'api',
    reference: 'reg/api:1',
    onFailure: { kind: 'build', flags: {} },
  });
  assert.throws(() => planImages(project({ db: { image: 'reg/db:1', pull_policy: 'never' } }), ['db'], {}, { build: 'missing', now: 0 }), /service db: No such image: reg\/db:1/);
  const daily = project({ db: { image: 'reg/db:1', pull_policy: 'daily' } });
  assert.equal(planImages(daily, ['db'], { 'reg/db:1': 'x' }, { build: 'missing', tagged: { 'reg/db:1': 1000 }, now: 2000 }).nodes.length, 0);
  assert.equal(planImages(daily, ['db'], { 'reg/db:1': 'x' }, { build: 'missing', tagged: { 'reg/db:1': 1000 }, now: 1000 + 25 * 3600e3 }).nodes.length, 1);
});

test('pulls are for the service\'s platform, else DOCKER_DEFAULT_PLATFORM', () => {
  const env = { ...project({ a: { image: 'reg/a:1' }, b: { image: 'reg/b:1', platform: 'linux/arm64' } }), environment: { DOCKER_DEFAULT_PLATFORM: 'linux/amd64' } };
  const { plan } = planPull(env, {}, { ignoreBuildable: false, ignoreFailures: false });
  assert.deepEqual(plan.nodes.map((node) => (node.operation.kind === 'pull-image' ? node.operation.platform : '')), ['linux/amd64', 'linux/arm64']);
});
