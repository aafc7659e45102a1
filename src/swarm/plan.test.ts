import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceSpec, SwarmFileObject, SwarmService } from '../engine-client/swarm.js';
import type { SwarmStack } from './convert.js';
import { planDeploy, sameTaskTemplate, specDifferences } from './plan.js';
import type { ObservedStack } from './plan.js';
import { assess } from './wait.js';
import { describe } from './apply.js';

const spec = (name: string, env: string[], extra: Partial<ServiceSpec> = {}): ServiceSpec => ({
  Name: `shop_${name}`,
  Labels: { 'com.docker.stack.namespace': 'shop' },
  TaskTemplate: {
    ContainerSpec: { Image: 'r/web:1@sha256:aa', Env: env, Secrets: [{ File: { Name: 's', UID: '0', GID: '0', Mode: 292 }, SecretID: '', SecretName: 'shop_s-1' }] },
    Networks: [{ Target: 'shop_default', Aliases: [name] }],
  },
  Mode: { Replicated: { Replicas: 1 } },
  ...extra,
});

/** What a manager gives back for a spec it stored: ids for names, its own defaults filled in. */
const stored = (desired: ServiceSpec, id: string, version: number): SwarmService => ({
  id,
  version,
  ports: [],
  spec: {
    ...desired,
    TaskTemplate: {
      ...desired.TaskTemplate,
      ContainerSpec: { ...(desired.TaskTemplate.ContainerSpec as object), Isolation: 'default', Secrets: [{ File: { Name: 's', UID: '0', GID: '0', Mode: 292 }, SecretID: 'sec1', SecretName: 'shop_s-1' }] },
      Networks: (desired.TaskTemplate.Networks as Array<{ Target: string }>).map((network) => ({ ...network, Target: `id-${network.Target}` })),
      Resources: { Limits: {}, Reservations: {} },
      ForceUpdate: 0,
      Runtime: 'container',
    },
    EndpointSpec: { Mode: 'vip' },
  },
});

const stack = (services: Array<[string, ServiceSpec]>): SwarmStack => ({
  name: 'shop',
  networks: [{ key: 'default', name: 'shop_default', external: false, create: { Name: 'shop_default', Driver: 'overlay', Labels: {} } }],
  fileObjects: [{ kind: 'secrets', key: 's', name: 'shop_s-1', external: false, labels: { 'com.docker.stack.namespace': 'shop' }, data: Buffer.from('x') }],
  services: services.map(([key, value]) => ({ key, image: 'r/web:1', spec: value })),
  warnings: [],
});

const current: SwarmFileObject = { id: 'sec1', name: 'shop_s-1', labels: { 'com.docker.stack.namespace': 'shop' } };
const observed = (services: SwarmService[], secrets: SwarmFileObject[] = [current], otherServices: SwarmService[] = []): ObservedStack => ({
  services,
  otherServices,
  networks: new Map([['shop_default', 'id-shop_default']]),
  secrets,
  configs: [],
});

test('an unchanged stack plans nothing: the stored spec, with ids and manager defaults, equals the one converted', () => {
  const web = spec('web', ['A=1']);
  const plan = planDeploy(stack([['web', web]]), observed([stored(web, 'w1', 10)]), { prune: false });
  assert.deepEqual(plan.operations, []);
  assert.deepEqual(plan.unchanged, ['web']);
});

test('a changed service is the one updated, from the version it was read at, naming what changed', () => {
  const web = spec('web', ['A=1']);
  const api = spec('api', ['B=1']);
  const plan = planDeploy(stack([['web', web], ['api', spec('api', ['B=2'])]]), observed([stored(web, 'w1', 10), stored(api, 'a1', 12)]), { prune: false });
  assert.deepEqual(plan.unchanged, ['web']);
  assert.deepEqual(
    plan.operations.map((operation) => (operation.kind === 'update-service' ? [operation.kind, operation.id, operation.version, operation.changed] : [operation.kind])),
    [['update-service', 'a1', 12, ['TaskTemplate.ContainerSpec.Env']]],
  );
});

