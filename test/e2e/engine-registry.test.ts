// berth's engine and real registries (distribution 2.8 on loopback, started here): pulls, pushes and logins by the
// stock docker CLI and by raw API calls, digests, multi-platform indexes, credentials, and a hostile registry.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import * as tar from 'tar-stream';
import { tarArchive } from '../../src/engine/store/tar-writer.js';
import { rawRequest, startTestEngine } from './engine-helpers.js';
import type { TestEngine } from './engine-helpers.js';
import { writeImageArchive } from '../../bench/gen-image.mjs';
import { IMAGE } from './helpers.js';
import { READER_PASSWORD, READER_USER, REGISTRY_PASSWORD, REGISTRY_USER, startRegistry } from './registry-helpers.js';
import type { TestRegistry } from './registry-helpers.js';

let engine: TestEngine;
let open: TestRegistry;
let work: string;
/** The test image as a docker-archive file, to seed registries with skopeo. */
let archive: string;

before(async () => {
  engine = await startTestEngine();
  open = await startRegistry();
  work = mkdtempSync(join(tmpdir(), 'berth-registry-test-'));
  archive = join(work, 'busybox.tar');
  const saved = spawnSync('docker', ['-H', 'unix:///var/run/docker.sock', 'save', '-o', archive, IMAGE]);
  assert.equal(saved.status, 0, saved.stderr?.toString());
  open.seedFrom(`docker-archive:${archive}`, 'test/busybox:v1');
  writeImageArchive(join(work, 'layers.tar'), 'layers:v1', 2, 200_000);
  open.seedFrom(`docker-archive:${join(work, 'layers.tar')}`, 'test/layers:v1');
});
after(async () => {
  await open?.stop();
  await engine?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

const sha256 = (bytes: Buffer): string => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** A raw pull, every JSON line of the answer parsed. */
function pull(query: string, headers: Record<string, string> = {}): Promise<{ status: number; lines: Array<Record<string, unknown>>; text: string }> {
  return new Promise((resolve, reject) => {
    // A fresh connection each time: a kept-alive one the engine closed meanwhile would fail the write (EPIPE).
    const req = request({ socketPath: engine.socket, method: 'POST', path: `/v1.44/images/create?${query}`, headers, agent: false }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => {
        const lines = text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
        resolve({ status: response.statusCode ?? 0, lines, text });
      });
    });
    req.on('error', reject);
    req.end();
  });
}

