// The library API (`import { up } from 'berth'`) on a real engine: one stack brought up and examined through every
// call, errors that name what went wrong, and nothing left behind. Runs on dockerd and on berth's own engine.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BerthError, exited, healthy, http, listening, logLine, ServicesWaitError, up, WaitError } from '../../src/lib/index.js';
import type { LogLine, ProgressEvent } from '../../src/lib/index.js';
import { testProject } from './helpers.js';

const STACK = `
services:
  web:
    image: \${IMAGE}
    command: ["sh", "-c", "echo hello > /var/www/index.html; echo web is up; echo to stderr >&2; exec httpd -f -p 8080 -h /var/www"]
    ports: ["127.0.0.1::8080"]
    environment:
      GREETING: \${GREETING}
    healthcheck:
      test: ["CMD", "test", "-f", "/var/www/index.html"]
      interval: 1s
      start_interval: 200ms
      start_period: 10s
    stop_signal: SIGKILL
  job:
    image: \${IMAGE}
    command: ["sh", "-c", "until [ -f /tmp/go ]; do sleep 0.2; done; echo job done; exit 3"]
    depends_on: [web]
`;

test('a stack comes up, answers every call and goes away with its last reference', async (t) => {
  const project = await testProject(t, STACK);
  const events: ProgressEvent[] = [];
  const writes: string[] = [];
  const restore = silence(writes);
  let names: string[];
  try {
    await using stack = await up({ cwd: project.dir, env: { GREETING: 'bonjour' }, wait: { timeout: 30_000 }, onProgress: (event) => events.push(event) });
    assert.equal(stack.name, project.name);
    assert.ok(events.some((event) => event.resource === `Container ${project.name}-web-1` && event.status === 'Started'), 'progress told');

    const address = await stack.port('web', 8080);
    assert.equal(address.host, '127.0.0.1');
    await stack.waitFor('web', healthy());
    await stack.waitFor('web', listening(8080));
    await stack.waitFor('web', http(8080, '/index.html'));
    const page = await fetch(await stack.url('web', 8080, '/index.html'));
    assert.equal((await page.text()).trim(), 'hello');

    const ran = await stack.exec('web', 'echo "$GREETING from $(pwd) as $(id -u)"; echo oops >&2; exit 4', { workdir: '/tmp', user: '65534' });
    assert.deepEqual(ran, { exitCode: 4, stdout: 'bonjour from /tmp as 65534\n', stderr: 'oops\n' });
    assert.match((await stack.exec('web', ['env'], { env: { EXTRA: 'yes' } })).stdout, /^EXTRA=yes$/m);

    await stack.waitFor('web', logLine(/web is UP/i));
    await stack.exec('job', ['touch', '/tmp/go']);
    await stack.waitFor('job', exited(3));
    const lines: LogLine[] = [];
    for await (const line of stack.logs('web')) lines.push(line);
    assert.deepEqual(
      lines.map((line) => [line.stream, line.text]).sort(),
      [['stderr', 'to stderr'], ['stdout', 'web is up']],
    );
    const all = [];
    for await (const line of stack.logs()) all.push(`${line.service}: ${line.text}`);
    assert.ok(all.includes('job: job done'), all.join('\n'));

    const services = await stack.services();
    assert.deepEqual(services.map((service) => service.name), ['job', 'web']);
    const [job, web] = services;
    assert.equal(job!.containers[0]!.state, 'exited');
    assert.equal(job!.containers[0]!.exitCode, 3);
    assert.equal(web!.containers[0]!.state, 'running');
    assert.equal(web!.containers[0]!.health, 'healthy');
    assert.deepEqual(web!.containers[0]!.ports, [{ containerPort: 8080, protocol: 'tcp', ...address }]);
    names = web!.containers.map((container) => container.name);
  } finally {
    restore();
  }
  assert.deepEqual(names, [`${project.name}-web-1`]);
  assert.deepEqual(await project.containers(), [], 'await using took the stack down');
  assert.deepEqual(writes, [], 'nothing printed');
});

test('a wait that times out names the service, the strategy and what it saw last', async (t) => {
  const project = await testProject(t, `
services:
  idle:
    image: \${IMAGE}
    command: ["sh", "-c", "echo starting; exec sleep 600"]
    stop_signal: SIGKILL
`);
  const stack = await up({ cwd: project.dir });
  try {
    await assert.rejects(stack.waitFor('idle', logLine('ready'), { timeout: 1500 }), (error: unknown) => {
      assert.ok(error instanceof WaitError);
      assert.equal(error.service, 'idle');
      assert.equal(error.strategy, 'logLine("ready")');
      assert.equal(error.timedOut, true);
      assert.match(error.message, /^service idle: waiting for logLine\("ready"\) timed out after 1500 ms; last saw: 0 matching lines of 1; the last line: "starting"$/);
      return true;
    });
    await assert.rejects(stack.waitFor('idle', listening(9999), { timeout: 1500 }), /listening\(9999\/tcp\) timed out .* last saw: no socket listening on 9999\/tcp inside the container/);
    await assert.rejects(stack.waitFor('idle', healthy()), /waiting for healthy\(\) failed: container .*-idle-1 has no healthcheck/);
    await assert.rejects(stack.waitFor('idle', http(80)), /waiting for http\(80, "\/", status 200\) failed: port 80\/tcp is not published/);
    await assert.rejects(stack.port('nope', 80), /no such service: nope/);
  } finally {
    await stack.down();
  }
  assert.deepEqual(await project.containers(), []);
});

test('up({ wait }) that fails rejects naming the service, the condition and what it saw last, and leaves nothing behind', async (t) => {
  const project = await testProject(t, `
services:
  db:
    image: \${IMAGE}
    command: ["sh", "-c", "exec sleep 600"]
    stop_signal: SIGKILL
    healthcheck:
      test: ["CMD", "false"]
      interval: 1s
      retries: 100
`);
  await assert.rejects(up({ cwd: project.dir, wait: { timeout: 2000 } }), (error: unknown) => {
    assert.ok(error instanceof ServicesWaitError, String(error));
    assert.deepEqual(
      error.failures.map((failure) => [failure.service, failure.condition, failure.outcome, failure.lastSeen]),
      [['db', 'healthy', 'pending', 'state "running", health "starting"']],
    );
    assert.match(error.message, /^application not healthy after 2s: service db \(container \S+-db-1\) is not healthy: not ready after 2s; last seen state "running", health "starting"$/);
    return true;
  });
  assert.deepEqual(await project.containers(), [], 'a failed up takes down what it made');
});

test('a file that does not parse rejects with the error the CLI prints', async (t) => {
  const project = await testProject(t, `
services:
  web:
    image: \${IMAGE}
    ports: [[[
`);
  const cli = await project.run(['up', '-d']);
  assert.notEqual(cli.code, 0);
  await assert.rejects(up({ cwd: project.dir }), (error: unknown) => {
    assert.ok(error instanceof BerthError);
    assert.ok(error.position?.line, 'has a line');
    assert.equal(`${error.describe()}\n`, cli.stderr);
    return true;
  });
});

/** Collects what anything writes on the process's stdout and stderr while the library runs. */
function silence(writes: string[]): () => void {
  const original = { out: process.stdout.write, err: process.stderr.write };
  const capture = (chunk: unknown): boolean => (writes.push(String(chunk)), true);
  process.stdout.write = capture as typeof process.stdout.write;
  process.stderr.write = capture as typeof process.stderr.write;
  return () => {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
  };
}
