// `POST /build`: the classic builder protocol. The body is the context tar (gzip allowed); the answer a stream of
// JSON messages (`stream` lines, `aux.ID`, and `error` / `errorDetail` when the build fails).
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { BuildQuery } from '../../engine-api/build.js';
import type { BuildQueryValues } from '../../engine-api/build.js';
import { invalid, unsupported } from '../errors.js';
import type { BuildRequest } from '../services/build/builder.js';
import { BUILD_QUERY_FIELDS } from '../services/fields/other-fields.js';
import { parseRegistryConfigHeader } from '../services/registry/auth.js';
import type { Router } from './router.js';
import type { EngineServices } from './routes.js';

export function addBuildRoutes(router: Router, services: EngineServices): void {
  router.add('POST', '/build', { query: BuildQuery, fields: BUILD_QUERY_FIELDS }, async ({ request, response, q }) => {
    const build = { ...buildRequest(q), credentials: parseRegistryConfigHeader(request.headers['x-registry-config']) };
    const quiet = Boolean(q.q);
    response.writeHead(200, { 'Content-Type': 'application/json' });
    const send = (message: object): void => {
      response.write(`${JSON.stringify(message)}\n`);
    };
    // What this builder takes but cannot honour is said, not silently dropped.
    const cacheFrom = (q.cachefrom ?? []).join(',');
    if (cacheFrom && !quiet) send({ stream: `[Warning] cache-from (${cacheFrom}) is not used: berth's engine keys its own step cache\n` });
    try {
      const id = await services.builder.build(await decompressed(request), build, {
        stream: (text) => {
          if (!quiet) send({ stream: text });
        },
        result: (imageId) => send({ aux: { ID: imageId } }),
      });
      if (quiet) send({ stream: `${id}\n` });
    } catch (error) {
      const message = (error as Error).message;
      send({ errorDetail: { message }, error: message });
    }
    response.end();
  });
  router.add('POST', '/build/prune', ({ response }) => {
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.end(JSON.stringify({ CachesDeleted: [], SpaceReclaimed: 0 }));
  });
}

/** The query as a build request; what the classic builder of this engine does not do is refused up front. */
function buildRequest(q: BuildQueryValues): BuildRequest {
  if (q.version === '2') throw unsupported('BuildKit (version=2): use the classic builder (DOCKER_BUILDKIT=0)');
  if (q.version !== undefined && q.version !== '1') throw invalid(`invalid version: "${q.version}" (1 or 2)`);
  if (q.platform && !/^linux(\/amd64)?$/.test(q.platform)) throw invalid(`platform ${q.platform} is not this engine's (linux/amd64)`);
  return {
    tags: q.t ?? [],
    dockerfile: q.dockerfile ?? 'Dockerfile',
    buildArgs: q.buildargs ?? {},
    ...(q.target ? { target: q.target } : {}),
    labels: q.labels ?? {},
    noCache: Boolean(q.nocache),
    networkMode: q.networkmode ?? 'default',
    ...(q.shmsize ? { shmSize: q.shmsize } : {}),
    extraHosts: (q.extrahosts ?? '').split(',').filter(Boolean),
    ulimits: (q.ulimits ?? []).map((limit) => ({ Name: limit.Name, Soft: limit.Soft ?? 0, Hard: limit.Hard ?? 0 })),
    pull: pullRequested(q.pull),
  };
}

/** `pull` is a boolean for the classic builder (`1`, `true`) and a policy string for BuildKit. */
function pullRequested(value: string | undefined): boolean {
  return value !== undefined && !['0', 'no', 'false', 'none'].includes(value.trim().toLowerCase());
}

/** The context as a tar stream, gunzipped when the client compressed it (the first two bytes tell). */
async function decompressed(input: Readable): Promise<NodeJS.ReadableStream> {
  const iterator = input[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const head = await iterator.next();
  const output = new PassThrough();
  if (head.done) {
    output.end();
    return output;
  }
  const gzip = head.value.length >= 2 && head.value[0] === 0x1f && head.value[1] === 0x8b;
  const target = gzip ? createGunzip() : output;
  if (gzip) target.pipe(output);
  void (async () => {
    for (let next: IteratorResult<Buffer> = head; !next.done; next = await iterator.next()) {
      if (!target.write(next.value)) await new Promise((resolve) => target.once('drain', resolve));
    }
    target.end();
  })().catch((error: Error) => output.destroy(error));
  return output;
}