/** A raw push (with an X-Registry-Auth made of `auth`), every JSON line of the answer parsed. */
function pushRaw(name: string, tag: string, auth: object): Promise<{ status: number; lines: Array<Record<string, unknown>>; text: string }> {
  return new Promise((resolve, reject) => {
    const headers = { 'X-Registry-Auth': Buffer.from(JSON.stringify(auth)).toString('base64url') };
    const req = request({ socketPath: engine.socket, method: 'POST', path: `/v1.44/images/${name}/push?tag=${tag}`, headers, agent: false }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, lines: text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>), text }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A push the registry refuses, as dockerd 20.10 answers it: 200, a `Preparing` line per layer, then the error. */
async function assertPushRefused(reference: string, auth: object, words: string): Promise<void> {
  const [name, tag] = [reference.slice(0, reference.lastIndexOf(':')), reference.slice(reference.lastIndexOf(':') + 1)];
  const answer = await pushRaw(name, tag!, auth);
  assert.equal(answer.status, 200, answer.text);
  assert.equal(answer.lines[0]!.status, `The push refers to repository [${name}]`);
  assert.ok(answer.lines.slice(1, -1).every((line) => line.status === 'Preparing' || line.status === 'Waiting'), `nothing pushed: ${answer.text}`);
  assert.deepEqual(answer.lines.at(-1), { errorDetail: { message: words }, error: words });
}

/** Every file member of a tar archive, by name. */
async function tarMembers(file: string): Promise<Map<string, Buffer>> {
  const members = new Map<string, Buffer>();
  const extract = tar.extract();
  extract.on('entry', (header, stream, next) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: unknown) => chunks.push(chunk as Buffer));
    stream.on('end', () => {
      if (header.type === 'file') members.set(header.name.replace(/^\.\//, ''), Buffer.concat(chunks));
      next();
    });
  });
  await pipeline(createReadStream(file), extract);
  return members;
}

/** Nothing half-made under the engine's root: no temporary layer directory left. */
function assertNoLeftovers(): void {
  const tmp = join(engine.root, 'tmp');
  assert.deepEqual(existsSync(tmp) ? readdirSync(tmp).filter((name) => name.startsWith('layer-')) : [], []);
}

test('docker pull through berth\'s engine shows dockerd\'s progress, stores the image with its digest, and it runs', async () => {
  const layered = await pull(`fromImage=${open.host}/test/layers&tag=v1`);
  assert.equal(layered.status, 200);
  const steps = (id: unknown): unknown[] => layered.lines.filter((line) => line.id === id && line.status !== 'Downloading').map((line) => line.status);
  const layerIds = [...new Set(layered.lines.filter((line) => line.status === 'Pulling fs layer').map((line) => line.id))];
  assert.equal(layerIds.length, 2);
  for (const id of layerIds) assert.deepEqual(steps(id), ['Pulling fs layer', 'Verifying Checksum', 'Download complete', 'Extracting', 'Pull complete']);
  assert.ok(layered.lines.some((line) => line.status === 'Downloading' && typeof (line.progressDetail as { total?: unknown }).total === 'number' && /^\[=*>/.test(String(line.progress))));
  assert.deepEqual(layered.lines[0], { status: 'Pulling from test/layers', id: 'v1' });

  const reference = `${open.host}/test/busybox:v1`;
  const pulled = engine.docker(['pull', reference]);
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.match(pulled.stdout, /v1: Pulling from test\/busybox/);
  assert.match(pulled.stdout, /Digest: sha256:[0-9a-f]{64}/);
  assert.match(pulled.stdout, new RegExp(`Status: Downloaded newer image for ${reference.replace(/\./g, '\\.')}`));
  const digest = /Digest: (sha256:[0-9a-f]{64})/.exec(pulled.stdout)![1]!;
  assert.equal(engine.docker(['image', 'inspect', '-f', '{{index .RepoDigests 0}}', reference]).stdout.trim(), `${open.host}/test/busybox@${digest}`);
  assert.match(engine.docker(['images', '--digests', '--format', '{{.Repository}} {{.Tag}} {{.Digest}}']).stdout, new RegExp(`${open.host}/test/busybox v1 ${digest}`));
  const run = engine.docker(['run', '--rm', '--network', 'none', reference, 'echo', 'pulled and running']);
  assert.equal(run.stdout, 'pulled and running\n', run.stderr);
  const again = engine.docker(['pull', reference]);
  assert.match(again.stdout, /Status: Image is up to date for/);
  // The store keeps the gzip blobs as they arrived; save gives back each layer's uncompressed tar, its diff id.
  const saved = join(work, 'pulled-save.tar');
  assert.equal(engine.docker(['save', '-o', saved, reference]).code, 0);
  const members = await tarMembers(saved);
  const diffIds = JSON.parse(engine.docker(['image', 'inspect', '-f', '{{json .RootFS.Layers}}', reference]).stdout) as string[];
  const manifest = JSON.parse(members.get('manifest.json')!.toString()) as Array<{ Layers: string[] }>;
  assert.deepEqual(manifest[0]!.Layers.map((name) => sha256(members.get(name)!)), diffIds);
  const removed = engine.docker(['rmi', reference]);
  assert.match(removed.stdout, /Untagged: .*test\/busybox:v1\nUntagged: .*test\/busybox@sha256:/, 'the last tag of a repository takes its digest references along');
  assertNoLeftovers();
});

test('a digest reference pulls exactly that manifest; tag=sha256:... as the docker CLI sends it works too', async () => {
  const manifest = await open.api('GET', '/v2/test/busybox/manifests/v1', undefined, { Accept: 'application/vnd.docker.distribution.manifest.v2+json' });
  const digest = sha256(manifest.body);
  engine.docker(['rmi', '-f', `${open.host}/test/busybox:v1`]);
  const pulled = engine.docker(['pull', `${open.host}/test/busybox@${digest}`]);
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.match(pulled.stdout, new RegExp(`Digest: ${digest}`));
  assert.equal(engine.docker(['run', '--rm', '--network', 'none', `${open.host}/test/busybox@${digest}`, 'true']).code, 0);
  const raw = await pull(`fromImage=${open.host}/test/busybox&tag=${digest}`);
  assert.equal(raw.status, 200);
  assert.match(raw.text, /Status: Image is up to date for .*test\/busybox@sha256:/);
});

test('an unknown tag or repository is a 404 worded as dockerd words it; a registry that is down a 500 (a push: its stream\'s error), as from dockerd; the engine keeps serving', async () => {
  const unknownTag = await pull(`fromImage=${open.host}/test/busybox&tag=nope`);
  assert.equal(unknownTag.status, 404);
  assert.equal(unknownTag.lines[0]!.message, `manifest for ${open.host}/test/busybox:nope not found: manifest unknown: manifest unknown`);
  const cli = engine.docker(['pull', `${open.host}/test/nothing:v1`]);
  assert.notEqual(cli.code, 0);
  assert.match(cli.stderr, /manifest for .*test\/nothing:v1 not found: manifest unknown/);
  // dockerd 20.10, port 9 not listening: 500 for a pull; for a push, 200 and the error after its first line.
  const refused = 'Get "http://127.0.0.1:9/v2/": dial tcp 127.0.0.1:9: connect: connection refused';
  const down = await pull('fromImage=127.0.0.1:9/test/busybox&tag=v1');
  assert.equal(down.status, 500);
  assert.equal(down.lines[0]!.message, refused);
  assert.equal(engine.docker(['tag', IMAGE, '127.0.0.1:9/test/busybox:v1']).code, 0);
  const downPush = await pushRaw('127.0.0.1:9/test/busybox', 'v1', {});
  engine.docker(['rmi', '127.0.0.1:9/test/busybox:v1']);
  assert.equal(downPush.status, 200);
  assert.deepEqual(downPush.lines.map((line) => line.status ?? line.error), ['The push refers to repository [127.0.0.1:9/test/busybox]', refused]);
  const bad = await pull('fromImage=Upper&tag=v1');
  assert.equal(bad.status, 400);
  assert.equal((await rawRequest(engine.socket, 'GET', '/_ping')).status, 200);
  assertNoLeftovers();
});

/** Pushes a blob into the open registry over its API (monolithic upload); its digest. */
async function putBlob(registry: TestRegistry, repository: string, bytes: Buffer): Promise<string> {
  const digest = sha256(bytes);
  const started = await registry.api('POST', `/v2/${repository}/blobs/uploads/`);
  assert.equal(started.status, 202);
  const location = new URL(started.headers.get('location')!, `http://${registry.host}`);
  location.searchParams.set('digest', digest);
  const put = await registry.api('PUT', `${location.pathname}${location.search}`, bytes, { 'Content-Type': 'application/octet-stream' });
  assert.equal(put.status, 201, put.body.toString());
  return digest;
}

async function putManifest(registry: TestRegistry, repository: string, reference: string, manifest: object): Promise<string> {
  const bytes = Buffer.from(JSON.stringify(manifest));
  const put = await registry.api('PUT', `/v2/${repository}/manifests/${reference}`, bytes, { 'Content-Type': (manifest as { mediaType: string }).mediaType });
  assert.equal(put.status, 201, put.body.toString());
  return sha256(bytes);
}

test('a multi-platform index: the engine\'s platform is picked, --platform picks another, an index without linux/amd64 is refused', async () => {
  open.seedFrom(`docker-archive:${archive}`, 'test/multi:base');
  const amd64 = await open.api('GET', '/v2/test/multi/manifests/base', undefined, { Accept: 'application/vnd.docker.distribution.manifest.v2+json' });
  const manifest = JSON.parse(amd64.body.toString()) as { config: { digest: string }; layers: object[] };
  const config = JSON.parse((await open.api('GET', `/v2/test/multi/blobs/${manifest.config.digest}`)).body.toString()) as Record<string, unknown>;
  const armConfig = Buffer.from(JSON.stringify({ ...config, architecture: 'arm64', variant: 'v8' }));
  const armConfigDigest = await putBlob(open, 'test/multi', armConfig);
  const armManifest = { ...manifest, config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: armConfig.length, digest: armConfigDigest } };
  const armDigest = await putManifest(open, 'test/multi', 'arm-only-manifest', armManifest);
  const amdDigest = await putManifest(open, 'test/multi', 'amd-only-manifest', JSON.parse(amd64.body.toString()));
  const entry = (digest: string, size: number, architecture: string, variant?: string) => ({ mediaType: 'application/vnd.docker.distribution.manifest.v2+json', digest, size, platform: { os: 'linux', architecture, ...(variant ? { variant } : {}) } });
  const armSize = Buffer.byteLength(JSON.stringify(armManifest));
  const indexDigest = await putManifest(open, 'test/multi', 'v1', { schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [entry(armDigest, armSize, 'arm64', 'v8'), entry(amdDigest, amd64.body.length, 'amd64')] });
  await putManifest(open, 'test/multi', 'arm-only', { schemaVersion: 2, mediaType: 'application/vnd.docker.distribution.manifest.list.v2+json', manifests: [entry(armDigest, armSize, 'arm64', 'v8')] });

  const pulled = engine.docker(['pull', `${open.host}/test/multi:v1`]);
  assert.equal(pulled.code, 0, pulled.stderr);
  assert.match(pulled.stdout, new RegExp(`Digest: ${indexDigest}`), 'the digest shown is the index\'s, as dockerd shows it');
  assert.equal(engine.docker(['image', 'inspect', '-f', '{{.Architecture}}', `${open.host}/test/multi:v1`]).stdout.trim(), 'amd64');
  const arm = await pull(`fromImage=${open.host}/test/multi&tag=v1&platform=linux/arm64`);
  assert.equal(arm.status, 200, arm.text);
  assert.equal(engine.docker(['image', 'inspect', '-f', '{{.Architecture}}', `${open.host}/test/multi:v1`]).stdout.trim(), 'arm64');
  const armOnly = await pull(`fromImage=${open.host}/test/multi&tag=arm-only`);
  assert.equal(armOnly.status, 404);
  assert.equal(armOnly.lines[0]!.message, 'no matching manifest for linux/amd64 in the manifest list entries');
  const armManifestOnly = await pull(`fromImage=${open.host}/test/multi&tag=arm-only-manifest`);
  assert.equal(armManifestOnly.status, 404);
  assert.match(String(armManifestOnly.lines[0]!.message), /is for linux\/arm64\/v8 only/);
  const distribution = JSON.parse((await rawRequest(engine.socket, 'GET', `/distribution/${open.host}/test/multi:v1/json`)).body) as { Descriptor: { digest: string }; Platforms: Array<{ architecture: string }> };
  assert.equal(distribution.Descriptor.digest, indexDigest);
  assert.deepEqual(distribution.Platforms.map((platform) => platform.architecture), ['arm64', 'amd64']);
});

test('docker push sends the layers, skips them the second time, mounts them across repositories, and reports the digest', async () => {
  const source = `${open.host}/test/layers:v1`;
  if (engine.docker(['image', 'inspect', source]).code !== 0) assert.equal(engine.docker(['pull', source]).code, 0);
  const target = `${open.host}/pushed/layers:v2`;
  assert.equal(engine.docker(['tag', source, target]).code, 0);
  const first = engine.docker(['push', target]);
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stdout, /The push refers to repository \[127\.0\.0\.1:\d+\/pushed\/layers\]/);
  assert.match(first.stdout, /Mounted from test\/layers/, 'layers pulled from another repository of the registry are mounted, not sent');
  const digest = /v2: digest: (sha256:[0-9a-f]{64}) size: (\d+)/.exec(first.stdout);
  assert.ok(digest, first.stdout);
  const stored = await open.api('HEAD', '/v2/pushed/layers/manifests/v2', undefined, { Accept: 'application/vnd.docker.distribution.manifest.v2+json' });
  assert.equal(stored.headers.get('docker-content-digest'), digest[1]);
  assert.match(engine.docker(['image', 'inspect', '-f', '{{json .RepoDigests}}', target]).stdout, new RegExp(`pushed/layers@${digest[1]}`));
  const second = engine.docker(['push', target]);
  assert.match(second.stdout, /Layer already exists/);

  // To another registry, which has none of it: the blobs kept as they arrived are sent as they are (same digests).
  const other = await startRegistry();
  try {
    const elsewhere = `${other.host}/copied/layers:v1`;
    assert.equal(engine.docker(['tag', source, elsewhere]).code, 0);
    const copied = engine.docker(['push', elsewhere]);
    assert.equal(copied.code, 0, copied.stderr);
    assert.match(copied.stdout, /Pushed/);
    const layersOf = async (registry: TestRegistry, path: string): Promise<string[]> => {
      const answer = await registry.api('GET', path, undefined, { Accept: 'application/vnd.docker.distribution.manifest.v2+json' });
      return (JSON.parse(answer.body.toString()) as { layers: Array<{ digest: string }> }).layers.map((layer) => layer.digest);
    };
    assert.deepEqual(await layersOf(other, '/v2/copied/layers/manifests/v1'), await layersOf(open, '/v2/test/layers/manifests/v1'));
    engine.docker(['rmi', elsewhere]);
  } finally {
    await other.stop();
  }

  // An image made here (never pulled) is sent whole, then pulled back by another name and runs.
  engine.docker(['run', '--name', 'made-here', '--network', 'none', IMAGE, 'sh', '-c', 'echo made > /made']);
  assert.equal(engine.docker(['commit', 'made-here', `${open.host}/pushed/made:v1`]).code, 0);
  engine.docker(['rm', 'made-here']);
  const made = engine.docker(['push', `${open.host}/pushed/made:v1`]);
  assert.equal(made.code, 0, made.stderr);
  assert.match(made.stdout, /Pushed/);
  assert.equal(engine.docker(['rmi', `${open.host}/pushed/made:v1`]).code, 0);
  assert.equal(engine.docker(['run', '--rm', '--network', 'none', `${open.host}/pushed/made:v1`, 'cat', '/made']).stdout, 'made\n');
  const missing = engine.docker(['push', `${open.host}/pushed/nothing:v1`]);
  assert.notEqual(missing.code, 0);
  assert.match(missing.stderr, /tag does not exist|An image does not exist locally/);
});

