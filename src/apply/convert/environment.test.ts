import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertEnvironment } from './environment.js';

test('environment becomes sorted KEY=VALUE lines; an unresolved variable is sent bare, as compose does', () => {
  assert.deepEqual(convertEnvironment({ name: 'web', environment: { ZED: 'z', A: '', 'ENV.WITH.DOT': 'ok', UNSET: null } }), {
    config: { Env: ['A=', 'ENV.WITH.DOT=ok', 'UNSET', 'ZED=z'] },
  });
});

test('no environment, no Env', () => {
  assert.deepEqual(convertEnvironment({ name: 'web' }), {});
  assert.deepEqual(convertEnvironment({ name: 'web', environment: {} }), {});
});
