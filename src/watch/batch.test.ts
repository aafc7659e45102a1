import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { ChangeBatcher, DEFAULT_QUIET_MS, quietPeriod } from './batch.js';

/** A batcher on mocked timers and clock (Date.now, advanced by tick), and the batches it handed on. */
function batcherOnMockTime(t: TestContext, quietMs = 50): { batcher: ChangeBatcher; batches: Array<Record<string, boolean>> } {
  t.mock.timers.enable({ apis: ['setTimeout', 'setImmediate', 'Date'] });
  const batches: Array<Record<string, boolean>> = [];
  const batcher = new ChangeBatcher(quietMs, (changes) => batches.push(Object.fromEntries(changes)), () => Date.now());
  return { batcher, batches };
}

test('the first event after a quiet time goes out at once, with the events of the same turn, each path once', (t) => {
  const { batcher, batches } = batcherOnMockTime(t);
  batcher.add('src/a.txt', true);
  batcher.add('src/b.txt', true);
  batcher.add('src/a.txt', false);
  assert.deepEqual(batches, [], 'not before the events of this turn are in');
  t.mock.timers.tick(0);
  assert.deepEqual(batches, [{ 'src/a.txt': false, 'src/b.txt': true }], 'its last state wins');
});

test('events soon after a batch wait until none has come for the quiet period, then go as one batch', (t) => {
  const { batcher, batches } = batcherOnMockTime(t);
  batcher.add('a', true);
  t.mock.timers.tick(0);
  t.mock.timers.tick(10);
  batcher.add('b', true);
  t.mock.timers.tick(40);
  batcher.add('c', true);
  t.mock.timers.tick(49);
  assert.equal(batches.length, 1, 'every event starts the quiet period again');
  t.mock.timers.tick(1);
  assert.deepEqual(batches[1], { b: true, c: true });
  t.mock.timers.tick(50);
  batcher.add('d', true);
  t.mock.timers.tick(0);
  assert.deepEqual(batches[2], { d: true }, 'after a quiet period the next event goes out at once again');
  assert.equal(batches.length, 3);
});

test('a stream of events that never falls quiet still goes out, every 250 ms (or five quiet periods) at most', (t) => {
  const { batcher, batches } = batcherOnMockTime(t);
  batcher.add('first', true);
  t.mock.timers.tick(0);
  for (let ms = 10; ms <= 600; ms += 10) {
    t.mock.timers.tick(10);
    batcher.add(`file${ms}`, true);
  }
  // The leading batch, then the stream cut every 250 ms: at 260 (events 10..250) and 510 (260..500).
  assert.equal(batches.length, 3);
  assert.deepEqual(Object.keys(batches[1]!), Array.from({ length: 25 }, (_, index) => `file${(index + 1) * 10}`));
  assert.equal(Object.keys(batches[2]!).length, 25);
});

test('a quiet period of 0 hands every turn of events on at once', (t) => {
  const { batcher, batches } = batcherOnMockTime(t, 0);
  batcher.add('a', true);
  t.mock.timers.tick(0);
  batcher.add('b', true);
  t.mock.timers.tick(0);
  assert.deepEqual(batches, [{ a: true }, { b: true }]);
});

test('stop drops what is pending: nothing is handed on after it', (t) => {
  const { batcher, batches } = batcherOnMockTime(t);
  batcher.add('a', true);
  batcher.stop();
  t.mock.timers.tick(1000);
  batcher.add('b', true);
  batcher.add('c', true);
  t.mock.timers.tick(0);
  batcher.add('d', true);
  batcher.stop();
  t.mock.timers.tick(1000);
  assert.deepEqual(batches, [{ b: true, c: true }]);
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

test('with a long quiet period the cap is five of them', (t) => {
  const { batcher, batches } = batcherOnMockTime(t, 100);
  batcher.add('first', true);
  t.mock.timers.tick(0);
  for (let ms = 50; ms <= 550; ms += 50) {
    t.mock.timers.tick(50);
    batcher.add(`file${ms}`, true);
  }
  // Events 50..500 go at 550 (first pending at 50, plus 500); 550 stays pending.
  assert.equal(batches.length, 2);
  assert.equal(Object.keys(batches[1]!).length, 10);
});
