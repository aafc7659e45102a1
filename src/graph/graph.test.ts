import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from '../model/errors.js';
import { buildGraph } from '../model/dependencies.js';
import { dependencyOrder, withDependencies, withDependents } from './graph.js';

const services = {
  web: { depends_on: { api: { condition: 'service_healthy', required: true, restart: true } } },
  api: { links: ['db:database'], volumes_from: ['data:ro', 'container:other'] },
  db: { network_mode: 'service:net' },
  net: {},
  data: {},
};

test('edges come from depends_on, links, namespaces and volumes_from, with depends_on details kept', () => {
  const graph = buildGraph(services);
  assert.deepEqual([...graph.nodes.get('api')!.dependencies.keys()].sort(), ['data', 'db']);
  assert.deepEqual(graph.nodes.get('web')!.dependencies.get('api'), {
    kind: 'depends_on',
    condition: 'service_healthy',
    required: true,
    restart: true,
  });
  assert.deepEqual([...graph.nodes.get('net')!.dependents], ['db']);
});

test('the input is not changed', () => {
  const copy = structuredClone(services);
  buildGraph(services);
  assert.deepEqual(services, copy);
});

test('dependency order puts every service after what it needs, ties by name', () => {
  assert.deepEqual(dependencyOrder(buildGraph(services)), ['data', 'net', 'db', 'api', 'web']);
});

test('closures over dependencies and dependents', () => {
  const graph = buildGraph(services);
  assert.deepEqual(withDependencies(graph, ['api']), ['api', 'data', 'db', 'net']);
  assert.deepEqual(withDependents(graph, ['net']), ['api', 'db', 'net', 'web']);
  assert.throws(() => withDependencies(graph, ['nope']), /no such service: nope/);
});

test('a cycle is an error that prints its path', () => {
  assert.throws(
    () => buildGraph({ a: { depends_on: { b: {} } }, b: { links: ['c'] }, c: { depends_on: { a: {} } } }),
    (error: unknown) => error instanceof BerthError && error.message === 'dependency cycle detected: a -> b -> c -> a',
  );
  assert.throws(() => buildGraph({ a: { depends_on: { a: {} } } }), /dependency cycle detected: a -> a/);
});

test('an unknown dependency is an error naming both services and the path; an optional one is dropped', () => {
  assert.throws(
    () => buildGraph({ web: { depends_on: { db: { required: true } } } }),
    (error: unknown) =>
      error instanceof BerthError &&
      error.describe() === 'services.web.depends_on.db: service "web" depends on undefined service "db"',
  );
  const graph = buildGraph({ web: { depends_on: { db: { required: false } } } });
  assert.equal(graph.nodes.get('web')!.dependencies.size, 0);
});
