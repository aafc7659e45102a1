// No escapes from berth's engine: hostile images, archives, volumes and build contexts, one test per class. Each
// points symbolic links (absolute, or climbing with `..`) at a canary directory planted on the host, and checks that
// the engine neither read it (its content never appears in an answer, a volume, an image or a log) nor wrote it
// (its files unchanged, nothing added), and that no answer names a host path.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { tarArchive } from '../../src/apply/build/tar.js';
import type { TarEntry } from '../../src/apply/build/tar.js';
import { startTestEngine } from './engine-helpers.js';
import type { TestEngine } from './engine-helpers.js';
import { IMAGE } from './helpers.js';

let engine: TestEngine;
const TOKEN = `CANARY-${randomBytes(8).toString('hex')}`;
const canary = mkdtempSync(join(tmpdir(), 'berth-canary-'));
/** The canary's files: a secret, and the names the engine itself handles in a container's /etc. */
const CANARY_FILES = ['secret', 'hosts', 'hostname', 'resolv.conf', 'passwd'];
/** `..` enough times to climb out of any root the engine keeps, then down to the canary. */
const CLIMB = `${'../'.repeat(24)}${canary.slice(1)}`;

before(async () => {
  for (const name of CANARY_FILES) writeFileSync(join(canary, name), `${TOKEN}\n`);
  engine = await startTestEngine();
});
after(async () => {
  await engine?.stop();
  rmSync(canary, { recursive: true, force: true });
});

/** The canary is as planted: the same files, each with its content. */
function assertCanaryIntact(): void {
  assert.deepEqual(readdirSync(canary).sort(), [...CANARY_FILES].sort(), 'nothing added to or removed from the host directory');
  for (const name of CANARY_FILES) assert.equal(readFileSync(join(canary, name), 'utf8'), `${TOKEN}\n`, `host file ${name} unchanged`);
}

/**
 * An answer, log or file that must carry neither the canary's content nor a host path (except, with `echoes`, the
 * path the client itself sent).
 */
function assertNoLeak(text: string, what: string, echoes = false): void {
  assert.ok(!text.includes(TOKEN), `${what} carries host file content: ${text.slice(0, 400)}`);
  if (!echoes) assert.ok(!text.includes(canary), `${what} names the host directory: ${text.slice(0, 400)}`);
  assert.ok(!text.includes(engine.root), `${what} names the engine root: ${text.slice(0, 400)}`);
}

function send(method: string, path: string, body?: Buffer | object, contentType = 'application/x-tar'): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  const bytes = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(JSON.stringify(body));
  const type = body === undefined ? undefined : Buffer.isBuffer(body) ? contentType : 'application/json';
  return new Promise((resolve, reject) => {
    const headers = bytes ? { 'Content-Type': type!, 'Content-Length': bytes.length } : {};
    const req = request({ socketPath: engine.socket, method, path, headers, agent: false }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString('latin1'), headers: response.headers }));
    });
    req.on('error', reject);
    req.end(bytes);
  });
}

/** A docker-archive (`docker save` layout) of one image made of the given layers, tagged `tag`. */
function imageArchive(tag: string, layers: ReadonlyArray<readonly TarEntry[]>, config: object): Buffer {
  const tars = layers.map((entries) => tarArchive(entries));
  const diffIds = tars.map((tar) => `sha256:${createHash('sha256').update(tar).digest('hex')}`);
  const configBytes = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config, rootfs: { type: 'layers', diff_ids: diffIds } }));
  const configName = `${createHash('sha256').update(configBytes).digest('hex')}.json`;
  return tarArchive([
    { path: configName, type: 'file', mode: 0o644, content: configBytes },
    ...tars.map((tar, index): TarEntry => ({ path: `layer${index}.tar`, type: 'file', mode: 0o644, content: tar })),
    { path: 'manifest.json', type: 'file', mode: 0o644, content: Buffer.from(JSON.stringify([{ Config: configName, RepoTags: [tag], Layers: tars.map((_tar, index) => `layer${index}.tar`) }])) },
  ]);
}

