// watch: develop.watch rules acting on a running project, on a real engine. berth watch runs as a user would (a
// child process, stopped with SIGINT); what reaches the containers is read back from them.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { IMAGE, ROOT, SLEEPER, testEngine, testProject, waitFor } from './helpers.js';
import type { TestProject } from './helpers.js';

/** `berth watch` in the background; its stderr collected; stopped (SIGINT, as Ctrl-C) when the test ends. */
function watch(t: TestContext, project: TestProject, args: string[] = []): { output: () => string; child: ChildProcess } {
  let stderr = '';
  const child = spawn(process.execPath, [join(ROOT, 'bin/berth.js'), 'watch', ...args], {
    cwd: project.dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  child.stderr!.on('data', (chunk) => (stderr += chunk));
  t.after(async () => {
    if (child.exitCode === null) {
      child.kill('SIGINT');
      await new Promise((resolve) => child.once('exit', resolve));
    }
  });
  return { output: () => stderr, child };
}

/** A file's content in the container; undefined when it is not there (or the container is being replaced). */
async function fileIn(container: string, path: string): Promise<string | undefined> {
  const engine = await testEngine();
  try {
    const result = await engine.containers.exec(container, { command: ['cat', path] });
    return result.exitCode === 0 ? result.output : undefined;
  } catch {
    return undefined;
  }
}

test('sync: new, changed and deleted files reach every replica; ignored files do not; initial_sync; sync+exec and sync+restart', async (t) => {
  const project = await testProject(t);
  const src = join(project.dir, 'src');
  mkdirSync(src);
  writeFileSync(join(src, 'before.txt'), 'there before watch\n');
  project.write(`
services:
  app:
    image: \${IMAGE}
    command: ${SLEEPER}
    scale: 2
    develop:
      watch:
        - path: ./src
          action: sync
          target: /srv
          initial_sync: true
          ignore: ["*.tmp"]
  hooked:
    image: \${IMAGE}
    command: ${SLEEPER}
    develop:
      watch:
        - path: ./src
          action: sync+exec
          target: /srv
          exec:
            command: ["sh", "-c", "ls /srv > /tmp/hook-ran"]
  restarted:
    image: \${IMAGE}
    command: ${SLEEPER}
    develop:
      watch:
        - path: ./src
          action: sync+restart
          target: /srv
`);
  const session = watch(t, project);
  await waitFor(() => session.output().includes('Watch enabled'), 60_000);
  const replicas = [`${project.name}-app-1`, `${project.name}-app-2`];
  for (const name of replicas) assert.equal(await fileIn(name, '/srv/before.txt'), 'there before watch\n', 'initial_sync');
  const engine = await testEngine();
  const startedBefore = (await engine.containers.inspect(`${project.name}-restarted-1`))!.state.startedAt;

  writeFileSync(join(src, 'new.txt'), 'new\n');
  writeFileSync(join(src, 'before.txt'), 'changed\n');
  writeFileSync(join(src, 'scratch.tmp'), 'ignored\n');
  for (const name of replicas) {
    await waitFor(async () => (await fileIn(name, '/srv/before.txt')) === 'changed\n');
    assert.equal(await fileIn(name, '/srv/new.txt'), 'new\n');
    assert.equal(await fileIn(name, '/srv/scratch.tmp'), undefined, 'ignored files are not synced');
  }
  await waitFor(async () => (await fileIn(`${project.name}-hooked-1`, '/tmp/hook-ran'))?.includes('new.txt') ?? false);
  await waitFor(async () => (await engine.containers.inspect(`${project.name}-restarted-1`))!.state.startedAt !== startedBefore);

  rmSync(join(src, 'new.txt'));
  for (const name of replicas) await waitFor(async () => (await fileIn(name, '/srv/new.txt')) === undefined);

  // A save right after another (the first sent at once): the container must end with the last one.
  writeFileSync(join(src, 'before.txt'), 'first save\n');
  await new Promise((resolve) => setTimeout(resolve, 10));
  writeFileSync(join(src, 'before.txt'), 'second save\n');
  for (const name of replicas) await waitFor(async () => (await fileIn(name, '/srv/before.txt')) === 'second save\n');
  assert.match(session.output(), /Syncing service "app" after \d+ changes?/);
});

test('rebuild: only that service is rebuilt and recreated; a failed build leaves it running', async (t) => {
  const project = await testProject(t);
  const app = join(project.dir, 'app');
  mkdirSync(app);
  copyFileSync('/bin/busybox', join(app, 'busybox'));
  const dockerfile = (marker: string) => `FROM ${IMAGE}\nRUN echo ${marker} > /marker\n`;
  writeFileSync(join(app, 'Dockerfile'), dockerfile('one'));
  project.write(`
services:
  built:
    build: ./app
    command: ${SLEEPER}
    develop:
      watch:
        - path: ./app/Dockerfile
          action: rebuild
  other:
    image: \${IMAGE}
    command: ${SLEEPER}
  dependent:
    image: \${IMAGE}
    command: ${SLEEPER}
    depends_on:
      built: {condition: service_started, restart: true}
`);
  const session = watch(t, project);
  await waitFor(() => session.output().includes('Watch enabled'), 60_000);
  const engine = await testEngine();
  const before = await engine.containers.inspect(`${project.name}-built-1`);
  const other = await engine.containers.inspect(`${project.name}-other-1`);
  const dependentStarted = (await engine.containers.inspect(`${project.name}-dependent-1`))!.state.startedAt;
  writeFileSync(join(app, 'Dockerfile'), dockerfile('two'));
  await waitFor(async () => (await fileIn(`${project.name}-built-1`, '/marker')) === 'two\n', 60_000);
  assert.notEqual((await engine.containers.inspect(`${project.name}-built-1`))!.id, before!.id, 'the service was recreated');
  assert.equal((await engine.containers.inspect(`${project.name}-other-1`))!.id, other!.id, 'the other service was left alone');
  await waitFor(async () => (await engine.containers.inspect(`${project.name}-dependent-1`))!.state.startedAt !== dependentStarted);

  const running = (await engine.containers.inspect(`${project.name}-built-1`))!.id;
  writeFileSync(join(app, 'Dockerfile'), `${dockerfile('three')}FROBNICATE\n`);
  await waitFor(() => /Build failed: .*FROBNICATE/.test(session.output()), 60_000);
  assert.equal((await engine.containers.inspect(`${project.name}-built-1`))!.id, running, 'the old container keeps running');
  assert.equal(await fileIn(`${project.name}-built-1`, '/marker'), 'two\n');
});

test('watch refuses what cannot work: no develop section, a rebuild rule without build, a path that does not exist', async (t) => {
  const project = await testProject(t);
  project.write(`
services:
  plain:
    image: \${IMAGE}
    command: ${SLEEPER}
`);
  const none = await project.run(['watch', '--no-up']);
  assert.equal(none.code, 1);
  assert.match(none.stderr, /none of the selected services is configured for watch/);
  project.write(`
services:
  plain:
    image: \${IMAGE}
    develop:
      watch:
        - path: .
          action: rebuild
`);
  assert.match((await project.run(['watch', '--no-up'])).stderr, /has no build section, so a rebuild rule cannot rebuild it/);
  project.write(`
services:
  plain:
    image: \${IMAGE}
    develop:
      watch:
        - path: ./missing
          action: sync
          target: /x
`);
  assert.match((await project.run(['watch', '--no-up'])).stderr, /missing does not exist/);
  mkdirSync(join(project.dir, 'mounted'));
  project.write(`
services:
  plain:
    image: \${IMAGE}
    command: ${SLEEPER}
    volumes: ["./mounted:/data"]
    develop:
      watch:
        - path: ./mounted
          action: sync
          target: /data
`);
  const session = watch(t, project, ['--no-up']);
  await waitFor(() => /already bind-mounted/.test(session.output()), 30_000);
  assert.match((await project.run(['up', '-d', '--watch'])).stderr, /--watch cannot be combined with --detach/);
});
