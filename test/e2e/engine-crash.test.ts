// Nothing is lost when berth's engine dies: the engine is killed with SIGKILL in the middle of a 20-service
// `berth up -d` (at named points of its work, through the test-only BERTH_ENGINE_CRASH_AT, and at a random moment)
// and started again; then no container is lost or doubled, what ran keeps running with the same pid, volume data
// is intact, nothing is left mounted or namespaced for containers that are gone, and the next `up -d` converges.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startTestEngine } from './engine-helpers.js';
import type { TestEngine } from './engine-helpers.js';
import { IMAGE, ROOT, SLEEPER, testProject, waitFor } from './helpers.js';
import type { TestProject } from './helpers.js';

let engine: TestEngine;
before(async () => {
  engine = await startTestEngine();
});
after(async () => {
  await engine?.stop();
});

/** Small services on the project's network; the first keeps data in an external volume the test made. */
function compose(volume: string, count: number): string {
  const services = Array.from({ length: count }, (_, index) => {
    const name = `s${String(index).padStart(2, '0')}`;
    const mount = index === 0 ? `\n    volumes: ["data:/data"]` : '';
    return `  ${name}:\n    image: \${IMAGE}\n    command: ${SLEEPER}${mount}`;
  });
  return `services:\n${services.join('\n')}\nvolumes:\n  data:\n    external: true\n    name: ${volume}\n`;
}

interface Listed {
  readonly id: string;
  readonly name: string;
  readonly service: string;
  readonly running: boolean;
  readonly pid: number;
}

/** The project's containers as the engine reports them. */
function listed(project: TestProject): Listed[] {
  const ids = engine.docker(['ps', '-aq', '--no-trunc', '--filter', `label=com.docker.compose.project=${project.name}`]).stdout.split('\n').filter(Boolean);
  if (ids.length === 0) return [];
  const inspect = engine.docker(['inspect', '-f', '{{.Id}} {{.Name}} {{index .Config.Labels "com.docker.compose.service"}} {{.State.Running}} {{.State.Pid}}', ...ids]);
  assert.equal(inspect.code, 0, inspect.stderr);
  return inspect.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [id = '', name = '', service = '', running = '', pid = ''] = line.split(' ');
      return { id, name: name.replace(/^\//, ''), service, running: running === 'true', pid: Number(pid) };
    });
}

/** What runc runs of the engine's containers, by id (read beside the engine, while it is down). */
function runningPerRunc(): Map<string, number> {
  const running = new Map<string, number>();
  const dir = join(engine.root, 'containers');
  for (const id of existsSync(dir) ? readdirSync(dir) : []) {
    const state = spawnSync('runc', ['state', id], { encoding: 'utf8' });
    if (state.status !== 0) continue;
    const parsed = JSON.parse(state.stdout) as { status: string; pid: number };
    if (parsed.status === 'running') running.set(id, parsed.pid);
  }
  return running;
}

/** The engine leaves no root filesystem mounted and no network namespace for a container it does not list. */
function assertNothingLeftFor(known: ReadonlySet<string>): void {
  const mounted = readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4] ?? '')
    .filter((path) => path.startsWith(join(engine.root, 'containers')));
  for (const path of mounted) {
    const id = path.slice(join(engine.root, 'containers').length + 1).split('/')[0]!;
    assert.ok(known.has(id), `a mount is left for a container the engine does not list: ${path}`);
  }
  const dir = join(engine.root, 'containers');
  for (const id of existsSync(dir) ? readdirSync(dir) : []) assert.ok(known.has(id), `a directory is left for a container the engine does not list: ${id}`);
}

