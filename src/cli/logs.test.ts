import assert from 'node:assert/strict';
import { test } from 'node:test';
import { toUnix } from './logs.js';

test('--since and --until: a Go duration ago (the model\'s duration parser), a unix time, or a date', () => {
  const now = Date.UTC(2025, 0, 1, 12, 0, 0);
  const seconds = now / 1000;
  assert.equal(toUnix('1h30m', now), String(seconds - 5400));
  assert.equal(toUnix('1.5s', now), String(Math.floor(seconds - 1.5)));
  assert.equal(toUnix('500ms', now), String(Math.floor(seconds - 0.5)));
  assert.equal(toUnix('1700000000', now), '1700000000');
  assert.equal(toUnix('2025-01-01T11:00:00Z', now), String(seconds - 3600));
  assert.throws(() => toUnix('5x', now), /invalid duration "5x"/);
  assert.throws(() => toUnix('yesterday', now), /invalid time "yesterday"/);
});
