// berth's engine and a container's input and terminal: stdin from a pipe reaches its end, a quick exit on a
// terminal ends the run, and no resize or end of input can freeze the engine once the container's monitor is gone.
// Every wait is bounded: a request that gets no answer fails the test instead of hanging the run.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { openSync, closeSync, constants, readFileSync, writeSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestEngine } from './engine-helpers.js';
import type { TestEngine } from './engine-helpers.js';
import { IMAGE } from './helpers.js';

let engine: TestEngine;
before(async () => {
  engine = await startTestEngine();
});
after(async () => {
  await engine?.stop();
});

/** A request that must be answered within `ms`: the status, or 0 when no answer came (a frozen engine). */
function answered(method: string, path: string, ms = 5000): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ socketPath: engine.socket, method, path, agent: false, timeout: ms }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
    });
    req.on('timeout', () => {
      req.destroy();
      resolve(0);
    });
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** The stock docker CLI against the engine, killed after `ms`; without blocking the test's event loop. */
function docker(args: readonly string[], input?: Buffer, ms = 30_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('docker', ['-H', engine.host, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), ms);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.on('error', () => {});
    child.stdin.end(input);
  });
}

const containerFile = (id: string, name: string): string => join(engine.root, 'containers', id, name);

/** Creates and starts a container through the API (StdinOnce is not settable from `docker run -d`). */
async function startContainer(body: object): Promise<string> {
  const text = JSON.stringify(body);
  const id = await new Promise<string>((resolve, reject) => {
    const req = request(
      { socketPath: engine.socket, method: 'POST', path: '/containers/create', agent: false, timeout: 10_000, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) } },
      (response) => {
        let answer = '';
        response.on('data', (chunk) => (answer += chunk));
        response.on('end', () => (response.statusCode === 201 ? resolve((JSON.parse(answer) as { Id: string }).Id) : reject(new Error(answer))));
      },
    );
    req.on('timeout', () => req.destroy(new Error('no answer to create')));
    req.on('error', reject);
    req.end(text);
  });
  assert.equal(await answered('POST', `/containers/${id}/start`), 204);
  return id;
}

/** Attaches with stdin on an upgraded connection, sends `input` and half-closes; the connection is dropped after `ms`. */
async function attachAndEnd(id: string, input: string, ms: number): Promise<string> {
  const { connect } = await import('node:net');
  const connection = connect(engine.socket);
  let received = '';
  connection.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
  connection.on('error', () => {});
  connection.write(`POST /containers/${id}/attach?stream=1&stdin=1&stdout=1 HTTP/1.1\r\nHost: engine\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  connection.end(input);
  await new Promise((resolve) => setTimeout(resolve, ms));
  connection.destroy();
  return received;
}

test('a resize or an end of input after the monitor is gone is answered, and the engine keeps serving', async () => {
  // The container's monitor ends as soon as it does, before the engine notices: its FIFOs then have no reader.
  // Killing the monitor of a running container holds that moment open.
  const id = await startContainer({ Image: IMAGE, Cmd: ['sleep', '60'], Tty: true, OpenStdin: true, StdinOnce: true, HostConfig: { NetworkMode: 'none' } });
  try {
    const monitor = Number(readFileSync(containerFile(id, 'monitor.pid'), 'utf8'));
    assert.ok(monitor > 1);
    process.kill(monitor, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(await answered('POST', `/containers/${id}/resize?h=30&w=100`), 200);
    assert.equal(await answered('GET', '/_ping'), 200);
    // Attached clients whose input ends (with StdinOnce, the `eof` line for the monitor). A blocking open of the
    // stdin FIFO took one of the thread pool's 4 threads for good each time: after 4, no file operation of the
    // engine ever completed again (builds, pulls and starts hung while /_ping still answered).
    for (let attach = 0; attach < 5; attach++) assert.match(await attachAndEnd(id, 'x\n', 200), /^HTTP\/1\.1 101/);
    assert.equal(await answered('GET', '/_ping'), 200);
    const other = await docker(['run', '--rm', '--network', 'none', IMAGE, 'echo', 'still-working'], undefined, 30_000);
    assert.deepEqual([other.code, other.stdout], [0, 'still-working\n'], other.stderr);
  } finally {
    await docker(['rm', '-f', id]);
  }
});

test('stdin from a pipe reaches the container and ends, many times over', async () => {
  const input = Buffer.from(`${'x'.repeat(99)}\n`.repeat(3000)); // 300 kB: more than a FIFO and a pipe hold
  const runs = await Promise.all(Array.from({ length: 6 }, () => docker(['run', '-i', '--rm', '--network', 'none', IMAGE, 'wc', '-l'], input)));
  for (const run of runs) assert.deepEqual([run.code, run.stdout.trim()], [0, '3000'], run.stderr);
});

test('a resize and an end of input that reach the monitor together are both acted on', async () => {
  // runc relays the terminal to the container's own and applies a resize when its SIGWINCH arrives, apart from the
  // input it copies: the size may land just after the end of input, as with dockerd's shim. So the container
  // waits (bounded) for the size rather than reading it once.
  const script = 'cat >/dev/null; for i in $(seq 100); do [ "$(stty size)" = "33 101" ] && echo resized && exit 0; sleep 0.1; done; exit 1';
  const started = await docker(['run', '-d', '-it', '--network', 'none', IMAGE, 'sh', '-c', script]);
  assert.equal(started.code, 0, started.stderr);
  const id = started.stdout.trim();
  try {
    // One write, two lines: the monitor must not take the second for part of the first.
    const fd = openSync(containerFile(id, 'control'), constants.O_WRONLY | constants.O_NONBLOCK);
    writeSync(fd, 'resize 33 101\neof\n');
    closeSync(fd);
    const waited = await docker(['wait', id], undefined, 30_000);
    const logs = await docker(['logs', id]);
    assert.notEqual(waited.stdout.trim(), '', `the container did not see the end of its input: ${waited.stderr}`);
    assert.equal(waited.stdout.trim(), '0', `the terminal was not resized: ${logs.stdout}`);
    assert.match(logs.stdout, /resized/);
  } finally {
    await docker(['rm', '-f', id]);
  }
});

test('a quick exit on a terminal ends the run with its code', async () => {
  for (let round = 0; round < 5; round++) {
    const run = await docker(['run', '-t', '--rm', '--network', 'none', IMAGE, 'sh', '-c', 'tty; exit 5']);
    assert.equal(run.code, 5, run.stderr);
  }
});

test('a container that does not read its input while it writes a lot still runs to its end, and the engine keeps serving', async () => {
  // More input than a pipe holds, given to a container that does not read it but writes more than a pipe holds: the
  // monitor must keep draining the output while the input waits.
  const input = Buffer.alloc(1024 * 1024, 'i');
  const run = await docker(['run', '-i', '--rm', '--network', 'none', IMAGE, 'sh', '-c', 'sleep 1; yes output | head -n 200000; echo done'], input, 60_000);
  assert.equal(run.code, 0, `docker run -i: ${run.stderr}`);
  const lines = run.stdout.split('\n');
  assert.equal(lines.filter((line) => line === 'output').length, 200_000);
  assert.equal(lines.at(-2), 'done');
  assert.equal(await answered('GET', '/_ping'), 200);
});