/** The stock docker CLI with its own config directory (credentials stored by `docker login` land there). */
function dockerWithConfig(config: string, args: readonly string[], input?: string): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync('docker', ['--config', config, '-H', engine.host, ...args], { input: input ?? '', encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('a registry with htpasswd basic auth: login checks the password, pulls need credentials, the registry\'s refusal is reported', async (t) => {
  const registry = await startRegistry({ auth: 'htpasswd' });
  t.after(() => registry.stop());
  registry.seedFrom(`docker-archive:${join(work, 'layers.tar')}`, 'private/layers:v1');
  const config = mkdtempSync(join(work, 'config-'));
  const reference = `${registry.host}/private/layers:v1`;
  const anonymous = dockerWithConfig(config, ['pull', reference]);
  assert.notEqual(anonymous.code, 0);
  assert.match(anonymous.stderr, /no basic auth credentials/);
  const wrong = dockerWithConfig(config, ['login', '-u', REGISTRY_USER, '--password-stdin', registry.host], 'wrong\n');
  assert.notEqual(wrong.code, 0);
  assert.match(wrong.stderr, /login attempt to http:\/\/127\.0\.0\.1:\d+\/v2\/ failed with status: 401 Unauthorized/);
  const login = dockerWithConfig(config, ['login', '-u', REGISTRY_USER, '--password-stdin', registry.host], `${REGISTRY_PASSWORD}\n`);
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stdout, /Login Succeeded/);
  const pulled = dockerWithConfig(config, ['pull', reference]);
  assert.equal(pulled.code, 0, pulled.stderr);
  // dockerd 20.10 against this registry: 500 `unauthorized: authentication required` for a wrong password (and
  // `docker pull` says so), never a 401, which would make the docker CLI prompt for a login.
  const badAuth = await pull(`fromImage=${registry.host}/private/layers&tag=v1`, { 'X-Registry-Auth': Buffer.from(JSON.stringify({ username: REGISTRY_USER, password: 'nope' })).toString('base64url') });
  assert.equal(badAuth.status, 500);
  assert.match(String(badAuth.lines[0]!.message), /unauthorized: authentication required/);
  const wrongConfig = mkdtempSync(join(work, 'config-'));
  writeFileSync(join(wrongConfig, 'config.json'), JSON.stringify({ auths: { [registry.host]: { auth: Buffer.from(`${REGISTRY_USER}:nope`).toString('base64') } } }));
  const wrongPull = dockerWithConfig(wrongConfig, ['pull', reference]);
  assert.equal(wrongPull.code, 1);
  assert.match(wrongPull.stderr, /Error response from daemon: .*unauthorized: authentication required/);

  // A push refused, as dockerd 20.10 streams it (200, then the registry's words): no credentials, a wrong password.
  assert.equal(engine.docker(['tag', reference, `${registry.host}/private/pushed:v1`]).code, 0);
  await assertPushRefused(`${registry.host}/private/pushed:v1`, {}, 'no basic auth credentials');
  await assertPushRefused(`${registry.host}/private/pushed:v1`, { username: REGISTRY_USER, password: 'nope' }, 'unauthorized: authentication required');
  const refusedCli = dockerWithConfig(wrongConfig, ['push', `${registry.host}/private/pushed:v1`]);
  assert.equal(refusedCli.code, 1);
  assert.equal(refusedCli.stderr, 'unauthorized: authentication required\n');
  engine.docker(['rmi', `${registry.host}/private/pushed:v1`]);
  assert.deepEqual(await registry.tags('private/pushed'), []);

  // LastTagTime: set by the pull that tagged the image and by docker tag (dockerd sets it on tag).
  const tagged = (name: string): number => Date.parse(JSON.parse(engine.docker(['image', 'inspect', '-f', '{{json .Metadata.LastTagTime}}', name]).stdout) as string);
  const pulledAt = tagged(reference);
  assert.ok(Date.now() - pulledAt < 10 * 60_000 && pulledAt <= Date.now() + 1000, `LastTagTime after the pull: ${pulledAt}`);
  assert.equal(engine.docker(['tag', reference, 'berth-registry-lasttag:v1']).code, 0);
  assert.ok(tagged('berth-registry-lasttag:v1') >= pulledAt);
  engine.docker(['rmi', 'berth-registry-lasttag:v1']);
  engine.docker(['rmi', reference]);
});

test('a registry with token auth: login hands back an identity token that pulls; read-only users cannot push; anonymous users see public images only', async (t) => {
  const registry = await startRegistry({ auth: 'token' });
  t.after(() => registry.stop());
  registry.seedFrom(`docker-archive:${join(work, 'layers.tar')}`, 'private/layers:v1');
  registry.seedFrom(`docker-archive:${join(work, 'layers.tar')}`, 'public/layers:v1');
  const login = await rawRequest(engine.socket, 'POST', '/auth', JSON.stringify({ username: REGISTRY_USER, password: REGISTRY_PASSWORD, serveraddress: registry.host }));
  assert.equal(login.status, 200, login.body);
  const { Status, IdentityToken } = JSON.parse(login.body) as { Status: string; IdentityToken: string };
  assert.equal(Status, 'Login Succeeded');
  assert.match(IdentityToken, new RegExp(`^refresh-${REGISTRY_USER}-`));
  const wrong = await rawRequest(engine.socket, 'POST', '/auth', JSON.stringify({ username: REGISTRY_USER, password: 'nope', serveraddress: registry.host }));
  assert.equal(wrong.status, 401);
  assert.match(JSON.parse(wrong.body).message, /incorrect username or password/);

  const byToken = await pull(`fromImage=${registry.host}/private/layers&tag=v1`, { 'X-Registry-Auth': Buffer.from(JSON.stringify({ identitytoken: IdentityToken })).toString('base64url') });
  assert.equal(byToken.status, 200, byToken.text);
  assert.match(byToken.text, /Status: (Downloaded newer image|Image is up to date)/);
  // As dockerd 20.10: an anonymous pull from a token registry that refuses it is a 404 `pull access denied`.
  const anonymous = await pull(`fromImage=${registry.host}/private/layers&tag=v1`);
  assert.equal(anonymous.status, 404);
  assert.match(String(anonymous.lines[0]!.message), /pull access denied for .*private\/layers, repository does not exist or may require 'docker login'/);
  assert.equal((await pull(`fromImage=${registry.host}/public/layers&tag=v1`)).status, 200);

  const config = mkdtempSync(join(work, 'config-'));
  assert.equal(dockerWithConfig(config, ['login', '-u', READER_USER, '--password-stdin', registry.host], `${READER_PASSWORD}\n`).code, 0);
  assert.equal(engine.docker(['tag', `${registry.host}/private/layers:v1`, `${registry.host}/private/readers:v1`]).code, 0);
  // As dockerd 20.10: a token without push access is `denied`, refused credentials the token server's words.
  const denied = dockerWithConfig(config, ['push', `${registry.host}/private/readers:v1`]);
  assert.equal(denied.code, 1);
  assert.equal(denied.stderr, 'denied: requested access to the resource is denied\n');
  await assertPushRefused(`${registry.host}/private/readers:v1`, {}, 'denied: requested access to the resource is denied');
  await assertPushRefused(`${registry.host}/private/readers:v1`, { username: REGISTRY_USER, password: 'nope' }, 'unauthorized: incorrect username or password');
  assert.equal(dockerWithConfig(config, ['login', '-u', REGISTRY_USER, '--password-stdin', registry.host], `${REGISTRY_PASSWORD}\n`).code, 0);
  const pushed = dockerWithConfig(config, ['push', `${registry.host}/private/readers:v1`]);
  assert.equal(pushed.code, 0, pushed.stderr);
  assert.match(pushed.stdout, /v1: digest: sha256:/);
  engine.docker(['rmi', `${registry.host}/private/layers:v1`, `${registry.host}/private/readers:v1`, `${registry.host}/public/layers:v1`]);
});

/**
 * A hostile registry (a server in this test, answering only the engine's asynchronous requests): digests that lie,
 * truncated and stalled blobs, a huge manifest, odd media types and digests, redirects to other schemes.
 */
async function startHostileRegistry(): Promise<{ host: string; stop(): Promise<void> }> {
  const { createServer } = await import('node:http');
  // A new layer each time: an image the engine has whole would need no download at all.
  const content = tarArchive([{ name: 'hello', content: `hello ${Date.now()} ${Math.random()}\n` }]);
  const layer = gzipSync(content);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(content)] } }));
  const manifest = (layerDigest: string, overrides: Record<string, unknown> = {}): Buffer =>
    Buffer.from(JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
      config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: sha256(config) },
      layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: layer.length, digest: layerDigest }],
      ...overrides,
    }));
  const lying = sha256(Buffer.from('something else'));
  const manifests: Record<string, Buffer> = {
    'bad/digest': manifest(lying),
    'bad/truncated': manifest(sha256(layer)),
    'bad/stall': manifest(sha256(layer)),
    'bad/redirect-file': manifest(sha256(layer)),
    'good/redirect': manifest(sha256(layer)),
    'bad/huge': Buffer.alloc(5 * 1024 * 1024, 0x20),
    'bad/dotdot': manifest('sha256:../../../../etc/passwd'),
    'bad/algorithm': manifest(`md5:${'a'.repeat(32)}`),
    'bad/zstd': manifest(sha256(layer), { layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd', size: layer.length, digest: sha256(layer) }] }),
    'bad/helm': manifest(sha256(layer), { config: { mediaType: 'application/vnd.cncf.helm.config.v1+json', size: config.length, digest: sha256(config) } }),
  };
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://x');
    if (url.pathname === '/v2/') return void response.end('{}');
    const found = /^\/v2\/(.+)\/(manifests|blobs)\/(.+)$/.exec(url.pathname);
    if (url.pathname === '/elsewhere/layer') return void response.end(layer);
    if (!found) return void response.writeHead(404).end();
    const [, name, kind, reference] = found;
    if (kind === 'manifests') {
      const body = manifests[name!];
      if (!body || reference !== 'v1') return void response.writeHead(404, { 'Content-Type': 'application/json' }).end(JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }));
      return void response.writeHead(200, { 'Content-Type': 'application/vnd.docker.distribution.manifest.v2+json', 'Content-Length': body.length }).end(body);
    }
    if (reference === sha256(config)) return void response.end(config);
    if (name === 'bad/digest') return void response.end(layer);
    if (name === 'bad/truncated') {
      response.writeHead(200, { 'Content-Length': layer.length });
      response.write(layer.subarray(0, 40));
      return void setTimeout(() => response.destroy(), 50);
    }
    if (name === 'bad/stall') {
      response.writeHead(200, { 'Content-Length': layer.length });
      return void response.write(layer.subarray(0, 40));
    }
    if (name === 'bad/redirect-file') return void response.writeHead(302, { Location: 'file:///etc/passwd' }).end();
    if (name === 'good/redirect') return void response.writeHead(307, { Location: `http://localhost:${(server.address() as { port: number }).port}/elsewhere/layer` }).end();
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as { port: number }).port}`;
  return { host, stop: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }) };
}

test('a hostile registry is refused cleanly: lying digests, truncated blobs, huge manifests, odd media types and digests, redirects to other schemes', async (t) => {
  const hostile = await startHostileRegistry();
  t.after(() => hostile.stop());
  const expectations: Array<[string, number, RegExp]> = [
    ['bad/digest', 200, /layer digest mismatch/],
    ['bad/truncated', 200, /truncated|aborted|socket hang up|ECONNRESET|unexpected end/],
    ['bad/huge', 500, /too large/],
    ['bad/dotdot', 500, /invalid digest/],
    ['bad/algorithm', 500, /invalid digest/],
    ['bad/zstd', 400, /zstd-compressed layers are not supported/],
    ['bad/helm', 400, /is not a container image/],
    ['bad/redirect-file', 200, /refusing a redirect to a file: URL/],
  ];
  for (const [name, status, message] of expectations) {
    const answer = await pull(`fromImage=${hostile.host}/${name}&tag=v1`);
    assert.equal(answer.status, status, `${name}: ${answer.text}`);
    const last = answer.lines.at(-1)!;
    assert.match(String(last.error ?? last.message), message, `${name}: ${answer.text}`);
    assert.equal(engine.docker(['image', 'inspect', `${hostile.host}/${name}:v1`]).code, 1, `${name}: no image stored`);
  }
  const redirected = await pull(`fromImage=${hostile.host}/good/redirect&tag=v1`);
  assert.match(redirected.text, /Status: Downloaded newer image/, 'a blob redirect to another http host is followed');
  assertNoLeftovers();
  assert.equal((await rawRequest(engine.socket, 'GET', '/_ping')).status, 200);
});

/** The docker CLI against the engine without blocking this process (killed after 120 s). */
function dockerAsync(args: readonly string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('docker', ['-H', engine.host, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

/**
 * A loopback HTTP proxy in front of a registry that cuts the first layer download after `cutAfter` bytes (once),
 * and, with `ignoreRange`, hides the client's Range header (the registry then answers the whole blob again).
 */
async function cuttingProxy(target: string, options: { cutAfter: number; ignoreRange: boolean }): Promise<{ host: string; ranges: string[]; cuts: number; close(): Promise<void> }> {
  const state = { ranges: [] as string[], cuts: 0 };
  const server = createServer((incoming, outgoing) => {
    const headers = { ...incoming.headers };
    if (headers.range) state.ranges.push(headers.range);
    if (options.ignoreRange) delete headers.range;
    const forwarded = request(`http://${target}${incoming.url}`, { method: incoming.method, headers, agent: false, timeout: 30_000 }, (answer) => {
      outgoing.writeHead(answer.statusCode ?? 502, answer.headers);
      const cut = state.cuts === 0 && incoming.method === 'GET' && /\/blobs\/sha256:/.test(incoming.url ?? '') && Number(answer.headers['content-length']) > options.cutAfter * 2;
      if (!cut) {
        answer.pipe(outgoing);
        return;
      }
      state.cuts++;
      let sent = 0;
      answer.on('data', (chunk: Buffer) => {
        if (sent >= options.cutAfter) return;
        outgoing.write(chunk.subarray(0, options.cutAfter - sent));
        sent += chunk.length;
        if (sent >= options.cutAfter) {
          answer.destroy();
          outgoing.socket?.destroy();
        }
      });
    });
    forwarded.on('error', () => outgoing.destroy());
    forwarded.on('timeout', () => forwarded.destroy());
    incoming.pipe(forwarded);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    get ranges() {
      return state.ranges;
    },
    get cuts() {
      return state.cuts;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

test('a layer download whose connection drops is picked up again: with Range where the registry takes it, else from the start', async () => {
  // Layers no other test pulled: the store must download them.
  writeImageArchive(join(work, 'resumed.tar'), 'resumed:v1', 2, 300_000);
  open.seedFrom(`docker-archive:${join(work, 'resumed.tar')}`, 'test/resumed:v1');
  for (const ignoreRange of [false, true]) {
    const proxy = await cuttingProxy(open.host, { cutAfter: 64 * 1024, ignoreRange });
    const reference = `${proxy.host}/test/resumed:v1`;
    try {
      // Not engine.docker: spawnSync would hold this process's event loop, where the proxy runs.
      const pulled = await dockerAsync(['pull', reference]);
      assert.equal(pulled.code, 0, pulled.stderr);
      assert.equal(proxy.cuts, 1, 'one download was cut');
      assert.ok(proxy.ranges.some((range) => /^bytes=\d+-$/.test(range) && range !== 'bytes=0-'), `the engine asked for the rest: ${proxy.ranges.join(', ')}`);
      assert.equal(engine.docker(['image', 'inspect', reference]).code, 0);
      assertNoLeftovers();
    } finally {
      engine.docker(['rmi', reference]);
      await proxy.close();
    }
  }
});

test('a pull the client abandons mid-layer leaves no partial layer behind', async (t) => {
  const hostile = await startHostileRegistry();
  t.after(() => hostile.stop());
  await new Promise<void>((resolve, reject) => {
    const req = request({ socketPath: engine.socket, method: 'POST', path: `/v1.44/images/create?fromImage=${hostile.host}/bad/stall&tag=v1`, agent: false }, (response) => {
      response.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('Downloading') || chunk.toString().includes('Pulling fs layer')) {
          req.destroy();
          resolve();
        }
      });
    });
    req.on('error', () => undefined);
    req.on('close', () => resolve());
    setTimeout(() => reject(new Error('no progress from the stalled pull')), 20_000);
    req.end();
  });
  const deadline = Date.now() + 10_000;
  while (readdirSync(join(engine.root, 'tmp')).some((name) => name.startsWith('layer-')) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  assertNoLeftovers();
  assert.equal(engine.docker(['image', 'inspect', `${hostile.host}/bad/stall:v1`]).code, 1);
});

