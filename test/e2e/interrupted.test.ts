// berth killed with SIGKILL half-way through `up` and `down` leaves a project the next command brings where it was
// asked to go: the engine's state is the only state, so nothing berth knew and forgot can be in the way.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RunResult, TestProject } from './helpers.js';
import { SLEEPER, testEngine, testProject } from './helpers.js';

const SERVICES = 6;

/** A chain of services (each depends on the one before), so that `up` and `down` take one step at a time. */
function chain(): string {
  const services = Array.from({ length: SERVICES }, (_, index) => {
    const depends = index > 0 ? `\n    depends_on: [s${index - 1}]` : '';
    return `  s${index}:\n    image: \${IMAGE}\n    command: ${SLEEPER}\n    stop_grace_period: 1s${depends}`;
  });
  return `services:\n${services.join('\n')}\n`;
}

/** Runs berth and kills it with SIGKILL as soon as `ready` holds (or lets it finish if it gets there first). */
async function killWhen(project: TestProject, args: readonly string[], ready: () => Promise<boolean>): Promise<RunResult & { killed: boolean }> {
  let pid = 0;
  let finished = false;
  const run = project.run(args, { onSpawn: (spawned) => (pid = spawned) }).finally(() => (finished = true));
  const deadline = Date.now() + 60_000;
  let killed = false;
  while (!finished && Date.now() < deadline) {
    if (pid > 0 && (await ready())) {
      process.kill(pid, 'SIGKILL');
      killed = true;
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  return { ...(await run), killed };
}

test('berth killed with SIGKILL in the middle of up: the next up converges, one running container per service', async (t) => {
  const project = await testProject(t, chain());
  const interrupted = await killWhen(project, ['up', '-d'], async () => (await project.containers()).length >= 2);
  t.diagnostic(interrupted.killed ? 'killed mid-way' : 'up finished before the kill');
  const again = await project.run(['up', '-d']);
  assert.equal(again.code, 0, again.stderr);
  const containers = await project.containers();
  assert.deepEqual(
    containers.map((container) => container.labels['com.docker.compose.service']).sort(),
    Array.from({ length: SERVICES }, (_, index) => `s${index}`).sort(),
  );
  const docker = await testEngine();
  for (const container of containers) assert.equal((await docker.containers.inspect(container.id))?.state.running, true, `${container.name} runs`);
});

test('berth killed with SIGKILL in the middle of down: the next down removes the rest', async (t) => {
  const project = await testProject(t, chain());
  assert.equal((await project.run(['up', '-d'])).code, 0);
  const interrupted = await killWhen(project, ['down'], async () => (await project.containers()).length < SERVICES);
  t.diagnostic(interrupted.killed ? 'killed mid-way' : 'down finished before the kill');
  const again = await project.run(['down']);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(await project.containers(), []);
  const docker = await testEngine();
  assert.deepEqual(await docker.networks.list({ label: [`com.docker.compose.project=${project.name}`] }), []);
});
