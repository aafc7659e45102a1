// Bad input on a real engine: each a clear message, exit 1, and nothing already running destroyed.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { SLEEPER, testProject } from './helpers.js';


test('a missing image names the service (pulled from a registry on loopback that is not there)', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: 127.0.0.1:5999/berth/missing:latest
`);
  const result = await project.run(['up', '-d']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^service web: pull failed: .*5999/m);
  assert.doesNotMatch(result.stderr, /image:127/, "the plan's resource id is not shown");
  assert.doesNotMatch(result.stderr, /\n\s+at /);
});

test('a port already taken fails up, and what was running keeps running', async (t) => {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => server.close());
  const port = (server.address() as AddressInfo).port;
  const project = await testProject(t, `
services:
  db:
    image: \${IMAGE}
    command: ${SLEEPER}
`);
  assert.equal((await project.run(['up', '-d'])).code, 0);
  const before = await project.containers();
  project.write(`
services:
  db:
    image: \${IMAGE}
    command: ${SLEEPER}
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    ports: ["127.0.0.1:${port}:80"]
`);
  const result = await project.run(['up', '-d']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /address already in use|port is already allocated/);
  const db = (await project.containers()).find((container) => container.name === `${project.name}-db-1`);
  assert.equal(db?.id, before[0]!.id);
  assert.equal(db?.state, 'running');
});

test('an engine that does not answer is one clear error', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
`);
  const result = await project.run(['up', '-d'], { env: { DOCKER_HOST: 'unix:///nonexistent/berth-test.sock' } });
  assert.equal(result.code, 1);
  assert.equal(result.stderr, 'cannot connect to the Docker engine at unix:///nonexistent/berth-test.sock (DOCKER_HOST): is the engine running?\n');
});

test('a missing external network fails only the services that use it', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    networks: [shared]
  independent:
    image: \${IMAGE}
    command: ${SLEEPER}
networks:
  shared:
    external: true
    name: berth-test-missing-network
`);
  const result = await project.run(['up', '-d']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /service web not started: network berth-test-missing-network declared as external, but could not be found/);
  const containers = await project.containers();
  assert.deepEqual(containers.map((container) => [container.name, container.state]), [[`${project.name}-independent-1`, 'running']]);
});
