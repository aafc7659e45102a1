import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Project } from '../model/types.js';
import { namedContexts } from './named-contexts.js';

test('named contexts: service references order builds; directories cannot reach the classic builder', () => {
  const project = {
    name: 'demo',
    services: {
      base: { name: 'base', build: { context: '/b' } },
      app: { name: 'app', build: { context: '/a', additional_contexts: { b: 'service:base', i: 'docker-image://busybox', d: '/a/dir' } } },
    },
  } as unknown as Project;
  const named = namedContexts(project, project.services.app!);
  assert.deepEqual([...named.images], [['b', 'demo-base'], ['i', 'busybox']]);
  assert.deepEqual(named.services, ['base']);
  assert.deepEqual([...named.unsupported], [['d', '/a/dir']]);
  assert.throws(() => namedContexts({ ...project, services: { app: project.services.app! } } as unknown as Project, project.services.app!), /no such service: base/);
});