/** One kill: `up -d` until the engine dies, a restart, the checks, and an `up -d` that must converge. */
async function killDuringUp(project: TestProject, volume: string, services: number, kill: { env?: Record<string, string>; afterMs?: number }): Promise<void> {
  project.write(compose(volume, services));
  await engine.restart(kill.env);
  const up = project.run(['up', '-d'], { env: { DOCKER_HOST: engine.host } });
  if (kill.afterMs !== undefined) {
    await new Promise((resolve) => setTimeout(resolve, kill.afterMs));
    process.kill(engine.pid, 'SIGKILL');
  }
  assert.ok(await engine.exited(60_000), `the engine was to die (${JSON.stringify(kill)})`);
  const interrupted = await up;
  const runcRan = runningPerRunc();

  await engine.restart();
  const after = listed(project);
  const context = `${JSON.stringify(kill)}: up said ${interrupted.code}: ${interrupted.stderr.slice(-400)}`;
  // Nothing doubled: one container per service at most, names unique.
  const perService = after.map((container) => container.service);
  assert.equal(new Set(perService).size, perService.length, `a service has two containers (${context})`);
  // Nothing lost: whatever runc ran is listed, running, with the same pid.
  for (const [id, pid] of runcRan) {
    const found = after.find((container) => container.id === id);
    assert.ok(found, `container ${id} ran (pid ${pid}) but is not listed after the restart (${context})`);
    assert.equal(found.running, true, `container ${found.name} ran but is listed as not running (${context})`);
    assert.equal(found.pid, pid, `container ${found.name} has another pid after the restart (${context})`);
  }
  assertNothingLeftFor(new Set(after.map((container) => container.id)));

  const again = await project.run(['up', '-d'], { env: { DOCKER_HOST: engine.host } });
  assert.equal(again.code, 0, `the next up -d must converge (${context}): ${again.stderr}`);
  const converged = listed(project);
  assert.equal(converged.length, services);
  assert.ok(converged.every((container) => container.running), `all running after the next up (${context})`);
  for (const [id, pid] of runcRan) assert.equal(converged.find((container) => container.id === id)?.pid, pid, `not restarted by the next up (${context})`);
  const data = engine.docker(['exec', `${project.name}-s00-1`, 'cat', '/data/kept']);
  assert.equal(data.stdout, 'kept\n', `volume data intact (${context})`);
  assert.equal(engine.docker(['volume', 'inspect', volume]).code, 0);

  // Start over: the next kill gets a project with nothing created yet.
  const ids = converged.map((container) => container.id);
  assert.equal(engine.docker(['rm', '-f', ...ids]).code, 0);
}

/** Where the engine is killed, and how many services the project has then (20 where it matters, fewer for speed). */
const KILLS: ReadonlyArray<{ readonly point: string; readonly services: number }> = [
  { point: 'create:reserved@5', services: 8 }, // a create half done: removed at start-up, made again by the next up
  { point: 'create:done@6', services: 8 }, // created, never acknowledged: kept, and used by the next up (not doubled)
  { point: 'start:network-ready@3', services: 8 }, // a namespace with addresses, nothing running in it: cleared
  { point: 'start:runtime-started@4', services: 20 }, // running, not recorded: adopted with its pid (the reported loss)
];

test('kill -9 of the engine in the middle of a 20-service up -d, at named points and at random: nothing lost or doubled, and the next up converges', async (t) => {
  const volume = `crash-data-${process.pid}`;
  assert.equal(engine.docker(['volume', 'create', volume]).code, 0);
  t.after(() => engine.docker(['volume', 'rm', '-f', volume]));
  assert.equal(engine.docker(['run', '--rm', '--network', 'none', '-v', `${volume}:/data`, 'berth-test-busybox:latest', 'sh', '-c', 'echo kept > /data/kept']).code, 0);
  const project = await testProject(t, undefined, engine.host);
  for (const kill of KILLS) await killDuringUp(project, volume, kill.services, { env: { BERTH_ENGINE_CRASH_AT: kill.point } });
  // And once at a moment nobody chose (printed, to replay a failure with the same delay).
  const afterMs = 300 + Math.floor(Math.random() * 1200);
  t.diagnostic(`random kill after ${afterMs} ms`);
  await killDuringUp(project, volume, 20, { afterMs });
});

