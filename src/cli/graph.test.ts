import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInMemory } from './run-in-memory.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/graph/${name}`, import.meta.url));

test('graph draws the tree by default and exits 0 without a cycle', async () => {
  const result = await runInMemory(['graph'], fixture('kinds'));
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /^app\n└── base \[build: additional_contexts\.base\]\n/);
  assert.equal(result.stderr, '');
});

test('graph on a project with a cycle prints it, names it on stderr and exits 1', async () => {
  const result = await runInMemory(['graph', '--format', 'mermaid'], fixture('cycle'));
  assert.equal(result.code, 1);
  assert.match(result.stdout, /^flowchart LR\n/);
  assert.equal(result.stderr, 'dependency cycle detected: a -> b -> a\ndependency cycle detected: c -> c\n');
});

test('graph SERVICE shows that service and what it needs; a bad format or service is refused', async () => {
  const result = await runInMemory(['graph', '--format', 'json', 'db'], fixture('kinds'));
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(JSON.parse(result.stdout).services.map((service: { name: string }) => service.name), ['db', 'net']);
  assert.equal((await runInMemory(['graph', '--format', 'svg'], fixture('kinds'))).stderr, 'invalid --format "svg": use tree, dot, mermaid, json\n');
  assert.equal((await runInMemory(['graph', 'nope'], fixture('kinds'))).stderr, 'no such service: nope\n');
});
