// `POST /build`: the classic builder protocol. The body is the context tar (gzip allowed); the answer a stream of
// JSON messages (`stream` lines, `aux.ID`, and `error` / `errorDetail` when the build fails).
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { invalid, unsupported } from '../errors.js';
import type { BuildRequest } from '../services/build/builder.js';
import { parseRegistryConfigHeader } from '../services/registry/auth.js';
import { queryBoolean, queryInteger } from './http.js';
import type { Router } from './router.js';
import type { EngineServices } from './routes.js';

export function addBuildRoutes(router: Router, services: EngineServices): void {
  router.add('POST', '/build', async ({ request, response, query }) => {
    const build = { ...buildRequest(query), credentials: parseRegistryConfigHeader(request.headers['x-registry-config']) };
    const quiet = queryBoolean(query, 'q');
    response.writeHead(200, { 'Content-Type': 'application/json' });
    const send = (message: object): void => {
      response.write(`${JSON.stringify(message)}\n`);
    };
    // What this builder takes but cannot honour is said, not silently dropped.
    const cacheFrom = (query.get('cachefrom') ?? '').replace(/[[\]"\s]/g, '');
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
function buildRequest(query: URLSearchParams): BuildRequest {
  if (query.get('remote')) throw unsupported('a remote build context (the engine fetches nothing from the network)');
  if (query.get('version') === '2') throw unsupported('BuildKit (version=2): use the classic builder (DOCKER_BUILDKIT=0)');
  if (queryBoolean(query, 'squash')) throw unsupported('squash');
  const platform = query.get('platform');
  if (platform && !/^linux(\/amd64)?$/.test(platform)) throw invalid(`platform ${platform} is not this engine's (linux/amd64)`);
  const json = <T>(name: string, fallback: T): T => {
    const raw = query.get(name);
    if (!raw) return fallback;
    try {
      return JSON.parse(raw) as T;
    } catch {
      throw invalid(`invalid ${name}: ${raw}`);
    }
  };
  const target = query.get('target');
  const shmSize = queryInteger(query, 'shmsize');
  return {
    tags: query.getAll('t').filter(Boolean),
    dockerfile: query.get('dockerfile') || 'Dockerfile',
    buildArgs: json<Record<string, string | null>>('buildargs', {}),
    ...(target ? { target } : {}),
    labels: json<Record<string, string>>('labels', {}),
    noCache: queryBoolean(query, 'nocache'),
    networkMode: query.get('networkmode') || 'default',
    ...(shmSize ? { shmSize } : {}),
    extraHosts: (query.get('extrahosts') ?? '').split(',').filter(Boolean),
    ulimits: json<Array<{ Name: string; Soft: number; Hard: number }>>('ulimits', []),
    pull: queryBoolean(query, 'pull'),
  };
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