test('what is missing is created first; old secret versions and (with --prune) services gone from the file are removed last', () => {
  const web = spec('web', ['A=1']);
  const old = stored(spec('old', []), 'o1', 3);
  const secrets: SwarmFileObject[] = [
    { id: 'sec0', name: 'shop_s-0', labels: { 'com.docker.stack.namespace': 'shop' } },
    { id: 'other', name: 'corp', labels: {} },
  ];
  const plan = planDeploy(stack([['web', web]]), { ...observed([old], secrets), networks: new Map() }, { prune: true });
  assert.deepEqual(
    plan.operations.map((operation) => operation.kind),
    ['create-network', 'create-file-object', 'create-service', 'remove-service', 'remove-file-object'],
  );
  const kept = planDeploy(stack([['web', web]]), observed([{ ...old, spec: { ...old.spec, TaskTemplate: { ContainerSpec: { Secrets: [{ SecretName: 'shop_s-0' }] } } } }], [...secrets, current]), { prune: false });
  assert.deepEqual(kept.operations.map((operation) => operation.kind), ['create-service'], 'a secret a remaining service still uses is kept');
});

test('an external network or secret that is missing is an error naming it', () => {
  const web = spec('web', []);
  const withExternal: SwarmStack = { ...stack([['web', web]]), networks: [{ key: 'corp', name: 'corp-net', external: true }] };
  assert.throws(() => planDeploy(withExternal, observed([]), { prune: false }), /network "corp-net" is declared as external, but could not be found/);
});

test('differences are reported by path; empty values and manager defaults are no difference', () => {
  assert.deepEqual(specDifferences(spec('web', ['A=1'], { UpdateConfig: { Parallelism: 1 } }), spec('web', ['A=1'], { UpdateConfig: { Parallelism: 1, Delay: 0 }, EndpointSpec: { Mode: 'vip' } })), []);
  assert.deepEqual(specDifferences(spec('web', ['A=1'], { Mode: { Replicated: { Replicas: 2 } } }), spec('web', ['A=1'])), ['Mode.Replicated.Replicas']);
  assert.equal(sameTaskTemplate({ ContainerSpec: { Image: 'a', Isolation: 'default' }, ForceUpdate: 0 }, { ContainerSpec: { Image: 'a' }, Runtime: 'container', Resources: {} }), true);
  assert.equal(sameTaskTemplate({ ContainerSpec: { Image: 'a' } }, { ContainerSpec: { Image: 'b' } }), false);
});

test('--wait: converged when the wanted tasks of the current template run; an update rolled back is a failure with the task error', () => {
  const web = stored(spec('web', ['A=1']), 'w1', 2);
  const task = (id: string, state: string, template: unknown, extra: object = {}) => ({ id, serviceId: 'w1', desiredState: 'running', state, spec: template as Record<string, unknown>, ...extra });
  assert.deepEqual(assess({ name: 'shop_web' }, web, [task('t1', 'running', web.spec.TaskTemplate)]), { state: 'converged' });
  const oldTemplate = { ContainerSpec: { Image: 'r/web:0' } };
  assert.equal(assess({ name: 'shop_web' }, web, [task('t0', 'running', oldTemplate)]).state, 'pending', 'a task of the old template does not count');
  const rolledBack = { ...web, updateState: 'rollback_completed', updateMessage: 'update rolled back due to failure', updateStartedAt: 'now' };
  const failed = { id: 't2', serviceId: 'w1', desiredState: 'shutdown', state: 'failed', error: 'task: non-zero exit (1)', timestamp: '2026-01-01T00:00:00Z' };
  const verdict = assess({ name: 'shop_web', rolledFrom: { startedAt: 'before' } }, rolledBack, [failed]);
  assert.equal(verdict.state, 'failed');
  assert.match((verdict as { why: string }).why, /update rollback completed: update rolled back due to failure; last failed task t2: failed: task: non-zero exit \(1\)/);
  assert.equal(assess({ name: 'shop_web' }, undefined, []).state, 'failed');
});

