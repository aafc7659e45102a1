import assert from 'node:assert/strict';
import { test } from 'node:test';
import { schedule } from './scheduler.js';
import type { Task } from './scheduler.js';

const task = (id: number, ...dependsOn: number[]): Task => ({ id, dependsOn });

/** A run whose tasks finish when the test says, recording what started and when. */
function controlled() {
  const started: number[] = [];
  const finishers = new Map<number, { resolve: () => void; reject: (error: Error) => void }>();
  const run = (t: Task): Promise<void> =>
    new Promise((resolve, reject) => {
      started.push(t.id);
      finishers.set(t.id, { resolve, reject });
    });
  const settle = async (): Promise<void> => {
    for (let i = 0; i < 5; i++) await Promise.resolve();
  };
  return { started, run, finish: (id: number) => finishers.get(id)!.resolve(), fail: (id: number) => finishers.get(id)!.reject(new Error(`task ${id} failed`)), settle };
}

test('a task starts only once everything it depends on is done, ready tasks in the order given', async () => {
  const c = controlled();
  const done = schedule([task(1), task(2, 1), task(3), task(4, 2, 3)], c.run);
  await c.settle();
  assert.deepEqual(c.started, [1, 3]);
  c.finish(3);
  await c.settle();
  assert.deepEqual(c.started, [1, 3]);
  c.finish(1);
  await c.settle();
  assert.deepEqual(c.started, [1, 3, 2]);
  c.finish(2);
  await c.settle();
  c.finish(4);
  assert.deepEqual(await done, { failures: [], skipped: new Set(), canceled: false });
});

test('the limit bounds the tasks in flight', async () => {
  const c = controlled();
  const done = schedule([task(1), task(2), task(3)], c.run, { limit: 2 });
  await c.settle();
  assert.deepEqual(c.started, [1, 2]);
  c.finish(2);
  await c.settle();
  assert.deepEqual(c.started, [1, 2, 3]);
  c.finish(1);
  c.finish(3);
  assert.equal((await done).failures.length, 0);
});

test('a failure skips what depends on it, transitively; the rest goes on', async () => {
  const c = controlled();
  const done = schedule([task(1), task(2, 1), task(3, 2), task(4)], c.run);
  await c.settle();
  c.fail(1);
  await c.settle();
  c.finish(4);
  const result = await done;
  assert.deepEqual(c.started, [1, 4]);
  assert.deepEqual(result.failures.map((failure) => failure.id), [1]);
  assert.deepEqual([...result.skipped].sort(), [2, 3]);
});

test('with stopOnFailure the first failure stops what has not started and aborts the running tasks', async () => {
  const signals: AbortSignal[] = [];
  const result = await schedule(
    [task(1), task(2), task(3, 2)],
    (t, signal) => {
      signals.push(signal);
      if (t.id === 1) return Promise.reject(new Error('boom'));
      return new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve()));
    },
    { stopOnFailure: true },
  );
  assert.deepEqual(result.failures.map((failure) => failure.id), [1]);
  assert.deepEqual([...result.skipped], [3]);
  assert.ok(signals.every((signal) => signal.aborted));
});

test('an aborted signal starts nothing more and says the run was canceled', async () => {
  const outer = new AbortController();
  const c = controlled();
  const done = schedule([task(1), task(2, 1)], c.run, { signal: outer.signal });
  await c.settle();
  outer.abort();
  c.finish(1);
  const result = await done;
  assert.deepEqual(c.started, [1]);
  assert.equal(result.canceled, true);
  assert.deepEqual([...result.skipped], [2]);
});

test('a graph that waits on itself, or on a task it does not have, is an internal error', async () => {
  await assert.rejects(schedule([task(1, 2), task(2, 1)], async () => {}), /wait on one another/);
  await assert.rejects(schedule([task(1, 9)], async () => {}), /not in the graph/);
});
