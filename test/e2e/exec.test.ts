// Scenario tests of `berth exec`: a process in a service's running container, wired to the user's streams as
// `docker compose exec` wires them, its exit code berth's own.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, SLEEPER, testProject, waitFor } from './helpers.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

const COMPOSE = `
services:
  web:
    image: \${IMAGE}
    command: ${SLEEPER}
    environment:
      FROM_FILE: yes
`;

// One project for the whole file (starting containers is the slow part); each obligation is a subtest.
test('exec', async (t) => {
  const project = await testProject(t, COMPOSE);
  const up = await project.run(['up', '-d']);
  assert.equal(up.code, 0, up.stderr);

  await t.test('runs the command in the service container: stdout and stderr apart, its exit code returned', async () => {
    const result = await project.run(['exec', '-T', 'web', 'sh', '-c', 'echo out; echo err >&2; echo $FROM_FILE; exit 3']);
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stdout, 'out\nyes\n');
    assert.equal(result.stderr, 'err\n');
  });

  await t.test('a program that cannot be started exits 126, as docker exec does', async () => {
    const result = await project.run(['exec', '-T', 'web', 'no-such-program']);
    assert.equal(result.code, 126, result.stderr);
    assert.match(result.stdout + result.stderr, /no-such-program/);
  });

  await t.test('-e -u -w: the environment, user and working directory of the process', async () => {
    const result = await project.run(['exec', '-T', '-e', 'ONE=1', '-e', 'FROM_SHELL', '-e', 'UNSET_ANYWHERE', '-u', '1000:1000', '-w', '/tmp', 'web', 'sh', '-c', 'echo $ONE $FROM_SHELL ${UNSET_ANYWHERE-unset}; id -u; id -g; pwd'], {
      env: { FROM_SHELL: 'shell' },
    });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '1 shell unset\n1000\n1000\n/tmp\n');
  });

  await t.test('streams stdin to the process, which reads EOF when it ends', async () => {
    const result = await project.run(['exec', '-T', 'web', 'sh', '-c', 'wc -l; cat'], { input: 'a\nb\nc\n' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), '3');
  });

  await t.test('-d returns at once and leaves the process running', async () => {
    const result = await project.run(['exec', '-d', 'web', 'sh', '-c', 'sleep 1; touch /tmp/done']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, '');
    await waitFor(async () => (await project.run(['exec', '-T', 'web', 'test', '-f', '/tmp/done'])).code === 0, 10_000);
  });

  await t.test('--privileged: the process gets every capability', async (t) => {
    const plain = await project.run(['exec', '-T', 'web', 'grep', 'CapEff', '/proc/self/status']);
    assert.equal(plain.code, 0, plain.stderr);
    assert.doesNotMatch(plain.stdout, /CapEff:\s+000001f/);
    const privileged = await project.run(['exec', '-T', '--privileged', 'web', 'grep', 'CapEff', '/proc/self/status']);
    // A dockerd that is itself confined (as on some CI machines) cannot grant what it lacks: it tried, and said so.
    if (privileged.code !== 0 && /unable to apply caps: operation not permitted/.test(privileged.stdout + privileged.stderr)) {
      t.diagnostic('this engine cannot grant every capability here');
      return;
    }
    assert.equal(privileged.code, 0, privileged.stderr);
    assert.match(privileged.stdout, /CapEff:\s+000001f/);
  });

  await t.test('a terminal when stdin and stdout are terminals, none with -T', { skip: !hasScript && 'script(1) is not installed' }, async () => {
    const underTerminal = (args: string): Promise<{ code: number | null; output: string }> =>
      new Promise((resolve) => {
        const command = `${process.execPath} ${join(ROOT, 'bin/berth.js')} ${args}`;
        const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: project.dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
        let output = '';
        child.stdout.on('data', (chunk) => (output += chunk));
        child.on('close', (code) => resolve({ code, output }));
      });
    const tty = await underTerminal(`exec web sh -c 'tty; exit 4'`);
    assert.equal(tty.code, 4, tty.output);
    // One \r\n: the container's terminal makes it, berth's raw terminal adds no \r of its own.
    assert.match(tty.output, /\/dev\/pts\/\d+\r\n/);
    const none = await underTerminal(`exec -T web sh -c 'tty; exit 0'`);
    assert.match(none.output, /not a tty/);
  });

  await t.test('--index picks the replica; a number out of range is an error', async () => {
    const scaled = await project.run(['up', '-d', '--scale', 'web=2']);
    assert.equal(scaled.code, 0, scaled.stderr);
    const names = await Promise.all([1, 2].map(async (index) => (await project.run(['exec', '-T', '--index', String(index), 'web', 'hostname'])).stdout.trim()));
    const ids = Object.fromEntries((await project.containers()).map((container) => [container.name, container.id.slice(0, 12)]));
    assert.deepEqual(names, [ids[`${project.name}-web-1`], ids[`${project.name}-web-2`]]);
    const missing = await project.run(['exec', '-T', '--index', '3', 'web', 'true']);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /service "web" is not running container #3/);
  });

  await t.test('names what is wrong: an unknown service, -t without a terminal, a service without a running container', async () => {
    const unknown = await project.run(['exec', '-T', 'nope', 'true']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no such service: nope/);
    const noTerminal = await project.run(['exec', '-t', 'web', 'true'], { input: '' });
    assert.equal(noTerminal.code, 1);
    assert.match(noTerminal.stderr, /the input device is not a TTY/);
    const stopped = await project.run(['stop', 'web']);
    assert.equal(stopped.code, 0, stopped.stderr);
    const notRunning = await project.run(['exec', '-T', 'web', 'true']);
    assert.equal(notRunning.code, 1);
    assert.match(notRunning.stderr, /service "web" is not running/);
  });
});
