// Containers: create, list, inspect, the lifecycle, wait, resize and logs.
import { EngineError, invalid } from '../errors.js';
import type { CreateConfig } from '../services/container-record.js';
import { frame, readLog } from '../services/logs.js';
import { attachOutput, isRunning } from './attach.js';
import { parseDetachKeys } from './detach-keys.js';
import { matchesFilters } from './filters.js';
import { containerInspect, containerSummary } from './format.js';
import { queryBoolean, queryFilters, queryInteger, readJson, sendEmpty, sendJson } from './http.js';
import type { Router } from './router.js';
import type { EngineServices } from './routes.js';

export function addContainerRoutes(router: Router, services: EngineServices): void {
  const { containers, layout } = services;
  router.add('POST', '/containers/create', async ({ request, response, query }) => {
    const body = await readJson<CreateConfig>(request);
    if (!body) throw invalid('config cannot be empty in order to create a container');
    const platform = query.get('platform');
    if (platform && !/^linux(\/amd64)?$/.test(platform)) throw invalid(`image platform ${platform} does not match the engine (linux/amd64)`);
    const record = await containers.create(body, query.get('name'));
    sendJson(response, 201, { Id: record.id, Warnings: [] });
  });
  router.add('GET', '/containers/json', ({ response, query }) => {
    const filters = queryFilters(query);
    let list = containers.all();
    if (!queryBoolean(query, 'all') && !filters.has('status')) list = list.filter((record) => record.state.status === 'running' || record.state.status === 'paused');
    list = list.filter((record) => matchesFilters(record, filters, services));
    const limit = queryInteger(query, 'limit');
    if (limit !== undefined && limit > 0) list = list.slice(0, limit);
    sendJson(response, 200, list.map(containerSummary));
  });
  router.add('GET', '/containers/{id}/json', ({ response, params }) => sendJson(response, 200, containerInspect(containers.get(params.id!), layout)));
  router.add('POST', '/containers/{id}/start', async ({ response, params }) => {
    const outcome = await containers.start(params.id!);
    sendEmpty(response, outcome === 'already' ? 304 : 204);
  });
  router.add('POST', '/containers/{id}/stop', async ({ response, params, query }) => {
    const outcome = await containers.stop(params.id!, queryInteger(query, 't'), query.get('signal') ?? undefined);
    sendEmpty(response, outcome === 'already' ? 304 : 204);
  });
  router.add('POST', '/containers/{id}/restart', async ({ response, params, query }) => {
    await containers.restart(params.id!, queryInteger(query, 't'));
    sendEmpty(response, 204);
  });
  router.add('POST', '/containers/{id}/kill', async ({ response, params, query }) => {
    await containers.kill(params.id!, query.get('signal') || 'SIGKILL');
    sendEmpty(response, 204);
  });
  router.add('POST', '/containers/{id}/pause', async ({ response, params }) => {
    await containers.pause(params.id!);
    sendEmpty(response, 204);
  });
  router.add('POST', '/containers/{id}/unpause', async ({ response, params }) => {
    await containers.unpause(params.id!);
    sendEmpty(response, 204);
  });
  router.add('POST', '/containers/{id}/rename', ({ response, params, query }) => {
    const name = query.get('name');
    if (!name) throw invalid('name is required');
    containers.rename(params.id!, name);
    sendEmpty(response, 204);
  });
  router.add('DELETE', '/containers/{id}', async ({ response, params, query }) => {
    if (queryBoolean(query, 'link')) throw new EngineError('unsupported', 'removing links is not supported by berth\'s engine yet');
    await containers.remove(params.id!, queryBoolean(query, 'force'), queryBoolean(query, 'v'));
    sendEmpty(response, 204);
  });
  router.add('POST', '/containers/{id}/wait', async ({ response, params, query }) => {
    const record = containers.get(params.id!);
    const waiting = containers.wait(record.id, query.get('condition') ?? 'not-running');
    // Clients wait for the headers before starting the container: send them now, the body when it stops.
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.flushHeaders();
    const code = await waiting;
    response.end(`${JSON.stringify({ StatusCode: code, Error: null })}\n`);
  });
  router.add('POST', '/containers/{id}/resize', ({ response, params, query }) => {
    containers.resize(params.id!, queryInteger(query, 'h') ?? 24, queryInteger(query, 'w') ?? 80);
    sendEmpty(response, 200);
  });
  router.add('GET', '/containers/{id}/logs', async ({ request, response, params, query }) => {
    const record = containers.get(params.id!);
    const stdout = queryBoolean(query, 'stdout');
    const stderr = queryBoolean(query, 'stderr');
    if (!stdout && !stderr) throw invalid('Bad parameters: you must choose at least one stream');
    const tailText = query.get('tail');
    const tail = tailText && tailText !== 'all' ? Number(tailText) : undefined;
    const since = Number(query.get('since') ?? 0) || undefined;
    const until = Number(query.get('until') ?? 0) || undefined;
    const timestamps = queryBoolean(query, 'timestamps');
    response.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
    response.flushHeaders();
    const follower = readLog(
      layout.log(record.id),
      { stdout, stderr, ...(tail !== undefined && Number.isInteger(tail) ? { tail } : {}), ...(since ? { since } : {}), ...(until ? { until } : {}) },
      (entry) => {
        const payload = Buffer.from(timestamps ? `${entry.time} ${entry.log}` : entry.log);
        // A terminal's output is one stream, sent as is; otherwise each chunk is framed with its stream.
        response.write(record.config.Tty ? payload : frame(entry.stream, payload));
      },
      queryBoolean(query, 'follow'),
      () => isRunning(containers, record.id),
    );
    request.on('close', () => follower.stop());
    containers.holdLog(record.id, follower);
    await follower.done;
    response.end();
  });
  // Attach without an upgrade (dockerode without hijack): the output is the response body; there is no input.
  router.add('POST', '/containers/{id}/attach', async ({ response, params, query }) => {
    const record = containers.get(params.id!);
    const detachKeys = query.get('detachKeys');
    if (detachKeys) parseDetachKeys(detachKeys);
    response.writeHead(200, { 'Content-Type': `application/vnd.docker.${record.config.Tty ? 'raw' : 'multiplexed'}-stream` });
    response.flushHeaders();
    await attachOutput(services, record, query, response).done;
    response.end();
  });
}
