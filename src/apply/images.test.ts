import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { test } from 'node:test';
import type { BuildRequest } from '../engine-client/images.js';
import type { TransferMessage } from '../progress/layers.js';
import { fakeEngine } from '../engine-client/fake.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { buildImage, pullImage, pushImage } from './images.js';

async function bytes(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk as Buffer));
  return Buffer.concat(chunks);
}

function fixture(t: { after: (fn: () => void) => void }): { dir: string; project: (services: Record<string, Partial<ServiceConfig>>) => Project } {
  const dir = mkdtempSync(join(tmpdir(), 'berth-images-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  mkdirSync(join(dir, 'app'));
  writeFileSync(join(dir, 'app', 'Dockerfile'), 'FROM base\nCOPY --from=tools /x /x\n');
  return {
    dir,
    project: (services) => ({ name: 'demo', services: Object.fromEntries(Object.entries(services).map(([name, service]) => [name, { name, ...service }])) }) as unknown as Project,
  };
}

test('a build sends the context, every tag, the args (the command line over the file), compose\'s labels and the flags', async (t) => {
  const { dir, project } = fixture(t);
  const requests: BuildRequest[] = [];
  const { engine } = fakeEngine({ images: { build: async (request: BuildRequest) => (requests.push(request), 'sha256:new') } });
  const shop = project({ app: { build: { context: join(dir, 'app'), args: { A: 'file', B: 'file', C: null }, tags: ['registry.example/app:1'], labels: { team: 'x' }, target: 'final' } } });
  await buildImage({ engine, project: shop, version: '2.0.0', note: () => {} }, shop.services.app!, 'demo-app', { args: { B: 'flag' }, noCache: true });
  const [request] = requests;
  assert.deepEqual(request!.tag, ['demo-app', 'registry.example/app:1']);
  assert.deepEqual(request!.buildArgs, { A: 'file', B: 'flag' });
  assert.deepEqual(request!.labels, { team: 'x', 'com.docker.compose.version': '2.0.0', 'com.docker.compose.project': 'demo', 'com.docker.compose.service': 'app', 'com.docker.compose.image.builder': 'classic' });
  assert.equal(request!.target, 'final');
  assert.equal(request!.noCache, true);
  assert.equal(request!.pull, undefined);
  assert.equal(request!.dockerfile, 'Dockerfile');
  assert.ok((await bytes(request!.context)).includes('COPY --from=tools'));
});

test('image contexts are named in the Dockerfile, sent inline; what the classic builder cannot use is a warning', async (t) => {
  const { dir, project } = fixture(t);
  const requests: BuildRequest[] = [];
  const notes: string[] = [];
  const { engine } = fakeEngine({ images: { build: async (request: BuildRequest) => (requests.push(request), 'sha256:new') } });
  const shop = project({
    base: { build: { context: join(dir, 'app') } },
    app: { build: { context: join(dir, 'app'), additional_contexts: { base: 'service:base', tools: 'docker-image://example/tools:1', src: '../src' }, ssh: ['default'], platforms: ['linux/amd64', 'linux/arm64'] } },
  });
  await buildImage({ engine, project: shop, version: '2.0.0', note: (line) => notes.push(line) }, shop.services.app!, 'demo-app', {});
  const context = await bytes(requests[0]!.context);
  assert.equal(requests[0]!.dockerfile, '.berth-inline.Dockerfile');
  assert.equal(requests[0]!.platform, 'linux/amd64');
  assert.ok(context.includes('FROM demo-base\nCOPY --from=example/tools:1 /x /x'));
  assert.deepEqual(notes.map((note) => note.replace(/:.*/, '')), ['WARN[0000] services.app.build.ssh needs BuildKit, which berth does not use yet', 'WARN[0000] services.app.build.platforms', 'WARN[0000] services.app.build.additional_contexts.src']);
});

test('a failed build names the service and shows the end of the builder\'s output', async (t) => {
  const { dir, project } = fixture(t);
  const { engine } = fakeEngine({
    images: {
      build: async (request: BuildRequest) => {
        request.onOutput?.('Step 1/2 : FROM base\n');
        request.onOutput?.('pull access denied for base\n');
        throw new Error('build failed');
      },
    },
  });
  const shop = project({ app: { build: { context: join(dir, 'app') } } });
  await assert.rejects(buildImage({ engine, project: shop, version: '2.0.0', note: () => {} }, shop.services.app!, 'demo-app', {}), {
    message: 'service app: build failed\nStep 1/2 : FROM base\npull access denied for base',
  });
});

test('pulls go for the service\'s platform, pushes to the registry the name says, each layer\'s progress under the image', async () => {
  const events: string[] = [];
  const sink = { event: (event: { resource: string; status: string; parent?: string }) => events.push(`${event.parent} > ${event.resource} ${event.status}`), note: () => {}, close: () => {} };
  const { engine, calls } = fakeEngine({
    images: {
      pull: async (_reference: string, options?: { onProgress?: (message: TransferMessage) => void }) => options?.onProgress?.({ id: 'abc123', status: 'Downloading', hasDetail: true, current: 10, total: 20 }),
    },
  });
  await pullImage(engine, sink, 'busybox', 'linux/arm64');
  await pushImage(engine, sink, 'registry.example/web:1');
  assert.deepEqual(calls, ['images.pull busybox {"platform":"linux/arm64"}', 'images.push registry.example/web:1 {}']);
  assert.deepEqual(events, ['Image busybox > abc123 Downloading']);
});
