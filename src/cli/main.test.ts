import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runInMemory } from './run-in-memory.js';

const run = runInMemory;

test('version prints the version in the pretty, short and json forms', async () => {
  assert.match((await run(['version'])).stdout, /^berth version v\d+\.\d+\.\d+\n$/);
  assert.match((await run(['version', '--short'])).stdout, /^\d+\.\d+\.\d+\n$/);
  assert.match((await run(['version', '--format', 'json'])).stdout, /^\{"version":"v\d+\.\d+\.\d+"\}\n$/);
});

test('a bad --format is a clear error with a non-zero exit, not a stack trace', async () => {
  const result = await run(['version', '--format', 'xml']);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'invalid --format "xml": use pretty or json\n');
});

test('an unknown verb exits non-zero and names it', async () => {
  const result = await run(['frobnicate']);
  assert.notEqual(result.code, 0);
  assert.match(result.stderr, /unknown command 'frobnicate'/);
});

test('an invalid global flag value is refused', async () => {
  const result = await run(['--ansi', 'sometimes', 'version']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /invalid --ansi value "sometimes"/);
});
