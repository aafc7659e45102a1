import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChangeBatcher, DEFAULT_QUIET_MS, quietPeriod } from './batch.js';

test('events become one batch once the quiet period passes with none: each path once, its last state winning', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const batches: Array<Record<string, boolean>> = [];
  const batcher = new ChangeBatcher(50, (changes) => batches.push(Object.fromEntries(changes)));
  batcher.add('src/a.txt', true);
  t.mock.timers.tick(40);
  batcher.add('src/b.txt', true);
  t.mock.timers.tick(40);
  batcher.add('src/a.txt', false);
  t.mock.timers.tick(49);
  assert.deepEqual(batches, [], 'every event starts the quiet period again');
  t.mock.timers.tick(1);
  assert.deepEqual(batches, [{ 'src/a.txt': false, 'src/b.txt': true }]);
  batcher.add('src/c.txt', true);
  t.mock.timers.tick(50);
  assert.deepEqual(batches[1], { 'src/c.txt': true }, 'a later event starts a new batch');
  assert.equal(batches.length, 2);
});

test('stop drops what is pending: nothing is handed on after it', (t) => {
  t.mock.timers.enable({ apis: ['setTimeout'] });
  const batches: unknown[] = [];
  const batcher = new ChangeBatcher(50, (changes) => batches.push(changes));
  batcher.add('a', true);
  batcher.stop();
  t.mock.timers.tick(1000);
  assert.deepEqual(batches, []);
});

test('the quiet period comes from BERTH_WATCH_QUIET_MS, within bounds, or is the default', () => {
  assert.equal(quietPeriod({}), DEFAULT_QUIET_MS);
  assert.equal(quietPeriod({ BERTH_WATCH_QUIET_MS: '' }), DEFAULT_QUIET_MS);
  assert.equal(quietPeriod({ BERTH_WATCH_QUIET_MS: '0' }), 0);
  assert.equal(quietPeriod({ BERTH_WATCH_QUIET_MS: '250' }), 250);
  for (const bad of ['-1', '1.5', 'soon', '60001', '1e9']) {
    assert.throws(() => quietPeriod({ BERTH_WATCH_QUIET_MS: bad }), new RegExp(`BERTH_WATCH_QUIET_MS must be a number of milliseconds \\(0-60000\\), not "${bad.replace('.', '\\.')}"`), bad);
  }
});