test('a hostile layer in a real registry (.., absolute names, symlinks out) is refused and writes nothing outside the store', async () => {
  const marker = `berth-hostile-${Date.now()}`;
  const hostileTar = tarArchive([
    { name: `../../../../../../../../tmp/${marker}-dotdot`, content: 'x' },
    { name: `/tmp/${marker}-absolute`, content: 'x' },
    { name: 'out', type: 'symlink', linkname: '/tmp' },
    { name: `out/${marker}-symlink`, content: 'x' },
  ]);
  const blob = gzipSync(hostileTar);
  const layerDigest = await putBlob(open, 'test/hostile', blob);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', config: {}, rootfs: { type: 'layers', diff_ids: [sha256(hostileTar)] } }));
  const configDigest = await putBlob(open, 'test/hostile', config);
  await putManifest(open, 'test/hostile', 'v1', {
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', size: config.length, digest: configDigest },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', size: blob.length, digest: layerDigest }],
  });
  const answer = await pull(`fromImage=${open.host}/test/hostile&tag=v1`);
  assert.match(String(answer.lines.at(-1)!.error), /invalid layer archive/);
  for (const suffix of ['dotdot', 'absolute', 'symlink']) assert.equal(existsSync(`/tmp/${marker}-${suffix}`), false, `nothing written at /tmp/${marker}-${suffix}`);
  assert.equal(existsSync(join(engine.root, 'image', 'layers', sha256(hostileTar).slice(7))), false);
  assertNoLeftovers();
});