test('kill -9 of the engine while down removes containers: the next down converges', async (t) => {
  const project = await testProject(t, `services:\n  a:\n    image: \${IMAGE}\n    command: ${SLEEPER}\n  b:\n    image: \${IMAGE}\n    command: ${SLEEPER}\n  c:\n    image: \${IMAGE}\n    command: ${SLEEPER}\n`, engine.host);
  await engine.restart({ BERTH_ENGINE_CRASH_AT: 'remove:killed@2' });
  assert.equal((await project.run(['up', '-d'], { env: { DOCKER_HOST: engine.host } })).code, 0);
  const down = project.run(['down', '-t', '1'], { env: { DOCKER_HOST: engine.host } });
  assert.ok(await engine.exited(60_000), 'the engine was to die during down');
  await down;
  await engine.restart();
  const again = await project.run(['down', '-t', '1'], { env: { DOCKER_HOST: engine.host } });
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(listed(project), []);
  assertNothingLeftFor(new Set());
  assert.equal(engine.docker(['network', 'ls', '-q', '--filter', `label=com.docker.compose.project=${project.name}`]).stdout, '');
});

test('concurrent start and restart of one container are serialised; other containers are not held up', async () => {
  assert.equal(engine.docker(['create', '--name', 'contended', 'berth-test-busybox:latest', 'sh', '-c', "trap 'exit 0' TERM; while true; do sleep 0.2; done & wait"]).code, 0);
  assert.equal(engine.docker(['create', '--name', 'bystander', 'berth-test-busybox:latest', 'sh', '-c', "trap 'exit 0' TERM; while true; do sleep 0.2; done & wait"]).code, 0);
  const run = (args: readonly string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('docker', ['-H', engine.host, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk) => (stderr += chunk));
      child.on('close', (code) => resolve({ code, stderr }));
    });
  const results = await Promise.all([run(['start', 'contended']), run(['restart', '-t', '1', 'contended']), run(['start', 'contended']), run(['restart', '-t', '1', 'contended']), run(['start', 'bystander'])]);
  for (const result of results) assert.equal(result.code, 0, result.stderr);
  await waitFor(() => engine.docker(['inspect', '-f', '{{.State.Running}}', 'contended', 'bystander']).stdout === 'true\ntrue\n', 10_000);
  assert.equal(engine.docker(['rm', '-f', 'contended', 'bystander']).code, 0);
});

const sleeper = ['sh', '-c', "echo kept > /marker; trap 'exit 0' TERM; while true; do sleep 0.2; done & wait"];

/** What is mounted on top at `path` on the host (its type), if anything. */
function mountedAt(path: string): string | undefined {
  let type: string | undefined;
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const fields = line.split(' ');
    if (fields[4] === path) type = fields[fields.indexOf('-', 6) + 1];
  }
  return type;
}

