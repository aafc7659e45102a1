import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Project } from '../../model/types.js';
import { buildPlan } from './plan.js';

test('the plan names every service that builds, with its context, args, labels and tags', () => {
  const project = {
    name: 'demo',
    services: {
      web: { name: 'web', build: { context: '/src/web', args: { A: '1', UNSET: null }, tags: ['demo/web:v1'], target: 'final' } },
      db: { name: 'db', image: 'postgres' },
    },
  } as unknown as Project;
  const plan = buildPlan(project, ['db', 'web'], { buildArgs: { B: '2' }, noCache: true, version: '0.1.0' }) as { group: unknown; target: Record<string, Record<string, unknown>> };
  assert.deepEqual(plan.group, { default: { targets: ['web'] } });
  const web = plan.target.web!;
  assert.equal(web.context, '/src/web');
  assert.equal(web.dockerfile, 'Dockerfile');
  assert.deepEqual(web.args, { A: '1', B: '2' });
  assert.deepEqual(web.tags, ['demo-web', 'demo/web:v1']);
  assert.equal(web.target, 'final');
  assert.equal(web['no-cache'], true);
  assert.equal((web.labels as Record<string, string>)['com.docker.compose.service'], 'web');
});
