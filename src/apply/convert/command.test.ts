import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertCommand } from './command.js';

test('absent or null command and entrypoint keep the image defaults', () => {
  assert.deepEqual(convertCommand({ name: 'web' }), { config: {} });
  assert.deepEqual(convertCommand({ name: 'web', command: null, entrypoint: null }), { config: {} });
});

test('an empty list clears, a list replaces', () => {
  assert.deepEqual(convertCommand({ name: 'web', command: ['bundle', 'exec', 'thin'], entrypoint: [] }), {
    config: { Cmd: ['bundle', 'exec', 'thin'], Entrypoint: [] },
  });
});

test('a command still in shell-string form is refused: splitting it is the model\'s job', () => {
  assert.throws(() => convertCommand({ name: 'web', command: 'npm start' as unknown as string[] }), /expected a list of strings/);
});
