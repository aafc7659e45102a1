// Routes that move file content in and out: image save, container export, copying from a container (archive),
// and the processes of a container (top).
import type { ServerResponse } from 'node:http';
import { EngineError, invalid } from '../errors.js';
import { mustRun } from '../runtime/tools.js';
import { archivePath, exportContainer, extractToPath } from '../services/container-files.js';
import type { PathStat } from '../../engine-api/archive.js';
import { sendJson } from './http.js';
import { CommitQuery, ImagePruneQuery, ImageSaveQuery } from '../../engine-api/images.js';
import { ArchivePutQuery, ArchiveQuery, StatsQuery, TopQuery } from '../../engine-api/system.js';
import { containerStats } from '../services/stats.js';
import { commitContainer, containerChanges } from '../services/commit.js';
import type { Router } from './router.js';
import type { EngineServices } from './routes.js';

export function addContentRoutes(router: Router, services: EngineServices): void {
  const { images, containers } = services;
  const save = async (names: readonly string[], response: ServerResponse): Promise<void> => {
    if (names.length === 0) throw invalid('no image names given');
    for (const name of names) images.resolve(name);
    response.writeHead(200, { 'Content-Type': 'application/x-tar' });
    await images.save(names, response);
    response.end();
  };
  router.add('GET', '/images/get', { query: ImageSaveQuery }, ({ response, q }) => save(q.names ?? [], response));
  router.add('GET', '/images/{name*}/get', { query: ImageSaveQuery }, ({ response, params }) => save([params.name!], response));

  router.add('POST', '/images/prune', { query: ImagePruneQuery }, ({ response }) => {
    const { deleted, reclaimed } = images.prune();
    sendJson(response, 200, { ImagesDeleted: deleted.map((id) => ({ Deleted: id })), SpaceReclaimed: reclaimed });
  });

  router.add('GET', '/containers/{id}/export', async ({ response, params }) => {
    await exportContainer(containers, params.id!, () => response.writeHead(200, { 'Content-Type': 'application/x-tar' }), response);
  });

  router.add('GET', '/containers/{id}/archive', { query: ArchiveQuery }, async ({ request, response, params, q }) => {
    const head = (stat: PathStat): void => {
      response.writeHead(200, { 'Content-Type': 'application/x-tar', 'X-Docker-Container-Path-Stat': Buffer.from(JSON.stringify(stat)).toString('base64') });
    };
    await archivePath(containers, params.id!, q.path ?? '', head, request.method === 'HEAD' ? undefined : response);
    if (request.method === 'HEAD') response.end();
  });

  router.add('PUT', '/containers/{id}/archive', { query: ArchivePutQuery }, async ({ request, response, params, q }) => {
    await extractToPath(containers, params.id!, q.path ?? '', request, {
      noOverwriteDirNonDir: q.noOverwriteDirNonDir ?? false,
      copyUIDGID: q.copyUIDGID ?? false,
    });
    response.writeHead(200);
    response.end();
  });

  router.add('GET', '/containers/{id}/stats', { query: StatsQuery }, async ({ request, response, params, q }) => {
    const record = containers.get(params.id!);
    const stream = q.stream ?? true;
    const running = (): boolean => ['running', 'paused'].includes(containers.get(record.id).state.status);
    response.writeHead(200, { 'Content-Type': 'application/json' });
    const oneShot = q['one-shot'] ?? false;
    let previous = running() && !oneShot ? containerStats(record.id, record.name, undefined).sample : undefined;
    // Without one-shot, a first sample is taken a moment before, so that a CPU percentage can be computed.
    if (previous) await delay(200);
    let open = true;
    request.on('close', () => (open = false));
    do {
      const { stats, sample } = containerStats(record.id, record.name, previous);
      response.write(`${JSON.stringify(stats)}\n`);
      previous = sample;
      if (stream) await delay(1000);
    } while (stream && open && running());
    response.end();
  });

  router.add('POST', '/commit', { query: CommitQuery }, async ({ response, q }) => {
    if (!q.container) throw invalid('container is required');
    const reference = q.repo ? (q.tag ? `${q.repo}:${q.tag}` : q.repo) : undefined;
    const id = await commitContainer(services.commit, q.container, {
      ...(reference ? { reference } : {}),
      comment: q.comment ?? '',
      author: q.author ?? '',
      pause: q.pause ?? true,
      changes: (q.changes ?? []).filter((change) => change.trim() !== ''),
    });
    sendJson(response, 201, { Id: id });
  });
  router.add('GET', '/containers/{id}/changes', ({ response, params }) => {
    const changes = containerChanges(services.commit, params.id!);
    sendJson(response, 200, changes.length > 0 ? changes : null);
  });

  router.add('GET', '/containers/{id}/top', { query: TopQuery }, async ({ response, params, q }) => {
    const pids = new Set((await containers.pids(params.id!)).map(String));
    const psArgs = (q.ps_args || '-ef').split(/\s+/).filter(Boolean);
    const output = await mustRun('ps', psArgs).catch((error: Error) => {
      if (/ENOENT/.test(error.message)) throw new EngineError('internal', 'top needs ps on the engine host (apt-get install procps)');
      throw error;
    });
    const [header = '', ...rows] = output.trimEnd().split('\n');
    const titles = header.trim().split(/\s+/);
    const pidColumn = titles.indexOf('PID');
    if (pidColumn < 0) throw invalid(`ps ${psArgs.join(' ')} gives no PID column`);
    const processes = rows
      .map((row) => {
        const fields = row.trim().split(/\s+/);
        return [...fields.slice(0, titles.length - 1), fields.slice(titles.length - 1).join(' ')];
      })
      .filter((fields) => pids.has(fields[pidColumn]!));
    sendJson(response, 200, { Titles: titles, Processes: processes });
  });
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
