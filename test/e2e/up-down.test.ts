// Scenario tests of up and down on a real engine: each test one obligation, checked on the engine's own state.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { SLEEPER, succeeded, byName, testEngine, testProject, waitFor } from './helpers.js';


test('an unchanged up recreates nothing', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    depends_on: [db]
  db:
    image: \${IMAGE}
    command: ${SLEEPER}
`);
  succeeded(await project.run(['up', '-d']));
  const before = (await project.containers()).map((container) => container.id);
  const again = await project.run(['--progress', 'plain', 'up', '-d']);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual((await project.containers()).map((container) => container.id), before);
  assert.doesNotMatch(again.stderr, /Recreate|Creating/);
});

test('a changed environment recreates only that service, keeping its number and name', async (t) => {
  const compose = (value: string) => `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    environment:
      GREETING: ${value}
  db:
    image: \${IMAGE}
    command: ${SLEEPER}
`;
  const project = await testProject(t, compose('hello'));
  succeeded(await project.run(['up', '-d']));
  const before = byName(await project.containers());
  project.write(compose('bonjour'));
  const dry = await project.run(['--dry-run', 'up', '-d']);
  assert.match(dry.stdout, new RegExp(`recreate container ${project.name}-web-1: configuration changed`));
  const result = await project.run(['up', '-d']);
  assert.equal(result.code, 0, result.stderr);
  const after = byName(await project.containers());
  assert.deepEqual(Object.keys(after), Object.keys(before));
  assert.equal(after[`${project.name}-db-1`]!.id, before[`${project.name}-db-1`]!.id, 'db untouched');
  assert.notEqual(after[`${project.name}-web-1`]!.id, before[`${project.name}-web-1`]!.id, 'web recreated');
  const details = await (await testEngine()).containers.inspect(after[`${project.name}-web-1`]!.id);
  assert.equal(details?.state.running, true);
  assert.equal(details?.labels['com.docker.compose.replace'], `${project.name}-web-1`);
});

test('--dry-run prints the plan and touches nothing', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
volumes:
  data:
`);
  const result = await project.run(['--dry-run', 'up', '-d']);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, new RegExp(`DRY-RUN MODE - create network ${project.name}_default: not found`));
  assert.match(result.stdout, new RegExp(`DRY-RUN MODE - create container ${project.name}-web-1: no existing container`));
  assert.deepEqual(await project.containers(), []);
  const engine = await testEngine();
  assert.deepEqual(await engine.networks.list({ label: [`com.docker.compose.project=${project.name}`] }), []);
});

test('scaling up and down keeps the lowest numbers and reuses freed ones', async (t) => {
  const project = await testProject(t, `
services:
  worker:
    image: \${IMAGE}
    command: ${SLEEPER}
`);
  const numbers = async () => (await project.containers()).map((container) => Number(container.labels['com.docker.compose.container-number'])).sort();
  succeeded(await project.run(['up', '-d', '--scale', 'worker=3']));
  assert.deepEqual(await numbers(), [1, 2, 3]);
  const kept = byName(await project.containers());
  succeeded(await project.run(['up', '-d', '--scale', 'worker=1']));
  assert.deepEqual(await numbers(), [1]);
  assert.equal((await project.containers())[0]!.id, kept[`${project.name}-worker-1`]!.id);
  succeeded(await project.run(['scale', 'worker=2']));
  assert.deepEqual(await numbers(), [1, 2]);
});

test('down keeps named volumes and their data; down -v removes them', async (t) => {
  const project = await testProject(t, `
services:
  app:
    image: \${IMAGE}
    command: ["sh", "-c", "test -f /data/marker || echo $$TOKEN > /data/marker; trap 'exit 0' TERM; while true; do sleep 1; done & wait"]
    environment: [TOKEN]
    volumes: [data:/data]
volumes:
  data:
`);
  const engine = await testEngine();
  const volume = `${project.name}_data`;
  succeeded(await project.run(['up', '-d'], { env: { TOKEN: 'first' } }));
  const down = await project.run(['down']);
  assert.equal(down.code, 0, down.stderr);
  assert.deepEqual(await project.containers(), []);
  assert.ok(await engine.volumes.inspect(volume), 'named volume kept by down');
  succeeded(await project.run(['up', '-d'], { env: { TOKEN: 'second' } }));
  const mountpoint = (await engine.volumes.inspect(volume))!.mountpoint;
  await waitFor(() => existsSync(join(mountpoint, 'marker')));
  assert.equal(readFileSync(join(mountpoint, 'marker'), 'utf8'), 'first\n', 'the data written before down is still there');
  succeeded(await project.run(['down', '-v']));
  assert.equal(await engine.volumes.inspect(volume), undefined, 'down -v removes it');
  assert.deepEqual(await engine.networks.list({ label: [`com.docker.compose.project=${project.name}`] }), []);
});

test('down works from the labels alone when the compose files are gone', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
`);
  succeeded(await project.run(['up', '-d']));
  const { rmSync } = await import('node:fs');
  rmSync(`${project.dir}/compose.yaml`);
  const down = await project.run(['-p', project.name, 'down']);
  assert.equal(down.code, 0, down.stderr);
  assert.deepEqual(await project.containers(), []);
});

test('orphans are reported, and removed only with --remove-orphans', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
  old:
    image: \${IMAGE}
    command: ${SLEEPER}
`);
  succeeded(await project.run(['up', '-d']));
  project.write(`
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
`);
  const warned = await project.run(['up', '-d']);
  assert.equal(warned.code, 0);
  assert.match(warned.stderr, new RegExp(`Found orphan containers \\(${project.name}-old-1\\)`));
  assert.equal((await project.containers()).length, 2);
  succeeded(await project.run(['up', '-d', '--remove-orphans']));
  assert.deepEqual((await project.containers()).map((container) => container.name), [`${project.name}-web-1`]);
});
