import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Slots } from './slots.js';

const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

test('no more than the bound hold a place at once; the others get one in the order they asked', async () => {
  const slots = new Slots(2, 60_000);
  const granted: string[] = [];
  const held = new Map<string, { release(): void }>();
  for (const name of ['a', 'b', 'c', 'd']) {
    void slots.take().then((slot) => {
      granted.push(name);
      held.set(name, slot);
    });
  }
  await settle();
  assert.deepEqual(granted, ['a', 'b']);
  assert.equal(slots.queued, 2);
  held.get('b')!.release();
  await settle();
  assert.deepEqual(granted, ['a', 'b', 'c']);
  held.get('a')!.release();
  held.get('a')!.release(); // a second release gives nothing back twice
  await settle();
  assert.deepEqual(granted, ['a', 'b', 'c', 'd']);
  assert.equal(slots.queued, 0);
  const e = slots.take();
  let gotE = false;
  void e.then(() => (gotE = true));
  await settle();
  assert.equal(gotE, false, 'c and d still hold both places');
  held.get('c')!.release();
  await settle();
  assert.equal(gotE, true);
  held.get('d')!.release();
  (await e).release();
});

test('a place held too long stops counting, so one stuck start cannot stop the others', async () => {
  const slots = new Slots(1, 30);
  const keepAlive = setTimeout(() => {}, 5000); // the slots' own timer does not keep a process alive
  const stuck = await slots.take();
  const started = Date.now();
  const next = await slots.take();
  assert.ok(Date.now() - started >= 25, 'the second waited for the first one\'s time to run out');
  stuck.release(); // late: must not free a place that is not its own any more
  let third = false;
  const pending = slots.take().then((slot) => {
    third = true;
    return slot;
  });
  await settle();
  assert.equal(third, false, 'the late release of the stuck one gave nothing back');
  next.release();
  (await pending).release();
  clearTimeout(keepAlive);
});

test('a bound below one place is refused', () => {
  assert.throws(() => new Slots(0, 1000), RangeError);
});
