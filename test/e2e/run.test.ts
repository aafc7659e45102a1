// Scenario tests of `berth run`: one-off containers as `docker compose run` makes them, checked on real state
// (labels, names, ports, files, what was started) and exit codes.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT, SLEEPER, testEngine, testProject, waitFor } from './helpers.js';

const hasScript = spawnSync('script', ['--version']).status === 0;

const COMPOSE = `
services:
  db:
    image: \${IMAGE}
    command: ${SLEEPER}
  web:
    image: \${IMAGE}
    command: ["echo", "the service's command"]
    depends_on: [db]
    restart: always
    environment:
      FROM_FILE: yes
    ports: ["80"]
`;

test('run', async (t) => {
  const project = await testProject(t, COMPOSE);
  const engine = await testEngine();
  const oneOffs = async () => (await project.containers()).filter((container) => container.labels['com.docker.compose.oneoff'] === 'True');

  await t.test('--no-deps: the dependencies are left alone', async () => {
    const result = await project.run(['run', '--rm', '--no-deps', 'web', 'true']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual((await project.containers()).map((container) => container.name), []);
  });

  await t.test("starts the dependencies, then a one-off with compose's name and labels, no restart, no ports; its exit code is berth's", async () => {
    const result = await project.run(['run', 'web', 'sh', '-c', 'echo ran; exit 3']);
    assert.equal(result.code, 3, result.stderr);
    assert.equal(result.stdout, 'ran\n');
    const containers = await project.containers();
    const db = containers.find((container) => container.name === `${project.name}-db-1`);
    assert.equal(db?.state, 'running');
    assert.ok(!containers.some((container) => container.name === `${project.name}-web-1`), "the service's own container is not created");
    const [oneOff, ...others] = await oneOffs();
    assert.equal(others.length, 0);
    const slug = oneOff!.labels['com.docker.compose.slug']!;
    assert.match(slug, /^[0-9a-f]{64}$/);
    assert.equal(oneOff!.name, `${project.name}-web-run-${slug.slice(0, 12)}`);
    assert.equal(oneOff!.labels['com.docker.compose.service'], 'web');
    assert.deepEqual(oneOff!.ports.filter((port) => port.publicPort), []);
    assert.ok(['', 'no'].includes((await engine.containers.inspect(oneOff!.id))?.restartPolicy ?? ''), 'no restart policy');
    await engine.containers.remove(oneOff!.id, { force: true });
  });

  await t.test('--rm -e -u -w --entrypoint: the overrides apply and the container is gone after', async () => {
    const result = await project.run(['run', '--rm', '-e', 'ONE=1', '-e', 'FROM_SHELL', '-u', '1000', '-w', '/tmp', '--entrypoint', 'sh -c', 'web', 'echo $FROM_FILE $ONE $FROM_SHELL; id -u; pwd'], { env: { FROM_SHELL: 'shell' } });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, 'yes 1 shell\n1000\n/tmp\n');
    assert.deepEqual(await oneOffs(), []);
  });

  await t.test('streams stdin into the container (-T), which reads EOF when it ends', async () => {
    const result = await project.run(['run', '--rm', '-T', 'web', 'wc', '-l'], { input: 'a\nb\n' });
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), '2');
  });

  await t.test('-v mounts a host path; the default command is the service\'s', async () => {
    const dir = join(project.dir, 'data');
    mkdirSync(dir);
    writeFileSync(join(dir, 'note'), 'from the host\n');
    const mounted = await project.run(['run', '--rm', '-v', './data:/data:ro', 'web', 'cat', '/data/note']);
    assert.equal(mounted.code, 0, mounted.stderr);
    assert.equal(mounted.stdout, 'from the host\n');
    const plain = await project.run(['run', '--rm', 'web']);
    assert.equal(plain.stdout, "the service's command\n");
  });

  await t.test('-d --name prints the id and leaves it running; -p and --service-ports publish', async () => {
    const detached = await project.run(['run', '-d', '--name', `${project.name}-named`, '-p', '127.0.0.1::81', '--service-ports', 'web', 'sh', '-c', 'sleep 30']);
    assert.equal(detached.code, 0, detached.stderr);
    const id = detached.stdout.trim();
    assert.match(id, /^[0-9a-f]{64}$/);
    const [oneOff] = await oneOffs();
    assert.equal(oneOff?.id, id);
    assert.equal(oneOff?.name, `${project.name}-named`);
    assert.equal(oneOff?.state, 'running');
    await waitFor(async () => ((await oneOffs())[0]?.ports ?? []).filter((port) => port.publicPort).length >= 2, 5_000);
    const published = ((await oneOffs())[0]?.ports ?? []).filter((port) => port.publicPort).map((port) => port.privatePort).sort();
    assert.deepEqual([...new Set(published)], [80, 81]);
    await engine.containers.remove(id, { force: true });
  });

  await t.test('a terminal when stdin and stdout are terminals', { skip: !hasScript && 'script(1) is not installed' }, async () => {
    const output = await new Promise<{ code: number | null; text: string }>((resolve) => {
      const command = `${process.execPath} ${join(ROOT, 'bin/berth.js')} --progress quiet run --rm web sh -c 'tty; exit 5'`;
      const child = spawn('script', ['-qec', command, '/dev/null'], { cwd: project.dir, env: { ...process.env, NO_COLOR: '1' }, stdio: ['pipe', 'pipe', 'pipe'] });
      let text = '';
      child.stdout.on('data', (chunk) => (text += chunk));
      child.on('close', (code) => resolve({ code, text }));
    });
    assert.equal(output.code, 5, output.text);
    assert.match(output.text, /\/dev\/pts\/\d+\r\n/);
  });

  await t.test('names what is wrong: an unknown service, a bad --pull', async () => {
    const unknown = await project.run(['run', 'nope']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /no such service: nope/);
    const pull = await project.run(['run', '--pull', 'sometimes', 'web']);
    assert.equal(pull.code, 1);
    assert.match(pull.stderr, /invalid --pull option "sometimes"/);
  });
});
