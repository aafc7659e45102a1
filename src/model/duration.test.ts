import assert from 'node:assert/strict';
import { test } from 'node:test';
import { durationSeconds, parseDuration } from './duration.js';

test('parseDuration reads Go durations into nanoseconds', () => {
  assert.equal(parseDuration('1m30s'), 90e9);
  assert.equal(parseDuration('1.5s'), 1.5e9);
  assert.equal(parseDuration('100ms'), 100e6);
  assert.equal(parseDuration('1h2m3s4ms5us6ns'), 3723e9 + 4e6 + 5e3 + 6);
  assert.equal(parseDuration('10µs'), 10e3);
  assert.equal(parseDuration('0'), 0);
  assert.equal(parseDuration(0), 0);
  assert.equal(parseDuration('-1s'), -1e9);
  assert.equal(parseDuration('.5s'), 0.5e9);
  assert.equal(parseDuration('2d'), 2 * 86400e9);
  assert.equal(parseDuration('1w'), 7 * 86400e9);
});

test('parseDuration refuses numbers without a unit and unknown units', () => {
  for (const bad of ['10', 's', '1x', '', '1s2', 10, '1..5s']) {
    assert.throws(() => parseDuration(bad, ['services', 'web', 'stop_grace_period']), /invalid duration/, String(bad));
  }
});

test('durationSeconds truncates to whole seconds', () => {
  assert.equal(durationSeconds('20s'), 20);
  assert.equal(durationSeconds('1m30s'), 90);
  assert.equal(durationSeconds('1500ms'), 1);
});

test('formatGoDuration writes what Go prints', async () => {
  const { formatGoDuration } = await import('./duration.js');
  const cases: Array<[string, string]> = [
    ['0s', '0s'], ['10s', '10s'], ['60s', '1m0s'], ['120s', '2m0s'], ['1.5s', '1.5s'], ['500ms', '500ms'],
    ['1h', '1h0m0s'], ['90m', '1h30m0s'], ['1h2m3.004s', '1h2m3.004s'], ['1500us', '1.5ms'], ['42ns', '42ns'], ['1d', '24h0m0s'],
  ];
  for (const [input, expected] of cases) assert.equal(formatGoDuration(parseDuration(input)), expected, input);
});
