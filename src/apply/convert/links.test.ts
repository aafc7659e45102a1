import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planContext } from './test-context.js';
import { containerLinks } from './links.js';

const ctx = planContext({
  containerName: 'shop-web-2',
  number: 2,
  containersByService: { db: [{ id: 'a', name: 'shop-db-1' }], web: [{ id: 'b', name: 'shop-web-1' }] },
});

test('each container of a linked service gets the alias, <service>-<n> and <project>-<service>-<n>', () => {
  assert.deepEqual(containerLinks({ name: 'web', links: ['db:database', 'cache'], external_links: ['redis_1', 'project_db_1:mysql'] }, ctx), [
    'shop-db-1:database',
    'shop-db-1:db-2',
    'shop-db-1:shop-db-2',
    'redis_1:redis_1',
    'project_db_1:mysql',
  ]);
});

test('a one-off container links to its own service\'s containers', () => {
  assert.deepEqual(containerLinks({ name: 'web' }, { ...ctx, labels: { 'com.docker.compose.oneoff': 'True' } }), [
    'shop-web-1:web',
    'shop-web-1:web-1',
    'shop-web-1:shop-web-1',
  ]);
});
