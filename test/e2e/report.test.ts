// Scenario tests of `up --wait --report`: the JSON report of every container, checked against
// schemas/report.schema.json and against the engine's own state.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { ROOT, SLEEPER, succeeded, testProject } from './helpers.js';

const ajv = new Ajv.default({ allErrors: true });
addFormats.default(ajv);
const validate = ajv.compile(JSON.parse(readFileSync(join(ROOT, 'schemas/report.schema.json'), 'utf8')));

function valid(text: string) {
  // Typed loosely on purpose: the schema check is what proves its shape.
  const report: Record<string, any> = JSON.parse(text);
  assert.ok(validate(report), `report does not match the schema: ${JSON.stringify(validate.errors)}\n${text}`);
  return report;
}

test('up --wait --report FILE: every replica with its id, state, health, published ports and start duration', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    scale: 2
    ports: ["127.0.0.1::8080"]
  db:
    image: \${IMAGE}
    command: ${SLEEPER}
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
      start_interval: 200ms
      start_period: 5s
`);
  succeeded(await project.run(['up', '--wait', '--wait-timeout', '60', '--report', 'report.json'], { timeoutMs: 120_000 }));
  const report = valid(readFileSync(join(project.dir, 'report.json'), 'utf8'));
  assert.equal(report.result, 'ready');
  assert.equal(report.exitCode, 0);
  assert.deepEqual(report.failures, []);
  const containers = await project.containers();
  assert.deepEqual(report.services.web.replicas.map((replica: { container: string }) => replica.container), [`${project.name}-web-1`, `${project.name}-web-2`]);
  for (const replica of [...report.services.web.replicas, ...report.services.db.replicas]) {
    assert.ok(containers.some((container) => container.id === replica.id), `${replica.container}'s id is the engine's`);
    assert.equal(replica.state, 'running');
    assert.equal(typeof replica.startDurationMs, 'number');
    assert.equal(replica.logs, undefined, 'no logs for a ready container');
  }
  assert.equal(report.services.db.replicas[0].health, 'healthy');
  assert.deepEqual(report.services.db.replicas[0].wait.condition, 'healthy');
  assert.equal(report.services.web.replicas[0].health, null);
  const port = report.services.web.replicas[0].ports.find((entry: { target: number }) => entry.target === 8080);
  const published = containers.find((container) => container.name === `${project.name}-web-1`)!.ports.find((entry) => entry.privatePort === 8080)!.publicPort;
  assert.equal(port.published, published);
});

test('up --wait --report - names the service that failed which condition, with its last log lines; the exit code stays compose\'s', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
  broken:
    image: \${IMAGE}
    command: ["sh", "-c", "for i in $$(seq 1 60); do echo line $$i; done; sleep 2; exit 3"]
    # Waited on as healthy (the check never passes), so that the wait sees its exit, not a first moment running.
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 100
  sick:
    image: \${IMAGE}
    command: ${SLEEPER}
    healthcheck:
      test: ["CMD", "sh", "-c", "echo probe failed; exit 1"]
      interval: 1s
      retries: 100
`);
  const result = await project.run(['up', '--wait', '--wait-timeout', '60', '--report', '-'], { timeoutMs: 120_000 });
  assert.equal(result.code, 1, result.stderr);
  const report = valid(result.stdout);
  assert.equal(report.result, 'failed');
  assert.equal(report.exitCode, 1);
  assert.match(report.error, new RegExp(`container ${project.name}-broken-1 exited \\(3\\)`));
  assert.equal(report.failures.length, 1, JSON.stringify(report.failures));
  const { lastSeen, ...failure } = report.failures[0];
  assert.deepEqual(failure, { service: 'broken', container: `${project.name}-broken-1`, condition: 'healthy', reason: 'exited (3)' });
  // dockerd marks an exited container's health unhealthy, berth's engine leaves it as it was.
  assert.match(lastSeen, /^state "exited" \(exit code 3\), health "\w+"$/);
  const replica = report.services.broken.replicas[0];
  assert.equal(replica.exitCode, 3);
  assert.equal(replica.logs.length, 50);
  assert.equal(replica.logs.at(-1), 'line 60');
  assert.equal(report.services.web.replicas[0].wait.outcome, 'ready');
  const sick = report.services.sick.replicas[0];
  assert.deepEqual([sick.wait.condition, sick.wait.outcome], ['healthy', 'pending'], 'cut short by the failure, not failed itself');
  assert.equal(sick.logs, undefined);
});

test('up --wait --report: a service that never gets healthy is named with what was seen last when the time runs out', async (t) => {
  const project = await testProject(t, `
services:
  db:
    image: \${IMAGE}
    command: ${SLEEPER}
    healthcheck:
      test: ["CMD", "sh", "-c", "echo not yet; exit 1"]
      interval: 1s
      retries: 100
`);
  const result = await project.run(['up', '--wait', '--wait-timeout', '2', '--report', 'out/../report.json'], { timeoutMs: 120_000 });
  assert.equal(result.code, 1);
  assert.match(result.stderr, /application not healthy after 2s: service db \(container \S+-db-1\) is not healthy: not ready after 2s; last seen state "running", health "starting"/);
  const report = valid(readFileSync(join(project.dir, 'report.json'), 'utf8'));
  assert.deepEqual(report.failures.map((failure: { service: string; condition: string; reason: string }) => [failure.service, failure.condition, failure.reason]), [['db', 'healthy', 'not ready after 2s']]);
  assert.ok(Array.isArray(report.services.db.replicas[0].logs), 'a timed-out container brings its logs');
});

test('--report without --wait or --detach is refused before anything starts', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
`);
  const attached = await project.run(['up', '--report', 'r.json']);
  assert.equal(attached.code, 1);
  assert.match(attached.stderr, /--report needs --wait or --detach/);
  assert.deepEqual(await project.containers(), []);
});