test('a build FROM an image of a private registry pulls it with the credentials the client sends (X-Registry-Config); --pull pulls again', async (t) => {
  const registry = await startRegistry({ auth: 'htpasswd' });
  t.after(() => registry.stop());
  registry.seedFrom(`docker-archive:${archive}`, 'private/base:v1');
  const config = mkdtempSync(join(work, 'config-'));
  const context = mkdtempSync(join(work, 'context-'));
  const { writeFileSync } = await import('node:fs');
  writeFileSync(join(context, 'Dockerfile'), `FROM ${registry.host}/private/base:v1\nRUN echo built > /built\n`);
  const build = (args: string[]) => {
    const result = spawnSync('docker', ['--config', config, '-H', engine.host, 'build', ...args, context], { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '0' }, timeout: 120_000 });
    return { code: result.status, out: result.stdout + result.stderr };
  };
  const anonymous = build(['-t', 'from-private:v1']);
  assert.notEqual(anonymous.code, 0);
  assert.match(anonymous.out, /no basic auth credentials/);
  assert.equal(dockerWithConfig(config, ['login', '-u', REGISTRY_USER, '--password-stdin', registry.host], `${REGISTRY_PASSWORD}\n`).code, 0);
  const built = build(['-t', 'from-private:v1']);
  assert.equal(built.code, 0, built.out);
  assert.match(built.out, /Status: Downloaded newer image for 127\.0\.0\.1:\d+\/private\/base:v1/);
  assert.equal(engine.docker(['run', '--rm', '--network', 'none', 'from-private:v1', 'cat', '/built']).stdout, 'built\n');
  const again = build(['--pull', '-t', 'from-private:v1']);
  assert.equal(again.code, 0, again.out);
  assert.match(again.out, /Status: Image is up to date for/);
  engine.docker(['rmi', 'from-private:v1', `${registry.host}/private/base:v1`]);
});