test('a root filesystem the host lost is reached through the running container, mounted again at its next start, and a foreign mount there is replaced', async () => {
  assert.equal(engine.docker(['run', '-d', '--network', 'none', '--name', 'rootless', 'berth-test-busybox:latest', ...sleeper]).code, 0);
  await waitFor(() => engine.docker(['exec', 'rootless', 'cat', '/marker']).stdout === 'kept\n', 10_000);
  const [id = '', pid = ''] = engine.docker(['inspect', '-f', '{{.Id}} {{.State.Pid}}', 'rootless']).stdout.trim().split(' ');
  const rootfs = join(engine.root, 'containers', id, 'bundle', 'rootfs');
  assert.equal(mountedAt(rootfs), 'overlay');
  await engine.restart({}, () => assert.equal(spawnSync('umount', ['-l', rootfs]).status, 0));
  assert.equal(engine.docker(['inspect', '-f', '{{.State.Running}} {{.State.Pid}}', 'rootless']).stdout.trim(), `true ${pid}`, 'still running, same pid');
  const copied = engine.docker(['cp', 'rootless:/marker', '-']);
  assert.equal(copied.code, 0, copied.stderr);
  assert.match(copied.stdout, /kept/, 'cp reads the running container\'s own root');
  assert.equal(engine.docker(['restart', '-t', '1', 'rootless']).code, 0);
  assert.equal(mountedAt(rootfs), 'overlay', 'mounted again by the restart');
  assert.equal(engine.docker(['exec', 'rootless', 'cat', '/marker']).stdout, 'kept\n');

  assert.equal(engine.docker(['stop', '-t', '1', 'rootless']).code, 0);
  assert.equal(spawnSync('mount', ['-t', 'tmpfs', 'tmpfs', rootfs]).status, 0);
  const started = engine.docker(['start', 'rootless']);
  assert.equal(started.code, 0, started.stderr);
  assert.equal(mountedAt(rootfs), 'overlay', 'the foreign mount was replaced by the container\'s own');
  assert.equal(engine.docker(['exec', 'rootless', 'cat', '/marker']).stdout, 'kept\n');
  assert.equal(engine.docker(['rm', '-f', 'rootless']).code, 0);
});

test('state files torn by an older crash are moved aside at start-up, and the engine starts and serves', async () => {
  assert.equal(engine.docker(['create', '--network', 'none', '--name', 'torn', 'berth-test-busybox:latest', 'true']).code, 0);
  const id = engine.docker(['inspect', '-f', '{{.Id}}', 'torn']).stdout.trim();
  assert.equal(engine.docker(['volume', 'create', 'tornvol']).code, 0);
  const record = join(engine.root, 'containers', id, 'container.json');
  const volume = join(engine.root, 'volumes', 'tornvol', 'volume.json');
  await engine.restart({}, () => {
    writeFileSync(record, '{"id": "' + id.slice(0, 10));
    writeFileSync(volume, '');
  });
  assert.equal(engine.docker(['ps', '-a', '--filter', 'name=torn', '-q']).stdout, '', 'the torn container is not listed');
  assert.equal(engine.docker(['volume', 'ls', '-q', '--filter', 'name=tornvol']).stdout, '');
  assert.ok(readdirSync(join(engine.root, 'containers', id)).some((name) => name.startsWith('container.json.corrupt-')), 'kept aside for a post-mortem');
  assert.ok(readdirSync(join(engine.root, 'volumes', 'tornvol')).some((name) => name.startsWith('volume.json.corrupt-')));
  assert.equal(engine.docker(['run', '--rm', '--network', 'none', 'berth-test-busybox:latest', 'true']).code, 0, 'and the engine works');
  // What the engine left alone is the operator's to remove.
  rmSync(join(engine.root, 'containers', id), { recursive: true, force: true });
  rmSync(join(engine.root, 'volumes', 'tornvol'), { recursive: true, force: true });
});