const file = (path: string, content: string | Buffer, mode = 0o644): TarEntry => ({ path, type: 'file', mode, content: Buffer.from(content) });
const dir = (path: string): TarEntry => ({ path, type: 'directory', mode: 0o755 });
const link = (path: string, target: string): TarEntry => ({ path, type: 'symlink', mode: 0o777, target });

/** Every file under a host directory, read (for checking what a volume received). */
function filesUnder(path: string): string {
  let text = '';
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    text += `${entry.name}\n`;
    if (entry.isDirectory()) text += filesUnder(child);
    else if (entry.isFile()) text += readFileSync(child, 'latin1');
  }
  return text;
}

test('a VOLUME that is a symbolic link in the image is resolved inside the image: copy-up copies no host file', async () => {
  const tag = `escape-volume:${process.pid}`;
  const archive = imageArchive(
    tag,
    [[dir('real'), file('real/file', 'from the image\n'), link('absolute', canary), link('climbing', CLIMB), link('inside', '/real'), link('parent', 'real/../absolute')]],
    { Cmd: ['/nothing'], Volumes: { '/absolute': {}, '/climbing': {}, '/inside': {}, '/parent': {} } },
  );
  const loaded = await send('POST', '/images/load?quiet=1', archive);
  assert.equal(loaded.status, 200, loaded.body);
  const created = engine.docker(['create', '--name', `escape-volume-${process.pid}`, tag]);
  try {
    assert.equal(created.code, 0, created.stderr);
    assertNoLeak(created.stderr, 'create');
    const mounts = JSON.parse(engine.docker(['inspect', '-f', '{{json .Mounts}}', `escape-volume-${process.pid}`]).stdout) as Array<{ Destination: string; Source: string }>;
    assert.equal(mounts.length, 4);
    for (const mount of mounts) {
      const content = filesUnder(mount.Source);
      assertNoLeak(content, `the volume at ${mount.Destination}`);
      if (mount.Destination === '/inside') assert.equal(content, 'file\nfrom the image\n', 'a link inside the image is followed inside it');
    }
    assertCanaryIntact();
  } finally {
    engine.docker(['rm', '-v', '-f', `escape-volume-${process.pid}`]);
    engine.docker(['rmi', tag]);
  }
});

test('a volume subpath through a symbolic link stays inside the volume: no host file read or written', async () => {
  const volume = `escape-subpath-${process.pid}`;
  engine.docker(['volume', 'create', volume]);
  const seeded = engine.docker(['run', '--rm', '--network', 'none', '-v', `${volume}:/v`, IMAGE, 'sh', '-c', `ln -s ${canary} /v/absolute; ln -s ${CLIMB} /v/climbing; mkdir /v/real; echo from the volume > /v/real/file; ln -s /real /v/inside; ln -s real/../absolute /v/parent`]);
  assert.equal(seeded.code, 0, seeded.stderr);
  const run = async (subpath: string): Promise<{ status: number; output: string }> => {
    const create = await send('POST', '/containers/create', {
      Image: IMAGE,
      Cmd: ['sh', '-c', 'cat /m/secret /m/file; echo written > /m/passwd; ls /m'],
      HostConfig: { NetworkMode: 'none', Mounts: [{ Type: 'volume', Source: volume, Target: '/m', VolumeOptions: { Subpath: subpath } }] },
    });
    assert.equal(create.status, 201, create.body);
    const id = (JSON.parse(create.body) as { Id: string }).Id;
    try {
      const start = await send('POST', `/containers/${id}/start`);
      assertNoLeak(start.body, `start with subpath ${subpath}`);
      assert.ok(start.status < 500, `start with subpath ${subpath}: ${start.status} ${start.body}`);
      if (start.status >= 400) return { status: start.status, output: start.body };
      await send('POST', `/containers/${id}/wait`);
      const logs = engine.docker(['logs', id]);
      return { status: start.status, output: logs.stdout + logs.stderr };
    } finally {
      engine.docker(['rm', '-f', id]);
    }
  };
  try {
    for (const subpath of ['absolute', 'climbing', 'parent', 'absolute/', 'inside/../absolute']) {
      const { output } = await run(subpath);
      assertNoLeak(output, `a container with subpath ${subpath}`);
      assertCanaryIntact();
    }
    const inside = await run('inside');
    assert.equal(inside.status, 204);
    assert.match(inside.output, /from the volume/, 'a link inside the volume is followed inside it');
  } finally {
    engine.docker(['volume', 'rm', '-f', volume]);
  }
});

