import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recoveryOf } from './recovery.js';
import type { ContainerFacts } from './recovery.js';

const facts = (overrides: Partial<ContainerFacts>): ContainerFacts => ({ recorded: 'running', halfCreated: false, runtime: undefined, exitRecorded: false, ...overrides });

test('a create that was never acknowledged is removed, whatever else is true', () => {
  assert.deepEqual(recoveryOf(facts({ halfCreated: true, recorded: 'created' })), { kind: 'remove-half-created' });
});

test('a running container the record knows keeps running with the same pid', () => {
  assert.deepEqual(recoveryOf(facts({ runtime: { status: 'running', pid: 42 } })), { kind: 'adopt', status: 'running', pid: 42 });
  assert.deepEqual(recoveryOf(facts({ recorded: 'paused', runtime: { status: 'running', pid: 42 } })), { kind: 'adopt', status: 'running', pid: 42 });
  assert.deepEqual(recoveryOf(facts({ runtime: { status: 'paused', pid: 42 } })), { kind: 'adopt', status: 'paused', pid: 42 });
});

test('a start that ran but was not recorded (engine killed after runc, before the write) is completed', () => {
  assert.deepEqual(recoveryOf(facts({ recorded: 'created', runtime: { status: 'running', pid: 7 } })), { kind: 'complete-start', status: 'running', pid: 7 });
  assert.deepEqual(recoveryOf(facts({ recorded: 'exited', runtime: { status: 'created', pid: 7 } })), { kind: 'complete-start', status: 'running', pid: 7 });
});

test('a recorded run that is over is finished; runc\'s leftover stopped state does not count as running', () => {
  assert.deepEqual(recoveryOf(facts({ exitRecorded: true })), { kind: 'finish' });
  assert.deepEqual(recoveryOf(facts({ runtime: { status: 'stopped', pid: 0 } })), { kind: 'finish' });
  assert.deepEqual(recoveryOf(facts({ runtime: { status: 'running', pid: 9 }, exitRecorded: true })), { kind: 'finish' });
});

test('a container that does not run stays stopped; one that ran and ended unseen is noticed', () => {
  assert.deepEqual(recoveryOf(facts({ recorded: 'exited', exitRecorded: true })), { kind: 'stopped', exitedWhileAway: false });
  assert.deepEqual(recoveryOf(facts({ recorded: 'created' })), { kind: 'stopped', exitedWhileAway: false });
  assert.deepEqual(recoveryOf(facts({ recorded: 'created', exitRecorded: true })), { kind: 'stopped', exitedWhileAway: true });
});
