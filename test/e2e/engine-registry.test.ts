// berth's engine and real registries (distribution 2.8 on loopback, started here): pulls, pushes and logins by the
// stock docker CLI and by raw API calls, digests, multi-platform indexes, credentials, and a hostile registry.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { tarArchive } from '../../src/engine/store/tar-writer.js';
import { rawRequest, startTestEngine } from './engine-helpers.js';
import type { TestEngine } from './engine-helpers.js';
import { writeImageArchive } from '../../bench/gen-image.mjs';
import { IMAGE } from './helpers.js';
import { startRegistry } from './registry-helpers.js';
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
  open.seed(`docker-archive:${archive}`, 'test/busybox:v1');
  writeImageArchive(join(work, 'layers.tar'), 'layers:v1', 2, 200_000);
  open.seed(`docker-archive:${join(work, 'layers.tar')}`, 'test/layers:v1');
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
    const req = request({ socketPath: engine.socket, method: 'POST', path: `/v1.44/images/create?${query}`, headers }, (response) => {
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

test('an unknown tag or repository is a 404 worded as dockerd words it; a registry that is down a clear error; the engine keeps serving', async () => {
  const unknownTag = await pull(`fromImage=${open.host}/test/busybox&tag=nope`);
  assert.equal(unknownTag.status, 404);
  assert.equal(unknownTag.lines[0]!.message, `manifest for ${open.host}/test/busybox:nope not found: manifest unknown: manifest unknown`);
  const cli = engine.docker(['pull', `${open.host}/test/nothing:v1`]);
  assert.notEqual(cli.code, 0);
  assert.match(cli.stderr, /manifest for .*test\/nothing:v1 not found: manifest unknown/);
  const down = await pull('fromImage=127.0.0.1:9/test/busybox&tag=v1');
  assert.ok(down.status >= 400 && down.status !== 500, `status ${down.status}`);
  assert.match(String(down.lines[0]!.message), /connection refused/);
  const bad = await pull('fromImage=Upper&tag=v1');
  assert.equal(bad.status, 400);
  assert.equal((await rawRequest(engine.socket, 'GET', '/_ping')).status, 200);
  assertNoLeftovers();
});
