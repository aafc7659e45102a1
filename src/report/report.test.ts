import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import type { ContainerDetails, ContainerSummary } from '../engine-client/index.js';
import type { ContainerWait } from '../apply/start.js';
import { buildReport, needsLogs } from './report.js';
import type { ContainerFacts } from './report.js';

const schema = JSON.parse(readFileSync(new URL('../../schemas/report.schema.json', import.meta.url), 'utf8'));
const ajv = new Ajv.default({ allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(schema);

const UP = Date.parse('2026-11-30T09:00:00Z');

function container(service: string, number: number, state: Partial<ContainerDetails['state']>, wait?: Partial<ContainerWait>, logs?: string[]): ContainerFacts {
  const name = `demo-${service}-${number}`;
  const id = `${number}${service}`.padEnd(64, '0').replace(/[^0-9a-f]/g, 'a');
  const summary = {
    id,
    name,
    labels: { 'com.docker.compose.service': service, 'com.docker.compose.container-number': String(number) },
    state: 'running',
    ports: [{ privatePort: 80, publicPort: 8080, ip: '127.0.0.1', type: 'tcp' }],
  } as unknown as ContainerSummary;
  const details = { state: { status: 'running', running: true, exitCode: 0, startedAt: '2026-11-30T09:00:01.5Z', finishedAt: '', oomKilled: false, ...state } } as ContainerDetails;
  return {
    summary,
    details,
    ...(wait ? { wait: { service, container: name, id, condition: 'running', outcome: 'ready', lastSeen: 'state "running"', ...wait } as ContainerWait } : {}),
    ...(logs ? { logs } : {}),
  };
}

test('a ready project: every replica with its state, ports and start duration, valid against the schema', () => {
  const report = buildReport({
    project: 'demo',
    services: ['web', 'db'],
    notStarted: {},
    containers: [container('web', 2, {}, { readyAt: UP + 2500 }), container('web', 1, {}, { readyAt: UP + 3000 }), container('db', 1, { health: 'healthy' }, { condition: 'healthy' })],
    startedAt: UP,
    finishedAt: UP + 4000,
    exitCode: 0,
  });
  assert.ok(validate(report), JSON.stringify(validate.errors));
  assert.equal(report.result, 'ready');
  assert.deepEqual(Object.keys(report.services), ['db', 'web']);
  assert.deepEqual(report.services.web!.replicas.map((replica) => [replica.container, replica.startDurationMs]), [['demo-web-1', 1500], ['demo-web-2', 1000]]);
  assert.deepEqual(report.services.web!.replicas[0]!.ports, [{ target: 80, protocol: 'tcp', hostIp: '127.0.0.1', published: 8080 }]);
  assert.equal(report.services.db!.replicas[0]!.startDurationMs, null, 'never seen ready: no duration');
  assert.deepEqual(report.failures, []);
});

test('a failed wait: the failure names service, container, condition and what was seen; a container running before up has no start duration', () => {
  const report = buildReport({
    project: 'demo',
    services: ['db', 'web', 'app'],
    notStarted: { app: 'dependency db failed' },
    containers: [
      container('db', 1, { health: 'unhealthy' }, { condition: 'healthy', outcome: 'failed', reason: 'unhealthy', lastSeen: 'state "running", health "unhealthy"' }, ['boom']),
      container('web', 1, { startedAt: '2026-11-30T08:00:00Z' }, { readyAt: UP + 10 }),
    ],
    startedAt: UP,
    finishedAt: UP + 4000,
    exitCode: 1,
    error: 'container demo-db-1 is unhealthy',
  });
  assert.ok(validate(report), JSON.stringify(validate.errors));
  assert.equal(report.result, 'failed');
  assert.deepEqual(report.failures, [{ service: 'db', container: 'demo-db-1', condition: 'healthy', reason: 'unhealthy', lastSeen: 'state "running", health "unhealthy"' }]);
  assert.deepEqual(report.services.db!.replicas[0]!.logs, ['boom']);
  assert.equal(report.services.web!.replicas[0]!.startDurationMs, null);
  assert.deepEqual(report.services.app, { notStarted: 'dependency db failed', replicas: [] });
});

test('logs are read for a failed or timed-out wait, an unhealthy container or a non-zero exit, and not otherwise', () => {
  const facts = (state: Partial<ContainerDetails['state']>, wait?: Partial<ContainerWait>) => container('x', 1, state, wait);
  assert.equal(needsLogs(facts({}, { outcome: 'failed', reason: 'exited (1)' })), true);
  assert.equal(needsLogs(facts({}, { outcome: 'pending', reason: 'not ready after 2s' })), true);
  assert.equal(needsLogs(facts({}, { outcome: 'pending' })), false, 'cut short by another failure: not its fault');
  assert.equal(needsLogs(facts({ health: 'unhealthy' })), true);
  assert.equal(needsLogs(facts({ running: false, status: 'exited', exitCode: 2 })), true);
  assert.equal(needsLogs(facts({ running: false, status: 'exited', exitCode: 0 }, { outcome: 'completed' })), false);
  assert.equal(needsLogs(facts({})), false);
});
