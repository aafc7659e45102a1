import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PerKeyQueue } from './queue.js';

function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => {};
  const promise = new Promise<void>((resolve) => (open = resolve));
  return { promise, open };
}

test('operations on one key run one at a time, in order, a failure not blocking the next', async () => {
  const queue = new PerKeyQueue();
  const log: string[] = [];
  const first = gate();
  const a = queue.run('c1', async () => {
    log.push('a start');
    await first.promise;
    log.push('a end');
    throw new Error('a failed');
  });
  const b = queue.run('c1', async () => {
    log.push('b');
    return 2;
  });
  await Promise.resolve();
  assert.deepEqual(log, ['a start']);
  first.open();
  await assert.rejects(a, /a failed/);
  assert.equal(await b, 2);
  assert.deepEqual(log, ['a start', 'a end', 'b']);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(queue.busy('c1'), false);
});

test('operations on different keys run side by side', async () => {
  const queue = new PerKeyQueue();
  const held = gate();
  const running: string[] = [];
  const slow = queue.run('c1', async () => {
    running.push('c1');
    await held.promise;
  });
  await queue.run('c2', async () => {
    running.push('c2');
  });
  assert.deepEqual(running, ['c1', 'c2'], 'c2 did not wait for c1');
  held.open();
  await slow;
});
