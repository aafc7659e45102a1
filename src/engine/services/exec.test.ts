import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Layout } from '../store/layout.js';
import type { Tools } from '../runtime/tools.js';
import type { ContainerRecord } from './container-record.js';
import { EventBus } from './events.js';
import { ExecService } from './exec.js';

/** A container record with just what exec reads; its process is this test's own, so it counts as running. */
function container(id: string, status: string, startedAt: string): ContainerRecord {
  return { id, name: `/${id}`, image: 'busybox', config: { Labels: {} }, state: { status, pid: process.pid, startedAt } } as unknown as ContainerRecord;
}

function service(records: Map<string, ContainerRecord>, events: EventBus): ExecService {
  const get = (reference: string): ContainerRecord => {
    const record = records.get(reference);
    if (!record) throw new Error(`No such container: ${reference}`);
    return record;
  };
  return new ExecService({} as Layout, {} as Tools, { get }, events);
}

const notFound = { message: /No such exec instance/ };

test('exec instances of a removed container are forgotten at once, those of a stopped or restarted one at the sweep', () => {
  const events = new EventBus();
  const started = new Date(Date.now() - 1000).toISOString();
  const records = new Map([
    ['removed', container('removed', 'running', started)],
    ['stopped', container('stopped', 'running', started)],
    ['restarted', container('restarted', 'running', started)],
    ['kept', container('kept', 'running', started)],
  ]);
  const execs = service(records, events);
  const made = Object.fromEntries([...records.keys()].map((id) => [id, execs.create(id, { Cmd: ['true'] }).id]));

  records.delete('removed');
  events.emit('container', 'destroy', 'removed', {});
  assert.throws(() => execs.get(made.removed!), notFound);
  assert.ok(execs.get(made.stopped!), 'kept until the sweep, as dockerd keeps it');

  records.set('stopped', container('stopped', 'exited', started));
  records.set('restarted', container('restarted', 'running', new Date(Date.now() + 1000).toISOString()));
  execs.sweep();
  assert.throws(() => execs.get(made.stopped!), notFound);
  assert.throws(() => execs.get(made.restarted!), notFound);
  assert.ok(execs.get(made.kept!), 'a container still in the same run keeps its exec instances');
});
