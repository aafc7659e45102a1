// Builds through the engine's classic builder: args, target, tags, labels, .dockerignore, inline Dockerfiles, and
// an unchanged `up --build` that recreates nothing.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { IMAGE, testEngine, testProject, waitFor } from './helpers.js';
import type { Engine } from '../../src/engine-client/index.js';

/** What a one-off container of the image prints (each line), the container removed when the test ends. */
async function outputOf(t: TestContext, engine: Engine, name: string, image: string, command: string[]): Promise<string[]> {
  const container = await engine.containers.create(name, { Image: image, Cmd: command });
  t.after(() => engine.containers.remove(container.id, { force: true }).catch(() => {}));
  await engine.containers.start(container.id);
  await engine.containers.wait(container.id);
  const { streamLogs } = await import('../../src/cli/log-printer.js');
  const lines: string[] = [];
  await streamLogs(engine, container.id, { follow: false, tty: false }, (line) => lines.push(line));
  return lines;
}

test('build applies args, target, tags and labels, honours .dockerignore, and builds inline Dockerfiles', async (t) => {
  const project = await testProject(t);
  const engine = await testEngine();
  const app = join(project.dir, 'app');
  mkdirSync(app);
  writeFileSync(join(app, 'Dockerfile'), `FROM ${IMAGE} AS base\nARG GREETING=default\nRUN echo "$GREETING" > /greeting\nCOPY . /src/\nFROM base AS final\nRUN echo final > /stage\n`);
  writeFileSync(join(app, 'kept.txt'), 'kept');
  writeFileSync(join(app, 'secret.env'), 'nope');
  writeFileSync(join(app, '.dockerignore'), '*.env\n');
  const tag = `${project.name}-extra:v1`;
  project.write(`
services:
  app:
    build:
      context: ./app
      target: base
      args: [GREETING=hello]
      labels: [org.example.built-by=berth]
      tags: ["${tag}"]
  inline:
    build:
      dockerfile_inline: |
        FROM ${IMAGE}
        RUN echo inline > /made; ulimit -n > /nofile
      ulimits:
        nofile: 1234
`);
  t.after(async () => {
    for (const reference of [`${project.name}-app`, `${project.name}-inline`, tag]) await engine.images.remove(reference, { force: true }).catch(() => {});
  });
  const printed = await project.run(['build', '--print', 'app']);
  assert.equal(printed.code, 0, printed.stderr);
  const plan = JSON.parse(printed.stdout) as { group: { default: { targets: string[] } }; target: Record<string, { target?: string; tags: string[] }> };
  assert.deepEqual(plan.group.default.targets, ['app']);
  assert.equal(plan.target.app!.target, 'base');
  assert.deepEqual(plan.target.app!.tags, [`${project.name}-app`, tag]);
  assert.equal(await engine.images.inspect(`${project.name}-app`), undefined, '--print builds nothing');
  const result = await project.run(['build', '--build-arg', 'UNUSED=1']);
  assert.equal(result.code, 0, result.stderr);
  const built = await engine.images.inspect(`${project.name}-app`);
  assert.ok(built, 'the image is named <project>-<service>');
  assert.equal(built.labels['org.example.built-by'], 'berth');
  assert.equal(built.labels['com.docker.compose.service'], 'app');
  assert.equal(built.labels['com.docker.compose.image.builder'], 'classic');
  assert.equal((await engine.images.inspect(tag))?.id, built.id, 'the extra tag is applied');
  const lines = await outputOf(t, engine, `${project.name}-check`, `${project.name}-app`, ['sh', '-c', 'cat /greeting; ls /src; test -e /stage || echo no-final-stage']);
  assert.deepEqual(lines, ['hello', 'Dockerfile', 'kept.txt', 'no-final-stage']);
  assert.ok(await engine.images.inspect(`${project.name}-inline`), 'the inline Dockerfile is built');
  assert.deepEqual(await outputOf(t, engine, `${project.name}-limits`, `${project.name}-inline`, ['cat', '/nofile']), ['1234'], 'build.ulimits reach the RUN steps');
});

test('an unchanged up --build hits the build cache and recreates nothing', async (t) => {
  const project = await testProject(t);
  const engine = await testEngine();
  mkdirSync(join(project.dir, 'app'));
  writeFileSync(join(project.dir, 'app', 'Dockerfile'), `FROM ${IMAGE}\nRUN echo built > /built\nCMD ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done & wait"]\n`);
  project.write(`
services:
  app:
    build: ./app
`);
  t.after(() => engine.images.remove(`${project.name}-app`, { force: true }).catch(() => {}));
  assert.equal((await project.run(['up', '-d', '--build'])).code, 0);
  const [before] = await project.containers();
  const again = await project.run(['up', '-d', '--build']);
  assert.equal(again.code, 0, again.stderr);
  const [after] = await project.containers();
  assert.equal(after?.id, before?.id);
});

