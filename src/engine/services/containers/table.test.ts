import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerRecord } from '../container-record.js';
import { findContainer } from './table.js';

const record = (id: string, name: string): ContainerRecord => ({ id, name }) as ContainerRecord;
const records = new Map([record('abc123', 'web'), record('abd456', 'db'), record('ffff00', 'abc')].map((entry) => [entry.id, entry]));

test('a reference is an id, then a name (slash or not), then a unique id prefix', () => {
  assert.equal(findContainer(records, 'abc123').name, 'web');
  assert.equal(findContainer(records, '/db').id, 'abd456');
  assert.equal(findContainer(records, 'abc').id, 'ffff00', 'a name beats an id prefix');
  assert.equal(findContainer(records, 'abd').name, 'db');
});

test('an ambiguous prefix is a 400, an unknown reference a 404', () => {
  assert.throws(() => findContainer(records, 'ab'), /multiple IDs found with provided prefix: ab/);
  assert.throws(() => findContainer(records, 'zz'), (error: Error & { kind?: string }) => error.kind === 'not-found' && /No such container: zz/.test(error.message));
});
