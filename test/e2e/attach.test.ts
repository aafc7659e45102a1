// Scenario tests of `berth attach` on one engine (no terminal): the input reaches a container that keeps stdin open
// and berth exits with its exit code; with --no-stdin the output is followed and signals berth gets reach the
// container (--sig-proxy); bad input is one message. Every berth call is bounded by a timeout that kills it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { SLEEPER, succeeded, testProject } from './helpers.js';

const BOUND = { timeoutMs: 60_000 };

test('attach streams stdin into the service container and exits with its code', async (t) => {
  const project = await testProject(t, `
services:
  echo:
    image: \${IMAGE}
    stdin_open: true
    command: ["sh", "-c", "read line; echo \\"got $$line\\"; exit 3"]
`);
  succeeded(await project.run(['up', '-d'], BOUND));
  const attached = await project.run(['attach', 'echo'], { ...BOUND, input: 'hello\n' });
  assert.equal(attached.code, 3, attached.stderr);
  // The engine ends the output when the input ends (the container does not close stdin once): the container's log
  // shows what it read.
  const logs = spawnSync('docker', ['logs', `${project.name}-echo-1`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(logs.stdout, 'got hello\n');
});

test('attach --no-stdin follows the output, and a signal berth gets reaches the container', async (t) => {
  const project = await testProject(t, `
services:
  ticker:
    image: \${IMAGE}
    command: ["sh", "-c", "trap 'echo bye; exit 0' TERM; while true; do echo tick; sleep 0.2; done"]
    deploy: { replicas: 2 }
  idle:
    image: \${IMAGE}
    command: ${SLEEPER}
`);
  succeeded(await project.run(['up', '-d'], BOUND));
  let pid: number | undefined;
  let signalled = false;
  const attached = await project.run(['attach', '--no-stdin', '--index', '2', 'ticker'], {
    ...BOUND,
    onSpawn: (spawned) => (pid = spawned),
    onStdout: (chunk) => {
      if (!signalled && chunk.includes('tick') && pid !== undefined) {
        signalled = true;
        process.kill(pid, 'SIGTERM');
      }
    },
  });
  assert.equal(attached.code, 0, attached.stderr);
  assert.match(attached.stdout, /tick\n(tick\n)*bye\n$/);
  const state = spawnSync('docker', ['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', `${project.name}-ticker-2`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(state.stdout.trim(), 'exited 0', 'the proxied SIGTERM stopped replica 2');
  const other = spawnSync('docker', ['inspect', '-f', '{{.State.Status}}', `${project.name}-ticker-1`], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(other.stdout.trim(), 'running', 'replica 1 was not touched');

  const cases: Array<[string[], RegExp]> = [
    [['attach', 'nosuch'], /no such service: nosuch/],
    [['attach', '--index', '5', 'ticker'], /service "ticker" is not running container #5/],
    [['attach', '--detach-keys', 'ctrl-', 'idle'], /invalid --detach-keys "ctrl-"/],
  ];
  for (const [args, message] of cases) {
    const result = await project.run(args, BOUND);
    assert.equal(result.code, 1, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
});