test('a create killed after filling new volumes from the image is undone: its anonymous volume goes, a named one is emptied, data elsewhere stays', async (t) => {
  const context = mkdtempSync(join(tmpdir(), 'berth-crash-image-'));
  t.after(() => rmSync(context, { recursive: true, force: true }));
  writeFileSync(join(context, 'Dockerfile'), 'FROM berth-test-busybox:latest\nRUN mkdir /seed /named && echo seeded > /seed/f && echo seeded > /named/f\nVOLUME /seed\n');
  const built = spawnSync('docker', ['-H', engine.host, 'build', '-q', '-t', 'crash/seeded:v1', context], { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '0' } });
  assert.equal(built.status, 0, built.stderr);
  t.after(() => engine.docker(['rmi', 'crash/seeded:v1']));
  for (const name of ['seedvol', 'fullvol']) assert.equal(engine.docker(['volume', 'create', name]).code, 0);
  t.after(() => engine.docker(['volume', 'rm', '-f', 'seedvol', 'fullvol']));
  assert.equal(engine.docker(['run', '--rm', '--network', 'none', '-v', 'fullvol:/data', 'berth-test-busybox:latest', 'sh', '-c', 'echo mine > /data/f']).code, 0);
  const volumesBefore = engine.docker(['volume', 'ls', '-q']).stdout;

  await engine.restart({ BERTH_ENGINE_CRASH_AT: 'create:copied-up@1' });
  engine.docker(['create', '--network', 'none', '--name', 'seeded', '-v', 'seedvol:/named', '-v', 'fullvol:/data', 'crash/seeded:v1', 'true']);
  assert.ok(await engine.exited(30_000), 'the engine was to die in the create');
  await engine.restart();
  assert.equal(engine.docker(['ps', '-aq', '--filter', 'name=seeded']).stdout, '', 'the create is undone');
  assert.equal(engine.docker(['volume', 'ls', '-q']).stdout, volumesBefore, 'its anonymous volume is gone');
  assert.equal(engine.docker(['run', '--rm', '--network', 'none', '-v', 'fullvol:/data', 'berth-test-busybox:latest', 'cat', '/data/f']).stdout, 'mine\n', 'a volume it did not fill is untouched');
  // The next create fills the volumes afresh, as if the first had never been.
  const again = engine.docker(['run', '--rm', '--network', 'none', '-v', 'seedvol:/named', 'crash/seeded:v1', 'sh', '-c', 'cat /named/f /seed/f']);
  assert.equal(again.stdout, 'seeded\nseeded\n', again.stderr);
});

test('a second engine on a root in use is refused, naming the one that runs, and the first keeps serving', () => {
  const socket = join(tmpdir(), `berth-second-engine-${process.pid}.sock`);
  const second = spawnSync(process.execPath, [join(ROOT, 'bin/berth.js'), 'engine', '--root', engine.root, '--socket', socket], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(second.status, 1, second.stderr);
  assert.ok(second.stderr.includes(`another berth engine (pid ${engine.pid}) is running on ${engine.root}`), second.stderr);
  assert.doesNotMatch(second.stderr, /unexpected error/);
  assert.equal(existsSync(socket), false, 'it served nothing');
  assert.equal(readFileSync(join(engine.root, 'engine.pid'), 'utf8'), `${engine.pid}\n`);
  assert.equal(engine.docker(['ps']).code, 0, 'the first engine still serves');
});

test('a clean stop ends the attach and exec connections clients hold open, and the engine exits', async (t) => {
  const name = `crash-attached-${process.pid}`;
  t.after(() => {
    engine.docker(['rm', '-f', name]);
  });
  assert.equal(engine.docker(['run', '-d', '-i', '--name', name, '--network', 'none', IMAGE, 'cat']).code, 0);
  // Two clients that never end their side: an attach with stdin and an interactive exec.
  const clients = [
    spawn('docker', ['-H', `unix://${engine.socket}`, 'attach', name], { stdio: ['pipe', 'ignore', 'ignore'] }),
    spawn('docker', ['-H', `unix://${engine.socket}`, 'exec', '-i', name, 'cat'], { stdio: ['pipe', 'ignore', 'ignore'] }),
  ];
  t.after(() => clients.forEach((client) => client.kill('SIGKILL')));
  await waitFor(() => engine.docker(['top', name]).stdout.split('\n').filter((line) => line.endsWith('cat')).length === 2);
  await new Promise((resolve) => setTimeout(resolve, 500));
  const exited = engine.exited(20_000);
  process.kill(engine.pid, 'SIGTERM');
  assert.equal(await exited, true, `the engine did not exit within 20 s of SIGTERM; its log:\n${engine.log().slice(-2000)}`);
  await engine.resume();
  assert.equal(engine.docker(['ps']).code, 0, 'the engine serves again');
});