test('settings in <root>/daemon.json: Docker Hub names are pulled from a registry mirror, and /info shows it', async () => {
  const { writeFileSync } = await import('node:fs');
  open.seedFrom(`docker-archive:${archive}`, 'library/mirrored:v1');
  const restart = (engine as unknown as { restart(): Promise<void> }).restart;
  writeFileSync(join(engine.root, 'daemon.json'), JSON.stringify({ 'registry-mirrors': [`http://${open.host}`], 'max-concurrent-downloads': 2 }));
  try {
    await restart();
    assert.match(engine.docker(['info', '--format', '{{json .RegistryConfig.Mirrors}}']).stdout, new RegExp(`http://${open.host}/`));
    // Only the mirror is asked (it has the image): nothing leaves the machine.
    const pulled = engine.docker(['pull', 'mirrored:v1']);
    assert.equal(pulled.code, 0, pulled.stderr);
    assert.match(pulled.stdout, /Status: Downloaded newer image for mirrored:v1/);
    assert.match(engine.docker(['image', 'inspect', '-f', '{{json .RepoTags}}', 'mirrored:v1']).stdout, /"mirrored:v1"/);
    engine.docker(['rmi', 'mirrored:v1']);
  } finally {
    rmSync(join(engine.root, 'daemon.json'), { force: true });
    await restart();
  }
});
