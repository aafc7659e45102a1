import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Project } from '../model/types.js';
import { planContainerAction } from './lifecycle.js';
import { renderPlanGraph, renderPlanSteps } from './render.js';
import { planStart } from './start.js';

const services = {
  db: {
    name: 'db',
    post_start: [
      { command: ['sh', '-c', 'echo ready > /ready'], user: 'root', environment: { MODE: 'init', UNSET: null } },
      { command: ['touch', '/second'], working_dir: '/tmp', privileged: true },
    ],
    pre_stop: [{ command: ['sh', '-c', 'echo bye'] }],
  },
  web: { name: 'web', depends_on: { db: { condition: 'service_started', required: true } } },
} as unknown as Project['services'];

const container = (service: string, state: string) => ({ id: `${service}-id`, name: `demo-${service}-1`, service, number: 1, state });

test('post_start hooks run one after the other after the start, and dependents wait for them', () => {
  const plan = planStart({ services }, [container('db', 'created'), container('web', 'created')]);
  assert.deepEqual(renderPlanGraph(plan), [
    '#1 [] start-container service:db:1 demo-db-1: created, not running',
    '#2 [1] run-hook service:db:1 demo-db-1 hook=post_start#1 user=root env=MODE: started',
    '#3 [2] run-hook service:db:1 demo-db-1 hook=post_start#2 privileged workdir=/tmp: started',
    '#4 [3] start-container service:web:1 demo-web-1: created, not running',
  ]);
  const hook = plan.nodes[1]!.operation;
  assert.equal(hook.kind, 'run-hook');
  if (hook.kind === 'run-hook') assert.deepEqual(hook.environment, ['MODE=init']);
  assert.deepEqual(renderPlanSteps(plan).slice(1, 3), [
    'run post_start hook #1 in container demo-db-1: sh -c echo ready > /ready: started',
    'run post_start hook #2 in container demo-db-1: touch /second: started',
  ]);
});

test('a running container has its pre_stop hooks run before its stop; a stopped one does not', () => {
  const running = planContainerAction({ services }, [container('db', 'running'), container('web', 'running')], 'stop');
  assert.deepEqual(renderPlanGraph(running), [
    '#1 [] stop-container service:web:1 demo-web-1: requested',
    '#2 [1] run-hook service:db:1 demo-db-1 hook=pre_stop#1 on-failure=warn: stopping',
    '#3 [2] stop-container service:db:1 demo-db-1: requested',
  ]);
  const paused = planContainerAction({ services }, [container('db', 'paused')], 'stop');
  assert.deepEqual(renderPlanGraph(paused), ['#1 [] stop-container service:db:1 demo-db-1: requested']);
});

test('a restart runs the post_start hooks again', () => {
  const plan = planContainerAction({ services }, [container('db', 'running')], 'restart');
  assert.deepEqual(
    plan.nodes.map((node) => node.operation.kind),
    ['restart-container', 'run-hook', 'run-hook'],
  );
});
