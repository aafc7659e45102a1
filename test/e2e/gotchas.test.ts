// Where compose still trips its users, each as berth's obligation: --wait and completed dependencies (#10596),
// acting on one profile's services only (#12648), where a variable's value came from (#11865), builds in
// dependency order (#5228).
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { IMAGE, SLEEPER, succeeded, testEngine, testProject } from './helpers.js';

test('up --wait: a service that exited 0 and that another waits on with service_completed_successfully is done, not failed (compose#10596)', async (t) => {
  const project = await testProject(t, `
services:
  migrate:
    image: \${IMAGE}
    command: ["sh", "-c", "echo migrated"]
  app:
    image: \${IMAGE}
    command: ${SLEEPER}
    depends_on:
      migrate:
        condition: service_completed_successfully
`);
  const result = succeeded(await project.run(['up', '--wait', '--wait-timeout', '60', '--report', '-'], { timeoutMs: 120_000 }));
  const report = JSON.parse(result.stdout);
  assert.equal(report.services.migrate.replicas[0].wait.outcome, 'completed');
  assert.equal(report.services.migrate.replicas[0].exitCode, 0);
  assert.equal(report.services.app.replicas[0].wait.outcome, 'ready');
});

const PROFILED = `
services:
  core:
    image: \${IMAGE}
    command: ${SLEEPER}
  debug:
    image: \${IMAGE}
    command: ${SLEEPER}
    profiles: [debug]
  tools:
    image: \${IMAGE}
    command: ${SLEEPER}
    profiles: [tools]
`;

async function running(project: { containers(): Promise<Array<{ name: string; state: string }>> }, prefix: string): Promise<string[]> {
  return (await project.containers()).filter((container) => container.state === 'running').map((container) => container.name.slice(prefix.length + 1)).sort();
}

test('stop, restart and down with --profiles-only touch only the services of those profiles, never the unprofiled ones (compose#12648)', async (t) => {
  const project = await testProject(t, PROFILED);
  succeeded(await project.run(['--profile', 'debug', '--profile', 'tools', 'up', '-d']));
  assert.deepEqual(await running(project, project.name), ['core-1', 'debug-1', 'tools-1']);

  succeeded(await project.run(['--profile', 'debug', 'stop', '--profiles-only']));
  assert.deepEqual(await running(project, project.name), ['core-1', 'tools-1']);
  succeeded(await project.run(['--profile', 'debug', 'restart', '--profiles-only']));
  assert.deepEqual(await running(project, project.name), ['core-1', 'debug-1', 'tools-1']);

  // No active profile: the services of every profile.
  succeeded(await project.run(['stop', '--profiles-only']));
  assert.deepEqual(await running(project, project.name), ['core-1']);

  succeeded(await project.run(['--profile', 'tools', 'down', '--profiles-only']));
  const left = (await project.containers()).map((container) => container.name.slice(project.name.length + 1)).sort();
  assert.deepEqual(left, ['core-1', 'debug-1'], 'only tools removed');
  const engine = await testEngine();
  assert.equal((await engine.networks.list({ label: [`com.docker.compose.project=${project.name}`] })).length, 1, 'the network stays');

  const none = succeeded(await project.run(['--profile', 'nothing', 'stop', '--profiles-only']));
  assert.match(none.stderr, /no service of profile nothing to act on/);
  assert.deepEqual(await running(project, project.name), ['core-1'], 'an empty choice is not "everything"');
});

test('config --environment --explain says where each value came from: shell, --env-file, .env, a default, or nowhere (compose#11865)', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    environment:
      A: \${FROM_SHELL}
      B: \${FROM_DOTENV}
      C: \${FROM_DEFAULT:-fallback}
      D: \${NOWHERE}
`);
  writeFileSync(join(project.dir, '.env'), 'FROM_DOTENV=dot\nFROM_SHELL=loses\n');
  writeFileSync(join(project.dir, 'other.env'), 'FROM_DOTENV=other\n');
  const text = succeeded(await project.run(['config', '--environment', '--explain'], { env: { FROM_SHELL: 'shell' } })).stdout;
  assert.match(text, /^FROM_SHELL=shell +# from the shell environment$/m);
  assert.match(text, new RegExp(`^FROM_DOTENV=dot +# from ${join(project.dir, '.env')}$`, 'm'));
  assert.match(text, /^FROM_DEFAULT=fallback +# not set: the default written in the compose file$/m);
  assert.match(text, /^NOWHERE= +# not set, and no default: interpolated as an empty string$/m);
  assert.match(text, new RegExp(`^COMPOSE_PROJECT_NAME=${project.name} +# set by berth: the project name$`, 'm'));

  const json = JSON.parse(succeeded(await project.run(['--env-file', 'other.env', 'config', '--environment', '--explain', '--format', 'json'], { env: { FROM_SHELL: 'shell' } })).stdout);
  assert.deepEqual(json.find((variable: { name: string }) => variable.name === 'FROM_DOTENV'), { name: 'FROM_DOTENV', value: 'other', source: 'env-file', file: join(project.dir, 'other.env') });
  const bad = await project.run(['config', '--explain']);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /--explain goes with --environment/);
});

test('a build whose Dockerfile starts FROM the image a dependency builds waits for that build (compose#5228)', async (t) => {
  const project = await testProject(t);
  const engine = await testEngine();
  const base = `${project.name}-base-image`;
  t.after(async () => {
    for (const image of [`${project.name}-app`, base]) await engine.images.remove(image, { force: true }).catch(() => {});
  });
  mkdirSync(join(project.dir, 'base'));
  mkdirSync(join(project.dir, 'app'));
  // The base takes a while to build: built at the same time, app's FROM would find nothing (and no registry).
  writeFileSync(join(project.dir, 'base', 'Dockerfile'), `FROM ${IMAGE}\nRUN sleep 2 && echo base > /base\n`);
  writeFileSync(join(project.dir, 'app', 'Dockerfile'), `FROM ${base}\nRUN cat /base > /app\n`);
  project.write(`
services:
  app:
    build: ./app
    command: ${SLEEPER}
    depends_on: [base]
  base:
    build: ./base
    image: ${base}
    command: ${SLEEPER}
`);
  succeeded(await project.run(['build'], { timeoutMs: 180_000 }));
  assert.ok(await engine.images.inspect(`${project.name}-app`), 'app built on top of base');
  await engine.images.remove(`${project.name}-app`, { force: true });
  await engine.images.remove(base, { force: true });
  // A new step, so that neither build is served from the cache (berth's engine can keep a cache entry whose layers
  // went with the removed image: see NOTES.md).
  writeFileSync(join(project.dir, 'base', 'Dockerfile'), `FROM ${IMAGE}\nRUN sleep 2 && echo base again > /base\n`);
  succeeded(await project.run(['up', '-d'], { timeoutMs: 180_000 }));
  assert.ok(await engine.images.inspect(`${project.name}-app`), 'up builds in the same order');
});
