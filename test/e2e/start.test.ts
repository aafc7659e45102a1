// Scenario tests of starting: dependency conditions, --wait, exit codes, Ctrl-C.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SLEEPER, testEngine, testProject, waitFor } from './helpers.js';


async function details(name: string) {
  const engine = await testEngine();
  const found = await engine.containers.inspect(name);
  assert.ok(found, `container ${name} exists`);
  return found;
}

test('up --wait returns once services are healthy', async (t) => {
  const project = await testProject(t, `
services:
  db:
    image: \${IMAGE}
    command: ${SLEEPER}
    healthcheck:
      test: ["CMD", "true"]
      interval: 1s
      start_interval: 200ms
      start_period: 5s
`);
  const result = await project.run(['up', '--wait']);
  assert.equal(result.code, 0, result.stderr);
  assert.equal((await details(`${project.name}-db-1`)).state.health, 'healthy');
});

test('up --wait --wait-timeout fails when a service never becomes healthy', async (t) => {
  const project = await testProject(t, `
services:
  db:
    image: \${IMAGE}
    command: ${SLEEPER}
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 100
`);
  const result = await project.run(['up', '--wait', '--wait-timeout', '2']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /application not healthy after 2s/);
});

test('service_healthy: the dependent starts only once its dependency is healthy', async (t) => {
  const project = await testProject(t, `
services:
  db:
    image: \${IMAGE}
    command: ["sh", "-c", "sleep 2; touch /tmp/ready; trap 'exit 0' TERM; while true; do sleep 1; done & wait"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      start_interval: 200ms
      start_period: 10s
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    depends_on:
      db:
        condition: service_healthy
`);
  const result = await project.run(['up', '-d']);
  assert.equal(result.code, 0, result.stderr);
  const db = await details(`${project.name}-db-1`);
  const web = await details(`${project.name}-web-1`);
  assert.equal(db.state.health, 'healthy');
  assert.ok(Date.parse(web.state.startedAt) - Date.parse(db.state.startedAt) >= 1500, 'web started after db became healthy');
});

test('service_completed_successfully: the dependent starts after its dependency exited 0', async (t) => {
  const project = await testProject(t, `
services:
  migrate:
    image: \${IMAGE}
    command: ["sh", "-c", "sleep 1; exit 0"]
  app:
    image: \${IMAGE}
    command: ${SLEEPER}
    depends_on:
      migrate:
        condition: service_completed_successfully
`);
  const result = await project.run(['up', '-d']);
  assert.equal(result.code, 0, result.stderr);
  const migrate = await details(`${project.name}-migrate-1`);
  const app = await details(`${project.name}-app-1`);
  assert.equal(migrate.state.exitCode, 0);
  assert.ok(Date.parse(app.state.startedAt) >= Date.parse(migrate.state.finishedAt), 'app started after migrate finished');
});

test('a dependency that exits non-zero under service_completed_successfully fails up, and the dependent is not started', async (t) => {
  const project = await testProject(t, `
services:
  migrate:
    image: \${IMAGE}
    command: ["sh", "-c", "exit 3"]
  app:
    image: \${IMAGE}
    command: ${SLEEPER}
    depends_on:
      migrate:
        condition: service_completed_successfully
`);
  const result = await project.run(['up', '-d']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /service "migrate" didn't complete successfully: exit 3/);
  assert.equal((await details(`${project.name}-app-1`)).state.running, false);
});

test('an unhealthy dependency fails up with a clear message', async (t) => {
  const project = await testProject(t, `
services:
  db:
    image: \${IMAGE}
    command: ${SLEEPER}
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 1
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    depends_on:
      db:
        condition: service_healthy
`);
  const result = await project.run(['up', '-d']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, new RegExp(`container ${project.name}-db-1 is unhealthy`));
});

test('--exit-code-from returns that service exit code and stops the others', async (t) => {
  const project = await testProject(t, `
services:
  job:
    image: \${IMAGE}
    command: ["sh", "-c", "echo working; sleep 1; exit 3"]
  server:
    image: \${IMAGE}
    command: ${SLEEPER}
`);
  const result = await project.run(['up', '--exit-code-from', 'job']);
  assert.equal(result.code, 3, result.stderr);
  assert.match(result.stdout, /job-1 +\| working/);
  assert.match(result.stdout, /job-1 exited with code 3/);
  assert.equal((await details(`${project.name}-server-1`)).state.running, false);
});

test('Ctrl-C in attached mode stops the containers gracefully and exits 130', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ["sh", "-c", "echo started; trap 'exit 0' TERM; while true; do sleep 1; done & wait"]
`);
  let pid = 0;
  let output = '';
  const running = project.run(['up'], { onSpawn: (spawned) => (pid = spawned), onStdout: (chunk) => (output += chunk) });
  // The container's first line on berth's output: berth is following it, and Ctrl-C is its to handle.
  await waitFor(() => /web-1 +\| started/.test(output));
  process.kill(pid, 'SIGINT');
  const result = await running;
  assert.equal(result.code, 130, result.stderr);
  assert.match(result.stderr, /Gracefully stopping/);
  assert.match(result.stdout, /web-1 +\| started/);
  assert.equal((await details(`${project.name}-web-1`)).state.running, false);
});

test('Ctrl-C during up -d starts nothing more, ends the waits and exits 130', async (t) => {
  const project = await testProject(t, `
services:
  db:
    image: \${IMAGE}
    command: ${SLEEPER}
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 1000
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    depends_on:
      db:
        condition: service_healthy
`);
  let pid = 0;
  const running = project.run(['up', '-d'], { onSpawn: (spawned) => (pid = spawned) });
  // db runs, and berth waits for it to be healthy, which it never is.
  await waitFor(async () => (await project.containers()).some((container) => container.name.endsWith('-db-1') && container.state === 'running'));
  process.kill(pid, 'SIGINT');
  const result = await running;
  assert.equal(result.code, 130, result.stderr);
  assert.match(result.stderr, /canceled/);
  assert.equal((await details(`${project.name}-web-1`)).state.running, false, 'web is never started');
});
