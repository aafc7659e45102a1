import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseBytes } from './bytes.js';

test('parseBytes reads integers, negative limits and binary human sizes', () => {
  assert.equal(parseBytes(52428800), 52428800);
  assert.equal(parseBytes('52428800'), 52428800);
  assert.equal(parseBytes('-1'), -1);
  assert.equal(parseBytes('50M'), 50 * 1024 * 1024);
  assert.equal(parseBytes('1g'), 1024 ** 3);
  assert.equal(parseBytes('1.5g'), 1.5 * 1024 ** 3);
  assert.equal(parseBytes('20G'), 20 * 1024 ** 3);
  assert.equal(parseBytes('64kb'), 64 * 1024);
  assert.equal(parseBytes('64KiB'), 64 * 1024);
  assert.equal(parseBytes('12 mb'), 12 * 1024 * 1024);
  assert.equal(parseBytes('100b'), 100);
});

test('parseBytes rejects what is not a size, naming the path', () => {
  assert.throws(() => parseBytes('lots', ['services', 'web', 'mem_limit']), /invalid size "lots"/);
  assert.throws(() => parseBytes('1.2.3m'), /invalid size/);
  assert.throws(() => parseBytes('5x'), /invalid size/);
  assert.throws(() => parseBytes(true), /invalid size/);
});
