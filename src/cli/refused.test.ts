import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInMemory } from './run-in-memory.js';

// `docker compose --help` (v5), every verb.
const COMPOSE_V5_VERBS = [
  'attach', 'bridge', 'build', 'commit', 'config', 'cp', 'create', 'down', 'events', 'exec', 'export', 'images', 'kill', 'logs', 'ls',
  'pause', 'port', 'ps', 'publish', 'pull', 'push', 'restart', 'rm', 'run', 'scale', 'start', 'stats', 'stop', 'top', 'unpause', 'up',
  'version', 'volumes', 'wait', 'watch', 'alpha',
];

test('every verb of docker compose is a berth verb, implemented or refused by name', async () => {
  const help = (await runInMemory(['--help'])).stdout;
  const listed = new Set([...help.matchAll(/^ {2}([a-z]+)/gm)].map((match) => match[1]));
  for (const verb of COMPOSE_V5_VERBS) assert.ok(listed.has(verb), `${verb} in berth --help`);
});

test('a refused verb says so and exits 1, whatever its flags', async () => {
  const result = await runInMemory(['publish', '--with-env', 'registry/app:1']);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, '"publish" is not supported by berth (docker compose publish: publish compose application)\n');
});