/** A container of the test image running `script`, removed when `body` is done. */
async function withContainer(script: string, body: (id: string) => Promise<void>, image = IMAGE): Promise<void> {
  const run = engine.docker(['run', '-d', '--network', 'none', image, 'sh', '-c', script]);
  assert.equal(run.code, 0, run.stderr);
  const id = run.stdout.trim();
  try {
    await body(id);
  } finally {
    engine.docker(['rm', '-f', id]);
  }
}

test('archive PUT, GET and HEAD racing a symbolic link swap inside the container never reach the host', async () => {
  // /tmp/t and /tmp/g keep turning from a directory into a link to the host's canary and back (CVE-2018-15664).
  const swap = (name: string): string => `while true; do mv /tmp/${name}.dir /tmp/${name}; mv /tmp/${name} /tmp/${name}.dir; mv /tmp/${name}.link /tmp/${name}; mv /tmp/${name} /tmp/${name}.link; done`;
  const script = `mkdir /tmp/t.dir /tmp/g.dir; echo harmless > /tmp/g.dir/secret; ln -s ${canary} /tmp/t.link; ln -s ${canary} /tmp/g.link; ln -s ${canary} /tmp/static; (${swap('t')}) & (${swap('g')}) & sleep 600`;
  const files = Array.from({ length: 200 }, (_value, index) => file(`f${index}`, 'put\n'));
  const archive = tarArchive(files);
  await withContainer(script, async (id) => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    // A link planted in the container to the host path is followed inside the container, whatever the verb.
    for (const path of ['/tmp/static/secret', `/tmp/static/../static/secret`, `/tmp/${CLIMB}/secret`]) {
      const get = await send('GET', `/containers/${id}/archive?path=${encodeURIComponent(path)}`);
      assert.equal(get.status, 404, `GET ${path}: ${get.body}`);
      assertNoLeak(get.body, `GET ${path}`, true);
      const put = await send('PUT', `/containers/${id}/archive?path=${encodeURIComponent(path.replace(/\/secret$/, ''))}`, archive);
      assert.equal(put.status, 404, `PUT ${path}: ${put.body}`);
      assertNoLeak(put.body, `PUT ${path}`, true);
    }
    let written = 0;
    let read = 0;
    // Four seconds of racing, and on a slow machine until both verbs got through at least once.
    const start = Date.now();
    const racing = (): boolean => Date.now() - start < 4000 || ((written === 0 || read === 0) && Date.now() - start < 30_000);
    for (let attempt = 0; racing() && attempt < 400; attempt++) {
      const put = await send('PUT', `/containers/${id}/archive?path=/tmp/t`, archive);
      assertNoLeak(put.body, 'PUT archive');
      assert.ok(put.status < 500, `PUT: ${put.status} ${put.body}`);
      if (put.status === 200) written++;
      assertCanaryIntact();
      const get = await send('GET', `/containers/${id}/archive?path=/tmp/g/secret`);
      assertNoLeak(get.body, 'GET archive');
      assert.ok(get.status < 500, `GET: ${get.status} ${get.body}`);
      if (get.status === 200) read++;
      const head = await send('HEAD', `/containers/${id}/archive?path=/tmp/g/secret`);
      assertNoLeak(Buffer.from(String(head.headers['x-docker-container-path-stat'] ?? ''), 'base64').toString(), 'HEAD archive');
    }
    assert.ok(written > 0 && read > 0, `the race was run (${written} PUTs and ${read} GETs answered 200)`);
    const exported = await send('GET', `/containers/${id}/export`);
    assert.equal(exported.status, 200);
    assertNoLeak(exported.body, 'export', true); // the container's own links name the canary's path
    assertCanaryIntact();
  });
});

