// The dry run is the plan the real run carries out: for each change a project goes through, `--dry-run` prints its
// steps, then the same command runs for real with BERTH_OPERATION_LOG set, and the steps the executor actually
// performed (and, operation by operation, what it did) must be exactly those the dry run printed.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { kinds, sameAsDryRun } from './dry-run-check.js';
import { SLEEPER, testEngine, testProject } from './helpers.js';

test('the dry run prints exactly what up, scaling, orphans and down -v then do', async (t) => {
  const compose = (greeting: string, extra = '') => `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    environment: [GREETING=${greeting}]
    depends_on: [db]
    volumes: [data:/data]
  db:
    image: \${IMAGE}
    command: ${SLEEPER}
${extra}
volumes:
  data:
`;
  const project = await testProject(t, compose('hello', `  old:\n    image: \${IMAGE}\n    command: ${SLEEPER}\n`));
  assert.deepEqual(kinds(await sameAsDryRun(project, ['up', '-d'])), ['create-container', 'create-network', 'create-volume', 'start-container'], 'fresh');
  assert.deepEqual(await sameAsDryRun(project, ['up', '-d']), [], 'unchanged: nothing at all');
  project.write(compose('bonjour', `  old:\n    image: \${IMAGE}\n    command: ${SLEEPER}\n`));
  assert.deepEqual(kinds(await sameAsDryRun(project, ['up', '-d'])), ['create-container', 'remove-container', 'rename-container', 'start-container', 'stop-container'], 'changed config');
  assert.deepEqual(kinds(await sameAsDryRun(project, ['up', '-d', '--scale', 'web=3'])), ['create-container', 'start-container'], 'scaled up');
  assert.deepEqual(kinds(await sameAsDryRun(project, ['up', '-d', '--scale', 'web=1'])), ['remove-container', 'stop-container'], 'scaled down');
  project.write(compose('bonjour'));
  assert.deepEqual(kinds(await sameAsDryRun(project, ['up', '-d', '--remove-orphans'])), ['remove-container', 'stop-container'], 'orphans');
  assert.deepEqual(kinds(await sameAsDryRun(project, ['stop'])), ['stop-container'], 'stop');
  assert.deepEqual(kinds(await sameAsDryRun(project, ['start'])), ['start-container'], 'start');
  assert.deepEqual(kinds(await sameAsDryRun(project, ['down', '-v'])), ['remove-container', 'remove-network', 'remove-volume', 'stop-container'], 'down -v');
  assert.deepEqual(await project.containers(), []);
});

test('the dry run prints exactly the builds and pulls that pull_policy, --build and --no-build lead to, and what down --rmi removes', async (t) => {
  const project = await testProject(t);
  const engine = await testEngine();
  // One context per service: identical Dockerfiles built side by side could share cached steps in an order that
  // changes an image when it is rebuilt (and a changed image recreates its containers, which no dry run can foresee).
  for (const service of ['built', 'rebuilt', 'always']) {
    mkdirSync(join(project.dir, service));
    writeFileSync(join(project.dir, service, 'Dockerfile'), `FROM berth-test-busybox:latest\nRUN echo ${service} > /built\nCMD ${SLEEPER}\n`);
  }
  // Nothing listens on this loopback port: a pull from it fails at once, and pull_policy: always keeps the image.
  const unreachable = `127.0.0.1:9/${project.name}/always:latest`;
  project.write(`
services:
  built:
    build: ./built
  rebuilt:
    build: ./rebuilt
    image: ${project.name}-rebuilt
    pull_policy: build
  always:
    build: ./always
    image: ${unreachable}
    pull_policy: always
  never:
    image: \${IMAGE}
    command: ${SLEEPER}
    pull_policy: never
`);
  t.after(async () => {
    for (const reference of [`${project.name}-built`, `${project.name}-rebuilt`, unreachable]) await engine.images.remove(reference, { force: true }).catch(() => {});
  });
  const first = await sameAsDryRun(project, ['up', '-d']);
  assert.deepEqual(
    first.filter((record) => /^(build|pull)-image/.test(record.operation)).map((record) => record.operation.split(':')[0]).sort(),
    ['build-image', 'build-image', 'pull-image'],
    'the missing images are built; the one named with a registry is pulled first (and built when that fails)',
  );
  const second = await sameAsDryRun(project, ['up', '-d']);
  assert.deepEqual(
    second.map((record) => record.operation.split(':')[0]).sort(),
    ['build-image', 'pull-image'],
    'pull_policy: build builds again (unchanged, so nothing is recreated); pull_policy: always pulls (and goes on with the built image when that fails)',
  );
  const noBuild = await sameAsDryRun(project, ['up', '-d', '--no-build', '--pull', 'never']);
  assert.deepEqual(noBuild, [], '--no-build --pull never: nothing to build or pull');
  const forced = await sameAsDryRun(project, ['up', '-d', '--build']);
  assert.deepEqual(kinds(forced), ['build-image'], '--build builds every image that has a build section, and pulls none');
  const down = await sameAsDryRun(project, ['down', '--rmi', 'local']);
  assert.deepEqual(
    down.filter((record) => record.operation.startsWith('remove-image')).map((record) => record.operation).sort(),
    [`remove-image: remove image ${project.name}-built`],
    '--rmi local removes only the image berth named itself',
  );
  assert.equal(await engine.images.inspect(`${project.name}-built`), undefined);
});
