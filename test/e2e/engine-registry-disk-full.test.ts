// berth's engine with its root on a small tmpfs (mounted here, unmounted after): a pull bigger than the space fails
// with a clear error, leaves no half-written layer or image in the store, and the engine keeps serving.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { writeImageArchive } from '../../bench/gen-image.mjs';
import { removeNetworking, unmountUnder } from './engine-helpers.js';
import { startRegistry } from './registry-helpers.js';
import type { TestRegistry } from './registry-helpers.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let dir: string;
let root: string;
let socket: string;
let registry: TestRegistry;
let engine: ChildProcess | undefined;

/** The docker CLI against the engine, without blocking this process (killed after 120 s). */
function docker(args: readonly string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('docker', ['-H', `unix://${socket}`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'berth-disk-full-'));
  root = join(dir, 'root');
  socket = join(dir, 'engine.sock');
  mkdirSync(root);
  const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', root], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(mounted.status, 0, mounted.stderr);
  registry = await startRegistry();
  writeImageArchive(join(dir, 'big.tar'), 'big:v1', 3, 10_000_000);
  registry.seedFrom(`docker-archive:${join(dir, 'big.tar')}`, 'full/big:v1');
  writeImageArchive(join(dir, 'small.tar'), 'small:v1', 1, 100_000);
  registry.seedFrom(`docker-archive:${join(dir, 'small.tar')}`, 'full/small:v1');
  engine = spawn(process.execPath, [join(ROOT, 'bin/berth.js'), 'engine', '--root', root, '--socket', socket], { stdio: ['ignore', 'ignore', 'ignore'] });
  for (let waited = 0; !existsSync(socket); waited += 100) {
    assert.ok(waited < 60_000, 'the engine did not open its socket within 60 s');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

after(async () => {
  if (engine && engine.exitCode === null && engine.signalCode === null) {
    const exited = new Promise((resolve) => engine!.once('exit', resolve));
    engine.kill('SIGTERM');
    const timer = setTimeout(() => engine!.kill('SIGKILL'), 30_000);
    await exited;
    clearTimeout(timer);
  }
  if (root) removeNetworking(root);
  await registry?.stop();
  if (dir) {
    unmountUnder(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a pull bigger than the disk fails clearly, leaves nothing half-written, and the engine keeps serving', async () => {
  const big = `${registry.host}/full/big:v1`;
  const failed = await docker(['pull', big]);
  assert.notEqual(failed.code, 0);
  assert.match(failed.stderr, /no space left on device/);
  assert.equal((await docker(['image', 'inspect', big])).code, 1, 'no image stored');
  const tmp = join(root, 'tmp');
  assert.deepEqual(existsSync(tmp) ? readdirSync(tmp).filter((name) => name.startsWith('layer-')) : [], [], 'no temporary layer left');
  const layers = join(root, 'image', 'layers');
  for (const layer of existsSync(layers) ? readdirSync(layers) : []) assert.ok(existsSync(join(layers, layer, 'meta.json')), `layer ${layer} is whole`);

  const small = `${registry.host}/full/small:v1`;
  const pulled = await docker(['pull', small]);
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.equal((await docker(['rmi', small])).code, 0);
});
