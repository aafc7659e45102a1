import assert from 'node:assert/strict';
import { test } from 'node:test';
import { restartAfterExit, restartsWithEngine } from './restart-policy.js';
import type { Exit } from './restart-policy.js';

const exit = (overrides: Partial<Exit>): Exit => ({ policy: { Name: 'always' }, exitCode: 1, ranMs: 50, restartCount: 0, manuallyStopped: false, previousDelayMs: undefined, ...overrides });

test('no policy, "no", or a stop by a client: no restart', () => {
  assert.deepEqual(restartAfterExit(exit({ policy: null })), { restart: false });
  assert.deepEqual(restartAfterExit(exit({ policy: { Name: 'no' } })), { restart: false });
  assert.deepEqual(restartAfterExit(exit({ manuallyStopped: true })), { restart: false });
});

test('on-failure restarts only failures, up to the maximum retry count', () => {
  assert.deepEqual(restartAfterExit(exit({ policy: { Name: 'on-failure' }, exitCode: 0 })), { restart: false });
  assert.deepEqual(restartAfterExit(exit({ policy: { Name: 'on-failure' }, exitCode: 2 })), { restart: true, delayMs: 100 });
  assert.deepEqual(restartAfterExit(exit({ policy: { Name: 'on-failure', MaximumRetryCount: 3 }, restartCount: 3 })), { restart: false });
  assert.deepEqual(restartAfterExit(exit({ policy: { Name: 'on-failure', MaximumRetryCount: 3 }, restartCount: 2 })), { restart: true, delayMs: 100 });
});

test('the delay doubles from 100 ms up to a minute, and starts over after a run of 10 seconds', () => {
  assert.deepEqual(restartAfterExit(exit({ previousDelayMs: 100 })), { restart: true, delayMs: 200 });
  assert.deepEqual(restartAfterExit(exit({ previousDelayMs: 40_000 })), { restart: true, delayMs: 60_000 });
  assert.deepEqual(restartAfterExit(exit({ previousDelayMs: 60_000, ranMs: 10_000 })), { restart: true, delayMs: 100 });
});

test('with the engine: always, and unless-stopped unless stopped by hand', () => {
  assert.equal(restartsWithEngine({ Name: 'always' }, true), true);
  assert.equal(restartsWithEngine({ Name: 'unless-stopped' }, false), true);
  assert.equal(restartsWithEngine({ Name: 'unless-stopped' }, true), false);
  assert.equal(restartsWithEngine({ Name: 'on-failure' }, false), false);
  assert.equal(restartsWithEngine(undefined, false), false);
});
