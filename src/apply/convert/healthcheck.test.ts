import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertHealthcheck } from './healthcheck.js';

test('durations become nanoseconds', () => {
  assert.deepEqual(
    convertHealthcheck({
      name: 'web',
      healthcheck: { test: ['CMD-SHELL', 'echo "hello world"'], timeout: '1s', interval: '10s', retries: 5, start_period: '15s', start_interval: '5s' },
    }),
    {
      config: {
        Healthcheck: { Test: ['CMD-SHELL', 'echo "hello world"'], Interval: 10e9, Timeout: 1e9, StartPeriod: 15e9, StartInterval: 5e9, Retries: 5 },
      },
    },
  );
});

test('disable: true switches the image check off; a string test runs in a shell', () => {
  assert.deepEqual(convertHealthcheck({ name: 'web', healthcheck: { disable: true } }), { config: { Healthcheck: { Test: ['NONE'] } } });
  assert.deepEqual(convertHealthcheck({ name: 'web', healthcheck: { test: 'curl -f http://localhost' as unknown as string[] } }), {
    config: { Healthcheck: { Test: ['CMD-SHELL', 'curl -f http://localhost'] } },
  });
});

test('without a test only the timings are overridden', () => {
  assert.deepEqual(convertHealthcheck({ name: 'web', healthcheck: { interval: '1m30s' } }), { config: { Healthcheck: { Interval: 90e9 } } });
  assert.deepEqual(convertHealthcheck({ name: 'web' }), {});
});

test('start_interval needs start_period', () => {
  assert.throws(() => convertHealthcheck({ name: 'web', healthcheck: { start_interval: '5s' } }), /requires healthcheck.start_period/);
});
