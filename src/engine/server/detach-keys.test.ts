import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detachScanner, parseDetachKeys } from './detach-keys.js';

test('detach keys are read as docker reads them', () => {
  assert.deepEqual([...parseDetachKeys('ctrl-p,ctrl-q')], [0x10, 0x11]);
  assert.deepEqual([...parseDetachKeys('ctrl-@,ctrl-[,a')], [0, 27, 0x61]);
  assert.throws(() => parseDetachKeys('ctrl-1'), /Invalid detach keys/);
  assert.throws(() => parseDetachKeys('ab'), /Invalid detach keys/);
});

test('the sequence detaches, across chunks, and is never forwarded; a false start is forwarded', () => {
  const scan = detachScanner(Buffer.from([0x10, 0x11]));
  assert.deepEqual(scan(Buffer.from('ls\x10')), { forward: Buffer.from('ls'), detached: false });
  assert.deepEqual(scan(Buffer.from('x')), { forward: Buffer.from('\x10x'), detached: false });
  assert.deepEqual(scan(Buffer.from('\x10\x10')), { forward: Buffer.from('\x10'), detached: false });
  assert.deepEqual(scan(Buffer.from('\x11rest')), { forward: Buffer.alloc(0), detached: true });
});