test('a build after its image was removed with rmi -f builds it again, whatever the cache kept', async (t) => {
  const project = await testProject(t);
  const engine = await testEngine();
  mkdirSync(join(project.dir, 'app'));
  writeFileSync(join(project.dir, 'app', 'Dockerfile'), `FROM ${IMAGE}\nRUN echo built > /built\nCOPY Dockerfile /copied\nCMD ["cat", "/built"]\n`);
  project.write(`
services:
  app:
    build: ./app
`);
  const image = `${project.name}-app`;
  t.after(() => engine.images.remove(image, { force: true }).catch(() => {}));
  const first = await project.run(['build']);
  assert.equal(first.code, 0, first.stderr);
  await engine.images.remove(image, { force: true });
  const again = await project.run(['build']);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(await outputOf(t, engine, `${project.name}-rebuilt`, image, ['sh', '-c', 'cat /built && test -f /copied && echo copied']), ['built', 'copied']);
});

test('build secrets are refused with a clear message, since the classic builder cannot receive them', async (t) => {
  const project = await testProject(t);
  writeFileSync(join(project.dir, 'token.txt'), 'secret');
  project.write(`
services:
  app:
    build:
      dockerfile_inline: |
        FROM \${IMAGE}
      secrets: [token]
secrets:
  token:
    file: ./token.txt
`);
  const result = await project.run(['build']);
  assert.equal(result.code, 1);
  assert.match(result.stderr, /services\.app\.build\.secrets: build secrets need BuildKit/);
});

test('build --push sends the built image to a registry (a real one, on loopback)', async (t) => {
  const { spawn } = await import('node:child_process');
  const { freePort } = await import('./engine-helpers.js');
  const project = await testProject(t);
  const port = await freePort();
  const storage = join(project.dir, 'registry');
  mkdirSync(storage);
  writeFileSync(join(project.dir, 'registry.yml'), `version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: ${storage}\nhttp:\n  addr: 127.0.0.1:${port}\n`);
  const registry = spawn('docker-registry', ['serve', join(project.dir, 'registry.yml')], { stdio: 'ignore' });
  t.after(async () => {
    registry.kill('SIGTERM');
    await new Promise((resolve) => registry.once('exit', resolve));
  });
  const catalog = () => fetch(`http://127.0.0.1:${port}/v2/_catalog`).then((response) => response.json() as Promise<{ repositories: string[] }>);
  await waitFor(async () => (await catalog().catch(() => undefined)) !== undefined, 15_000);
  const reference = `127.0.0.1:${port}/${project.name}/app:v1`;
  project.write(`
services:
  app:
    image: ${reference}
    build:
      dockerfile_inline: |
        FROM \${IMAGE}
        RUN echo pushed > /marker
`);
  const engine = await testEngine();
  t.after(() => engine.images.remove(reference, { force: true }).catch(() => {}));
  const result = await project.run(['build', '--push']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual((await catalog()).repositories, [`${project.name}/app`]);
});

test('additional_contexts: service:x builds x first and gives its image to the build as a named context', async (t) => {
  const project = await testProject(t);
  mkdirSync(join(project.dir, 'app'));
  writeFileSync(join(project.dir, 'app', 'Dockerfile'), 'FROM base\nCOPY --from=base /base /copied\n');
  project.write(`
services:
  base:
    build:
      dockerfile_inline: |
        FROM \${IMAGE}
        RUN echo made-by-base > /base
  app:
    build:
      context: ./app
      additional_contexts:
        base: service:base
`);
  const engine = await testEngine();
  t.after(async () => {
    for (const reference of [`${project.name}-app`, `${project.name}-base`]) await engine.images.remove(reference, { force: true }).catch(() => {});
  });
  const result = await project.run(['build']);
  assert.equal(result.code, 0, result.stderr);
  assert.deepEqual(await outputOf(t, engine, `${project.name}-check`, `${project.name}-app`, ['cat', '/copied', '/base']), ['made-by-base', 'made-by-base']);
});

test('a build whose context fails while it is sent ends with that error, and the engine is not left waiting for the rest', async () => {
  const engine = await testEngine();
  const { Readable } = await import('node:stream');
  const { tarArchive } = await import('../../src/apply/build/tar.js');
  // The start of an archive whose one file is larger than what arrives: the engine waits for the rest.
  const start = tarArchive([{ path: 'big', type: 'file', mode: 0o644, content: Buffer.alloc(8 * 1024 * 1024, 1) }]).subarray(0, 512 + 512 * 1024);
  const chunks = async function* () {
    yield start;
    await new Promise((resolve) => setTimeout(resolve, 100));
    throw new Error('the context went away');
  };
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error('the build did not end within 60 s of its context failing')), 60_000);
  });
  try {
    await assert.rejects(Promise.race([engine.images.build({ context: Readable.from(chunks()), tag: [`berth-failed-context-${process.pid}`] }), bound]), /the context went away/);
  } finally {
    clearTimeout(timer);
  }
  // The engine still answers.
  await engine.images.list({});
  await engine.images.remove(`berth-failed-context-${process.pid}`).catch(() => {});
});