/** POST /build with a context made of `entries`: the answer's messages, joined. */
async function build(entries: readonly TarEntry[], query = ''): Promise<{ output: string; error?: string }> {
  const answer = await send('POST', `/build?rm=1&forcerm=1${query}`, tarArchive(entries));
  assert.equal(answer.status, 200, answer.body);
  const messages = answer.body.split('\n').filter(Boolean).map((line) => JSON.parse(line) as { stream?: string; error?: string });
  const error = messages.find((message) => message.error)?.error;
  return { output: answer.body, ...(error ? { error } : {}) };
}

test('a build context cannot make the builder read a host file: Dockerfile, .dockerignore, COPY and ADD sources', async () => {
  for (const [dockerfile, target] of [['Dockerfile', `${canary}/secret`], ['Dockerfile', `${CLIMB}/secret`], ['sub/Dockerfile', '../../../../secret']]) {
    const result = await build([dir('sub'), link(dockerfile!, target!)], `&dockerfile=${encodeURIComponent(dockerfile!)}`);
    assertNoLeak(result.output, `a build whose ${dockerfile} links to ${target}`);
    assert.match(result.error ?? '', /Cannot locate specified Dockerfile/);
  }
  for (const source of ['link', 'dir/inner', 'l*', 'climbing', 'dir/../link']) {
    const result = await build([
      file('Dockerfile', `FROM ${IMAGE}\nCOPY ${source} /copied\n`),
      link('link', `${canary}/secret`),
      link('climbing', `${CLIMB}/secret`),
      dir('dir'),
      link('dir/inner', `${canary}/secret`),
    ]);
    assertNoLeak(result.output, `COPY ${source}`);
    assert.match(result.error ?? '', /not found|no source files/, `COPY ${source}: ${result.output}`);
  }
  const tag = `escape-build:${process.pid}`;
  const built = await build(
    [
      file('Dockerfile', `FROM ${IMAGE}\nCOPY dir /dir\nADD dir /added\nCOPY inside /inside\nCOPY real/file /../../../../../../../../../../../../../..${canary}/written\nWORKDIR /tmp\nCOPY real ../../../../../../../../../../../../../..${canary}/\n`),
      link('.dockerignore', `${canary}/secret`),
      dir('dir'),
      link('dir/inner', `${canary}/secret`),
      link('dir/climbing', CLIMB),
      dir('real'),
      file('real/file', 'from the context\n'),
      link('inside', '/real/file'),
    ],
    `&t=${tag}`,
  );
  assert.equal(built.error, undefined, built.output);
  assertNoLeak(built.output, 'the build', true); // the Dockerfile names the canary's path itself
  try {
    const saved = await send('GET', `/images/${tag}/get`);
    assert.equal(saved.status, 200);
    assertNoLeak(saved.body, 'the built image', true); // it has the canary's path, inside it
    assert.match(saved.body, /from the context/, 'a link inside the context is followed inside it');
    const listing = engine.docker(['run', '--rm', '--network', 'none', tag, 'sh', '-c', `readlink /dir/inner; readlink /added/inner; cat /inside ${canary}/written ${canary}/file`]);
    assert.equal(listing.stdout, `${canary}/secret\n${canary}/secret\n${'from the context\n'.repeat(3)}`, 'links inside a copied directory are copied as links; `..` stays in the image');
  } finally {
    engine.docker(['rmi', tag]);
  }
  assertCanaryIntact();
});

