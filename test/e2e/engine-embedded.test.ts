// The embedded default: with BERTH_ENGINE=embedded (what happens when no Docker engine answers at the default
// socket), berth starts its own engine in the background, uses it, and uses the running one the next time.
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { removeNetworking, unmountUnder } from './engine-helpers.js';
import { berth, ROOT } from './helpers.js';

test('with no Docker engine to use, berth starts its own engine, builds and runs the project on it, and reuses it', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-embedded-'));
  const root = join(dir, 'root');
  const socket = join(dir, 'engine.sock');
  const env = { BERTH_ENGINE: 'embedded', BERTH_ENGINE_ROOT: root, BERTH_ENGINE_SOCKET: socket, DOCKER_HOST: '' };
  const docker = (...args: string[]) => spawnSync('docker', ['-H', `unix://${socket}`, ...args], { encoding: 'utf8' });
  t.after(async () => {
    await berth(['down', '-v'], { cwd: dir, env });
    const pid = Number(readFileSync(join(root, 'engine.pid'), 'utf8'));
    try {
      process.kill(pid, 'SIGTERM');
      for (let tries = 0; tries < 100; tries++) {
        process.kill(pid, 0);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    } catch {
      // gone
    }
    removeNetworking(root);
    unmountUnder(root);
    rmSync(dir, { recursive: true, force: true });
  });
  mkdirSync(join(dir, 'app'));
  copyFileSync(join(ROOT, 'fixtures/images/busybox/Dockerfile'), join(dir, 'app', 'Dockerfile'));
  copyFileSync('/bin/busybox', join(dir, 'app', 'busybox'));
  const name = `embedded${Date.now().toString(36)}`;
  writeFileSync(join(dir, 'compose.yaml'), `name: ${name}
services:
  app:
    build: ./app
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done & wait"]
  peer:
    image: ${name}-app
    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 0.2; done & wait"]
    depends_on: [app]
`);
  const up = await berth(['up', '-d', '--wait'], { cwd: dir, env });
  assert.equal(up.code, 0, up.stderr);
  assert.match(up.stderr, /Started berth's engine/);
  assert.match(docker('ps', '--format', '{{.Names}}').stdout, new RegExp(`${name}-app-1`));
  assert.equal(docker('exec', `${name}-peer-1`, 'nslookup', 'app').status, 0, 'services resolve each other on the engine');
  const again = await berth(['ps', '--services'], { cwd: dir, env });
  assert.equal(again.code, 0, again.stderr);
  assert.doesNotMatch(again.stderr, /Started berth's engine/, 'the running engine is used');
  assert.deepEqual(again.stdout.trim().split('\n').sort(), ['app', 'peer']);
});

/** The pids of `berth engine` processes on `root` (read from /proc: processes are looked at, never signalled). */
function enginesOn(root: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const args = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
      if (args.includes('engine') && args[args.indexOf('--root') + 1] === root) found.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

test('two berth commands at once with no engine running share one engine: the second engine started gives way, and neither command fails', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-embedded-race-'));
  const root = join(dir, 'root');
  const socket = join(dir, 'engine.sock');
  const env = { BERTH_ENGINE: 'embedded', BERTH_ENGINE_ROOT: root, BERTH_ENGINE_SOCKET: socket, DOCKER_HOST: '' };
  t.after(async () => {
    for (const pid of enginesOn(root)) {
      process.kill(pid, 'SIGTERM');
      for (let tries = 0; tries < 200 && enginesOn(root).includes(pid); tries++) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    removeNetworking(root);
    unmountUnder(root);
    rmSync(dir, { recursive: true, force: true });
  });
  const [first, second] = await Promise.all([berth(['ls'], { cwd: dir, env }), berth(['ls'], { cwd: dir, env })]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(second.code, 0, second.stderr);
  const engines = enginesOn(root);
  assert.equal(engines.length, 1, 'one engine on the root');
  assert.equal(readFileSync(join(root, 'engine.pid'), 'utf8'), `${engines[0]}\n`, 'engine.pid names it');
  assert.ok(readFileSync(join(root, 'engine.log'), 'utf8').match(/serving the Engine API/g)?.length === 1);
});
