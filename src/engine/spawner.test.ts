import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startSpawner } from './spawner.js';
import type { Spawner } from './spawner.js';

const helper = fileURLToPath(new URL('./berth-spawner', import.meta.url));
let sandbox: string;
let socket: string;
let spawner: Spawner;

before(async () => {
  sandbox = mkdtempSync(join(tmpdir(), 'berth-spawner-'));
  socket = join(sandbox, 'spawner.sock');
  spawner = await startSpawner(helper, socket);
});
after(() => {
  spawner.stop();
  rmSync(sandbox, { recursive: true, force: true });
});

const feed = async (stdin: NodeJS.WritableStream, text: string): Promise<void> => {
  await new Promise<void>((resolve) => stdin.end(text, resolve));
};

test('a program started through the spawner reads what the engine writes, in its directory; its status and stderr come back', async () => {
  const program = await spawner.filter(['sh', '-c', 'cat > out.txt; pwd >> out.txt; echo "went wrong" >&2; exit 3'], sandbox);
  await feed(program.stdin, 'hello\n');
  assert.deepEqual(await program.exited, { code: 3, stderr: 'went wrong\n' });
  assert.equal(readFileSync(join(sandbox, 'out.txt'), 'utf8'), `hello\n${sandbox}\n`);
});

test('programs run side by side, each with its own input', async () => {
  const programs = await Promise.all([1, 2, 3].map((n) => spawner.filter(['sh', '-c', `cat > side-${n}.txt`], sandbox)));
  // All three run before any of them has its input: none waits for another.
  await Promise.all(programs.map((program, index) => feed(program.stdin, `input ${index + 1}`)));
  for (const program of programs) assert.equal((await program.exited).code, 0);
  for (const n of [1, 2, 3]) assert.equal(readFileSync(join(sandbox, `side-${n}.txt`), 'utf8'), `input ${n}`);
});

test('a program that cannot be found exits 127 saying so; a killed one reports its signal', async () => {
  const missing = await spawner.filter(['berth-no-such-program']);
  const { code, stderr } = await missing.exited;
  assert.equal(code, 127);
  assert.match(stderr, /berth-no-such-program: No such file or directory/);

  const forever = await spawner.filter(['sleep', '1000']);
  await forever.kill();
  assert.equal((await forever.exited).code, 128 + 9);
});

test('only the engine that started the spawner may use it: another process is refused before anything runs', () => {
  const marker = join(sandbox, 'intruder-was-here');
  const client = `
    const socket = require('net').connect(${JSON.stringify(socket)});
    const request = Buffer.from(['', 'touch', ${JSON.stringify(marker)}].map((part) => part + '\\0').join(''));
    const length = Buffer.alloc(4); length.writeUInt32LE(request.length);
    socket.write(Buffer.concat([length, request]));
    let answer = 0;
    socket.on('data', (chunk) => (answer += chunk.length));
    socket.on('error', () => {});
    socket.on('close', () => { console.log(answer); });
  `;
  const result = spawnSync(process.execPath, ['-e', client], { encoding: 'utf8', timeout: 10_000 });
  assert.equal(result.stdout.trim(), '0', 'the connection is closed without an answer');
  assert.equal(existsSync(marker), false, 'and nothing ran');
});

test('requests without a program, or with NUL bytes in an argument, are refused before they are sent', async () => {
  await assert.rejects(spawner.filter([]), /no program to start/);
  await assert.rejects(spawner.filter(['echo', 'a\0b']), /NUL/);
});

test('run: a program runs to its end with its input, and its stdout and stderr come back whole', async () => {
  const { Readable } = await import('node:stream');
  assert.deepEqual(await spawner.run(['sh', '-c', 'tr a-z A-Z; echo done >&2']), { code: 0, stdout: '', stderr: 'done\n' });
  assert.deepEqual(await spawner.run(['tr', 'a-z', 'A-Z'], { input: Readable.from(['hello ', 'world']) }), { code: 0, stdout: 'HELLO WORLD', stderr: '' });
  // More than a socket buffer holds, arriving in many reads.
  const big = await spawner.run(['head', '-c', String(3 * 1024 * 1024), '/dev/zero']);
  assert.equal(big.stdout.length, 3 * 1024 * 1024);
  assert.equal((await spawner.run(['sh', '-c', 'exit 7'])).code, 7);
});

test('run: merged output keeps stdout and stderr in the order written; a signal kills the program', async () => {
  assert.deepEqual(await spawner.run(['sh', '-c', 'echo one; echo two >&2; echo three'], { merged: true }), { code: 0, stdout: 'one\ntwo\nthree\n', stderr: '' });
  const controller = new AbortController();
  const running = spawner.run(['sleep', '1000'], { signal: controller.signal });
  setTimeout(() => controller.abort(), 100);
  assert.equal((await running).code, 128 + 9);
});

test('run without input: the program cannot write on the connection the answer comes back on', async () => {
  // A probe in a container is such a program: what it writes to its stdin must never read as the spawner's answer.
  const result = await spawner.run(['sh', '-c', 'printf "\\377\\377\\377\\377junk" >&0; echo ok']);
  assert.equal(result.code, 0);
  assert.equal(result.stdout, 'ok\n');
});

test('a spawner that is gone refuses with SpawnerUnavailable; through it, programs are then started by node', async () => {
  const { SpawnerUnavailable, throughSpawner } = await import('./spawner.js');
  const { runProgram, startProgramsThrough } = await import('./runtime/tools.js');
  const gone = await startSpawner(helper, join(sandbox, 'gone.sock'));
  gone.stop();
  // It removes its socket as it exits.
  for (let i = 0; i < 100 && existsSync(join(sandbox, 'gone.sock')); i++) await new Promise((resolve) => setTimeout(resolve, 20));
  await assert.rejects(gone.run(['true']), SpawnerUnavailable);
  await assert.rejects(gone.filter(['true']), SpawnerUnavailable);
  const programs = throughSpawner(gone);
  startProgramsThrough(programs);
  try {
    assert.deepEqual(await runProgram('sh', ['-c', 'echo still runs']), { code: 0, stdout: 'still runs\n', stderr: '' });
    const filter = await programs.filter(['sh', '-c', 'cat > fed.txt'], sandbox);
    await feed(filter.stdin, 'fed');
    assert.equal((await filter.exited).code, 0);
    assert.equal(readFileSync(join(sandbox, 'fed.txt'), 'utf8'), 'fed');
  } finally {
    startProgramsThrough(undefined);
  }
});
