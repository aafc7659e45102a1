import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { BerthError } from '../model/errors.js';
import { buildGraph } from './graph.js';
import { inDependencyOrder } from './traversal.js';

// a <- b <- d, a <- c <- d: b and c may run together.
const graph = buildGraph({ a: {}, b: { depends_on: { a: {} } }, c: { depends_on: { a: {} } }, d: { depends_on: { b: {}, c: {} } } });

test('every service is visited after what it needs', async () => {
  const order: string[] = [];
  await inDependencyOrder(graph, async (name) => {
    order.push(name);
  });
  assert.equal(order[0], 'a');
  assert.equal(order[3], 'd');
});

test('reverse visits every service after what needs it', async () => {
  const order: string[] = [];
  await inDependencyOrder(graph, async (name) => void order.push(name), { reverse: true });
  assert.equal(order[0], 'd');
  assert.equal(order[3], 'a');
});

test('independent services run in parallel, up to the limit', async () => {
  const wide = buildGraph({ a: {}, b: {}, c: {}, d: {}, e: {} });
  for (const [limit, expected] of [[2, 2], [undefined, 5]] as const) {
    let inFlight = 0;
    let most = 0;
    await inDependencyOrder(
      wide,
      async () => {
        most = Math.max(most, ++inFlight);
        await sleep(5);
        inFlight--;
      },
      { concurrency: limit },
    );
    assert.equal(most, expected);
  }
});

test('the first failure stops further visits, aborts running ones and is what rejects', async () => {
  const visited: string[] = [];
  let abortedSeen = false;
  await assert.rejects(
    inDependencyOrder(graph, async (name, signal) => {
      visited.push(name);
      if (name === 'b') throw new Error('b failed');
      if (name === 'c') {
        await sleep(20);
        abortedSeen = signal.aborted;
      }
    }),
    /b failed/,
  );
  assert.equal(visited.includes('d'), false);
  assert.equal(abortedSeen, true);
});

test('an external abort rejects as canceled', async () => {
  const controller = new AbortController();
  const walk = inDependencyOrder(
    graph,
    async (name) => {
      if (name === 'a') controller.abort();
      await sleep(5);
    },
    { signal: controller.signal },
  );
  await assert.rejects(walk, (error: unknown) => error instanceof BerthError && error.kind === 'canceled');
});
