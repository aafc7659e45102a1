// `berth run` as a plan: what `--dry-run run` prints is what `run` then does, operation by operation (its
// dependencies, the one-off's create with its flags, start, post_start hooks, wait and --rm removal), and the
// one-off's post_start hooks behave as compose runs them (after the start, beside the attached container; a failing
// hook fails a run whose container succeeded, and the container's own failure wins).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dryThenReal, kinds } from './dry-run-check.js';
import { SLEEPER, testProject } from './helpers.js';

// The one-off waits (bounded) for the file its post_start hook writes, then prints it.
const READ_HOOK = `for i in $(seq 50); do [ -f /tmp/hooked ] && break; sleep 0.1; done; cat /tmp/hooked`;

const COMPOSE = `
services:
  db:
    image: \${IMAGE}
    command: ${SLEEPER}
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    depends_on: [db]
    post_start:
      - command: ["sh", "-c", "echo hooked by $$WHO > /tmp/hooked"]
        environment:
          WHO: post_start
  broken:
    image: \${IMAGE}
    command: ${SLEEPER}
    post_start:
      - command: ["sh", "-c", "echo hook output; touch /tmp/hook-ran; exit 3"]
`;

test('the dry run of run prints exactly what run then does, hooks and --rm included', async (t) => {
  const project = await testProject(t, COMPOSE);
  const name = `${project.name}-one`;
  const fresh = await dryThenReal(project, ['run', '--rm', '--name', name, '-e', 'X=1', 'web', 'sh', '-c', READ_HOOK]);
  assert.deepEqual(
    kinds(fresh.performed),
    ['create-container', 'create-network', 'create-one-off', 'remove-one-off', 'run-hook', 'start-container', 'start-one-off', 'wait-one-off'],
    'the dependency created and started, then the one-off created, started, hooked, waited for and removed',
  );
  assert.match(fresh.real.stdout, /hooked by post_start/, 'the post_start hook ran in the one-off, with its environment');
  assert.equal((await project.containers()).some((container) => container.name === name), false, '--rm: gone');

  // Again, detached: the dependency is up already, so only the one-off's create, start and hook.
  const detached = await dryThenReal(project, ['run', '-d', '--name', `${name}-d`, 'web']);
  assert.deepEqual(kinds(detached.performed), ['create-one-off', 'run-hook', 'start-one-off']);
  const started = (await project.containers()).find((container) => container.name === `${name}-d`);
  assert.ok(started && detached.real.stdout.trim() === started.id, '-d prints the id of the one-off, which runs');
  assert.equal(started.labels['com.docker.compose.oneoff'], 'True');

  // Without --name the name is drawn at random: the dry run shows compose's pattern.
  const dry = await project.run(['--dry-run', 'run', '--no-deps', 'db', 'true']);
  assert.equal(dry.code, 0, dry.stderr);
  assert.match(dry.stdout, new RegExp(`DRY-RUN MODE - create one-off container ${project.name}-db-run-[0-9a-f]{12} for service db: berth run`));
  assert.match(dry.stdout, /DRY-RUN MODE - wait for container \S+ to exit/);
});

test("a one-off's failing post_start hook fails run when the container succeeded; the container's own failure wins", async (t) => {
  const project = await testProject(t, COMPOSE);
  // The one-off lives until its hook has run (bounded): a hook that came after its end would fail for that reason.
  const untilHooked = `for i in $(seq 100); do [ -f /tmp/hook-ran ] && break; sleep 0.1; done`;
  const hookFails = await project.run(['run', '--rm', '--no-deps', 'broken', 'sh', '-c', untilHooked]);
  assert.notEqual(hookFails.code, 0);
  // Compose's way: the service named once, at the start of the line (never the plan's `service:broken:run` id).
  assert.match(hookFails.stderr, /^service broken: post_start hook #1 in container \S+-broken-run-[0-9a-f]{12} exited with status 3:\nhook output\n/m);
  assert.doesNotMatch(hookFails.stderr, /service:broken/);
  assert.doesNotMatch(hookFails.stderr, /\n\s+at /, 'no stack trace');
  const bothFail = await project.run(['run', '--rm', '--no-deps', 'broken', 'sh', '-c', `${untilHooked}; exit 5`]);
  assert.equal(bothFail.code, 5, bothFail.stderr);
  assert.deepEqual(await project.containers(), [], '--rm: nothing left behind');
});
