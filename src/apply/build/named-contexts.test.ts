import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Project } from '../../model/types.js';
import { namedContexts, substituteContexts } from './named-contexts.js';

test('service: and docker-image:// contexts become images in FROM and --from; stages of the file are left alone', () => {
  const images = new Map([
    ['base', 'demo-base'],
    ['tools', 'example/tools:1'],
  ]);
  const before = 'FROM base AS build\nCOPY --from=tools /bin/x /x\nFROM build\nCOPY --from=build /x /x\nFROM --platform=linux/amd64 tools\n';
  assert.equal(substituteContexts(before, images), 'FROM demo-base AS build\nCOPY --from=example/tools:1 /bin/x /x\nFROM build\nCOPY --from=build /x /x\nFROM --platform=linux/amd64 example/tools:1\n');
});

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