const publishing = (port: number, mode = 'ingress'): Partial<ServiceSpec> => ({ EndpointSpec: { Mode: 'vip', Ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: port, PublishMode: mode }] } });
const otherStack = (port: number): SwarmService => ({
  id: 'o1',
  version: 3,
  spec: { Name: 'other_web', Labels: { 'com.docker.stack.namespace': 'other' }, TaskTemplate: {} },
  ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: port, PublishMode: 'ingress' }],
});

test('a port another stack publishes already is refused before anything is planned, naming the stack, service and port', () => {
  const web = spec('web', ['A=1'], publishing(8080));
  assert.throws(
    () => planDeploy(stack([['web', web]]), observed([], [], [otherStack(8080)]), { prune: false }),
    (error: Error & { kind?: string }) => {
      assert.equal(error.kind, 'conflict');
      assert.equal(error.message, 'port 8080/tcp of service "web" is already published by service other_web (of stack other)\nnothing was deployed: publish another port, or free it on the swarm first');
      return true;
    },
  );
});

test('two services of the deploy on one ingress port, or a lone service holding it, are refused too', () => {
  const lone: SwarmService = { ...otherStack(9000), spec: { Name: 'lonely', TaskTemplate: {} } };
  assert.throws(() => planDeploy(stack([['web', spec('web', [], publishing(9000))]]), observed([], [], [lone]), { prune: false }), /port 9000\/tcp of service "web" is already published by service lonely \(which is in no stack\)/);
  assert.throws(() => planDeploy(stack([['api', spec('api', [], publishing(7000))], ['web', spec('web', [], publishing(7000, 'host'))]]), observed([]), { prune: false }), /port 7000\/tcp of service "web" is already published by service shop_api \(of stack shop\)/);
  const gone: SwarmService = { ...otherStack(6000), spec: { Name: 'shop_old', Labels: { 'com.docker.stack.namespace': 'shop' }, TaskTemplate: {} } };
  assert.throws(
    () => planDeploy(stack([['web', spec('web', [], publishing(6000))]]), observed([gone]), { prune: true }),
    /port 6000\/tcp of service "web" is already published by service shop_old \(of this stack, no longer in the compose file: remove it first, docker service rm shop_old\)/,
  );
});

test('ports that do not clash pass: the same service keeping its port, other numbers, udp beside tcp, host mode beside host mode', () => {
  const web = spec('web', ['A=1'], publishing(8080));
  const keeps: SwarmService = { ...stored(web, 'w1', 10), ports: [{ Protocol: 'tcp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }] };
  assert.doesNotThrow(() => planDeploy(stack([['web', web]]), observed([keeps], [current], [otherStack(8081)]), { prune: false }));
  const udp: SwarmService = { ...otherStack(8080), ports: [{ Protocol: 'udp', TargetPort: 80, PublishedPort: 8080, PublishMode: 'ingress' }] };
  assert.doesNotThrow(() => planDeploy(stack([['web', web]]), observed([], [current], [udp]), { prune: false }));
  const hostA = spec('a', [], publishing(7000, 'host'));
  const hostB = spec('b', [], publishing(7000, 'host'));
  assert.doesNotThrow(() => planDeploy(stack([['a', hostA], ['b', hostB]]), observed([]), { prune: false }));
});

test('a secret whose content changed is a new version beside the old one: created first, said so, the old one removed last', () => {
  const web = spec('web', ['A=1']);
  const v1: SwarmFileObject = { id: 'sec1', name: 'shop_token-aaaaaaaaaaaa', labels: { 'com.docker.stack.namespace': 'shop' } };
  const changed: SwarmStack = {
    ...stack([['web', web]]),
    fileObjects: [{ kind: 'secrets', key: 'token', name: 'shop_token-bbbbbbbbbbbb', external: false, labels: { 'com.docker.stack.namespace': 'shop' }, data: Buffer.from('new') }],
  };
  const plan = planDeploy(changed, observed([], [v1]), { prune: false });
  assert.deepEqual(
    plan.operations.map((operation) => describe(operation)),
    [
      'Creating secret shop_token-bbbbbbbbbbbb (the content of "token" changed: it replaces shop_token-aaaaaaaaaaaa, and the services using it roll onto it)',
      'Creating service shop_web',
      'Removing secret shop_token-aaaaaaaaaaaa',
    ],
  );
});
