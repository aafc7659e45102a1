import assert from 'node:assert/strict';
import { test } from 'node:test';
import { signalNumber } from './signals.js';

test('signals by name, short name, any case, or number', () => {
  assert.equal(signalNumber('SIGKILL'), 9);
  assert.equal(signalNumber('term'), 15);
  assert.equal(signalNumber('Hup'), 1);
  assert.equal(signalNumber('SIGWINCH'), 28);
  assert.equal(signalNumber('10'), 10);
});

test('an unknown signal counts as SIGTERM, the default stop signal', () => {
  assert.equal(signalNumber('SIGNOPE'), 15);
});
