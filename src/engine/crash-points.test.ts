import assert from 'node:assert/strict';
import { test } from 'node:test';
import { crashPoints } from './crash-points.js';

test('a crash point fires the Nth time it is reached, and only that point', () => {
  let died = 0;
  const points = crashPoints('start:runtime-started@2', () => died++);
  points.reach('create:done');
  points.reach('start:runtime-started');
  assert.equal(died, 0);
  points.reach('start:runtime-started');
  assert.equal(died, 1);
  points.reach('start:runtime-started');
  assert.equal(died, 1);
});

test('no spec: no crashes; an unknown point is refused', () => {
  crashPoints(undefined, () => assert.fail('must not die')).reach('create:reserved');
  assert.throws(() => crashPoints('start:nowhere'), /unknown crash point "start:nowhere"/);
});