test('an image archive cannot make the engine read a host file: manifest.json, index.json, config and layer links', async () => {
  const layer = tarArchive([file('hello', 'from the layer\n')]);
  const layerHex = createHash('sha256').update(layer).digest('hex');
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: { Cmd: ['/hello'] }, rootfs: { type: 'layers', diff_ids: [`sha256:${layerHex}`] } }));
  const configHex = createHash('sha256').update(config).digest('hex');
  const canaryHex = createHash('sha256').update(`${TOKEN}\n`).digest('hex');
  const manifest = (configName: string, layers: string[]): TarEntry => file('manifest.json', JSON.stringify([{ Config: configName, RepoTags: [`escape-load:${process.pid}`], Layers: layers }]));
  const hostile: Array<[string, TarEntry[]]> = [
    ['manifest.json to a host file', [link('manifest.json', `${canary}/secret`)]],
    ['manifest.json climbing out', [link('manifest.json', `${CLIMB}/secret`)]],
    ['index.json to a host file', [link('index.json', `${canary}/secret`), file('oci-layout', '{"imageLayoutVersion":"1.0.0"}')]],
    ['the config to a host file', [link('config.json', `${canary}/secret`), file('layer.tar', layer), manifest('config.json', ['layer.tar'])]],
    ['a layer to a host file', [file('config.json', JSON.stringify({ rootfs: { type: 'layers', diff_ids: [`sha256:${canaryHex}`] } })), link('layer.tar', `${canary}/secret`), manifest('config.json', ['layer.tar'])]],
    ['a layer through a linked directory', [file('config.json', JSON.stringify({ rootfs: { type: 'layers', diff_ids: [`sha256:${canaryHex}`] } })), link('layers', canary), manifest('config.json', ['layers/secret'])]],
    ['a manifest naming a host path', [file('config.json', config), manifest(`${canary}/secret`, [`../../../../../..${canary}/secret`])]],
    ['a manifest of the wrong shape', [file('manifest.json', '{"Config": 1}')]],
  ];
  for (const [what, entries] of hostile) {
    const answer = await send('POST', '/images/load', tarArchive(entries));
    assertNoLeak(answer.body, `loading an archive with ${what}`, what === 'a manifest naming a host path');
    assert.equal(answer.status, 400, `${what}: ${answer.status} ${answer.body}`);
  }
  assert.notEqual(engine.docker(['image', 'inspect', `escape-load:${process.pid}`]).code, 0, 'no image was stored');
  // Links that stay inside the archive (as docker 25 and later write them) are followed inside it.
  const linked = tarArchive([
    dir('blobs'),
    dir('blobs/sha256'),
    file(`blobs/sha256/${layerHex}`, layer),
    file(`blobs/sha256/${configHex}`, config),
    dir(layerHex),
    link(`${layerHex}/layer.tar`, `../blobs/sha256/${layerHex}`),
    link(`${configHex}.json`, `/blobs/sha256/${configHex}`),
    manifest(`${configHex}.json`, [`${layerHex}/layer.tar`]),
  ]);
  const loaded = await send('POST', '/images/load', linked);
  assert.equal(loaded.status, 200, loaded.body);
  assert.match(loaded.body, new RegExp(`Loaded image: escape-load:${process.pid}`));
  engine.docker(['rmi', `escape-load:${process.pid}`]);
  assertCanaryIntact();
});

test('commit and diff of a container that turned /etc into a link to the host touch no host file', async () => {
  const busybox = readFileSync('/bin/busybox');
  const tag = `escape-commit:${process.pid}`;
  const archive = imageArchive(tag, [[dir('bin'), file('bin/busybox', busybox, 0o755), link('bin/sh', 'busybox'), dir('tmp'), link('etc', '/nowhere')]], { Cmd: ['/bin/sh'] });
  const loaded = await send('POST', '/images/load', archive);
  assert.equal(loaded.status, 200, loaded.body);
  try {
    await withContainer(`busybox rm /etc && busybox ln -s ${canary} /etc && busybox sleep 600`, async (id) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      const changes = await send('GET', `/containers/${id}/changes`);
      assert.equal(changes.status, 200, changes.body);
      assertNoLeak(changes.body, 'diff');
      const committed = engine.docker(['commit', id, `${tag}-committed`]);
      assert.equal(committed.code, 0, committed.stderr);
      assertCanaryIntact();
      engine.docker(['rmi', `${tag}-committed`]);
    }, tag);
  } finally {
    engine.docker(['rmi', tag]);
  }
});
