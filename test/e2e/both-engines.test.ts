// The scenarios that need no networks, run against both engines: the local dockerd and berth's own. The same
// obligations must hold on each.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestEngine } from './engine-helpers.js';
import type { TestEngine } from './engine-helpers.js';
import { byName, SLEEPER, testEngine, testProject } from './helpers.js';

let berthEngine: TestEngine | undefined;
before(async () => {
  berthEngine = await startTestEngine();
});
after(async () => {
  await berthEngine?.stop();
});

const TARGETS: ReadonlyArray<readonly [string, () => string | undefined]> = [
  ['dockerd', () => undefined],
  ["berth's engine", () => berthEngine!.host],
];

for (const [label, host] of TARGETS) {
  describe(`on ${label}`, () => {
    test('an unchanged up recreates nothing; a changed environment recreates only that service', async (t) => {
      const compose = (value: string) => `
services:
  web:
    image: \${IMAGE}
    network_mode: none
    command: ${SLEEPER}
    environment: [GREETING=${value}]
    depends_on: [db]
  db:
    image: \${IMAGE}
    network_mode: none
    command: ${SLEEPER}
`;
      const project = await testProject(t, compose('hello'), host());
      assert.equal((await project.run(['up', '-d'])).code, 0);
      const first = byName(await project.containers());
      const again = await project.run(['--progress', 'plain', 'up', '-d']);
      assert.equal(again.code, 0, again.stderr);
      assert.doesNotMatch(again.stderr, /Recreate|Creating/);
      project.write(compose('bonjour'));
      const changed = await project.run(['up', '-d']);
      assert.equal(changed.code, 0, changed.stderr);
      const after = byName(await project.containers());
      assert.equal(after[`${project.name}-db-1`]!.id, first[`${project.name}-db-1`]!.id);
      assert.notEqual(after[`${project.name}-web-1`]!.id, first[`${project.name}-web-1`]!.id);
      assert.equal(after[`${project.name}-web-1`]!.state, 'running');
    });

    test('--dry-run touches nothing; scale keeps the lowest numbers', async (t) => {
      const project = await testProject(t, `
services:
  worker:
    image: \${IMAGE}
    network_mode: none
    command: ${SLEEPER}
`, host());
      const dry = await project.run(['--dry-run', 'up', '-d', '--scale', 'worker=2']);
      assert.equal(dry.code, 0, dry.stderr);
      assert.deepEqual(await project.containers(), []);
      assert.equal((await project.run(['up', '-d', '--scale', 'worker=3'])).code, 0);
      assert.equal((await project.run(['up', '-d', '--scale', 'worker=1'])).code, 0);
      const numbers = (await project.containers()).map((container) => container.labels['com.docker.compose.container-number']);
      assert.deepEqual(numbers, ['1']);
    });

    test('orphans are removed with --remove-orphans; down works from labels alone', async (t) => {
      const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    network_mode: none
    command: ${SLEEPER}
  old:
    image: \${IMAGE}
    network_mode: none
    command: ${SLEEPER}
`, host());
      assert.equal((await project.run(['up', '-d'])).code, 0);
      project.write(`
services:
  web:
    image: \${IMAGE}
    network_mode: none
    command: ${SLEEPER}
`);
      assert.equal((await project.run(['up', '-d', '--remove-orphans'])).code, 0);
      assert.deepEqual((await project.containers()).map((container) => container.name), [`${project.name}-web-1`]);
      const { rmSync } = await import('node:fs');
      rmSync(`${project.dir}/compose.yaml`);
      assert.equal((await project.run(['-p', project.name, 'down'])).code, 0);
      assert.deepEqual(await project.containers(), []);
    });

    test('service_healthy waits for the healthcheck; up --wait returns once healthy', async (t) => {
      const project = await testProject(t, `
services:
  db:
    image: \${IMAGE}
    network_mode: none
    command: ["sh", "-c", "sleep 1; touch /tmp/ready; trap 'exit 0' TERM; while true; do sleep 0.2; done & wait"]
    healthcheck:
      test: ["CMD", "test", "-f", "/tmp/ready"]
      interval: 1s
      start_period: 10s
  web:
    image: \${IMAGE}
    network_mode: none
    command: ${SLEEPER}
    depends_on:
      db:
        condition: service_healthy
`, host());
      const result = await project.run(['up', '--wait', '--wait-timeout', '30']);
      assert.equal(result.code, 0, result.stderr);
      const engine = await testEngine(host());
      const db = await engine.containers.inspect(`${project.name}-db-1`);
      const web = await engine.containers.inspect(`${project.name}-web-1`);
      assert.equal(db?.state.health, 'healthy');
      assert.ok(Date.parse(web!.state.startedAt) - Date.parse(db!.state.startedAt) >= 900, 'web started once db was healthy');
    });

    test('service_completed_successfully orders the start; --exit-code-from returns that exit code', async (t) => {
      const project = await testProject(t, `
services:
  migrate:
    image: \${IMAGE}
    network_mode: none
    command: ["sh", "-c", "sleep 0.5; exit 0"]
  app:
    image: \${IMAGE}
    network_mode: none
    command: ["sh", "-c", "echo app ran; exit 4"]
    depends_on:
      migrate:
        condition: service_completed_successfully
`, host());
      const result = await project.run(['up', '--exit-code-from', 'app']);
      assert.equal(result.code, 4, result.stderr);
      assert.match(result.stdout, /app-1 +\| app ran/);
      const engine = await testEngine(host());
      const migrate = await engine.containers.inspect(`${project.name}-migrate-1`);
      const app = await engine.containers.inspect(`${project.name}-app-1`);
      assert.ok(Date.parse(app!.state.startedAt) >= Date.parse(migrate!.state.finishedAt));
    });
  });
}
