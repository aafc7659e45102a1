// Containers: create, list, inspect, the lifecycle, wait, resize and logs.
import { ContainerCreate } from '../../engine-api/containers.js';
import { filters, flag, int, text } from '../../engine-api/query.js';
import { AttachQuery } from '../../engine-api/system.js';
import { EngineError, invalid } from '../errors.js';
import { hostSupport } from '../runtime/host-support.js';
import { containerFields } from '../services/fields/container-fields.js';
import { frame, readLog } from '../services/logs.js';
import { attachOutput, isRunning } from './attach.js';
import { parseDetachKeys } from './detach-keys.js';
import { matchesFilters } from './filters.js';
import { containerInspect, containerSummary } from './format.js';
import { sendEmpty, sendJson } from './http.js';
import type { Router } from './router.js';
import type { EngineServices } from './routes.js';

export function addContainerRoutes(router: Router, services: EngineServices): void {
  const { containers, layout } = services;
  const create = {
    fields: containerFields(hostSupport()),
    body: { description: ContainerCreate, limit: 4 * 1024 * 1024, emptyMessage: 'config cannot be empty in order to create a container' },
    query: { name: text({ max: 255, pattern: /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/, patternName: 'a valid container name ([a-zA-Z0-9][a-zA-Z0-9_.-]+)' }), platform: text({ max: 256 }) },
  };
  router.add('POST', '/containers/create', create, async ({ response, body, q }) => {
    if (q.platform && !/^linux(\/amd64)?$/.test(q.platform)) throw invalid(`image platform ${q.platform} does not match the engine (linux/amd64)`);
    const record = await containers.create(body, q.name ?? null);
    sendJson(response, 201, { Id: record.id, Warnings: [] });
  });
  router.add('GET', '/containers/json', { query: { all: flag(), limit: int(), size: flag(), filters: filters() } }, ({ response, q }) => {
    const given = q.filters ?? new Map<string, string[]>();
    let list = containers.all();
    if (!q.all && !given.has('status')) list = list.filter((record) => record.state.status === 'running' || record.state.status === 'paused');
    list = list.filter((record) => matchesFilters(record, given, services));
    const limit = q.limit;
    if (limit !== undefined && limit > 0) list = list.slice(0, limit);
    sendJson(response, 200, list.map(containerSummary));
  });
  router.add('GET', '/containers/{id}/json', ({ response, params }) => {
    const record = containers.get(params.id!);
    sendJson(response, 200, containerInspect(record, layout, services.execs.idsOf(record)));
  });
  router.add('POST', '/containers/{id}/start', async ({ response, params }) => {
    const outcome = await containers.start(params.id!);
    sendEmpty(response, outcome === 'already' ? 304 : 204);
  });
  const stopQuery = { t: int(), signal: text({ max: 32 }) };
  router.add('POST', '/containers/{id}/stop', { query: stopQuery }, async ({ response, params, q }) => {
    const outcome = await containers.stop(params.id!, q.t, q.signal);
    sendEmpty(response, outcome === 'already' ? 304 : 204);
  });
  router.add('POST', '/containers/{id}/restart', { query: stopQuery }, async ({ response, params, q }) => {
    await containers.restart(params.id!, q.t);
    sendEmpty(response, 204);
  });
  router.add('POST', '/containers/{id}/kill', { query: { signal: text({ max: 32 }) } }, async ({ response, params, q }) => {
    await containers.kill(params.id!, q.signal ?? 'SIGKILL');
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
  router.add('POST', '/containers/{id}/rename', { query: { name: text({ max: 255 }) } }, ({ response, params, q }) => {
    if (!q.name) throw invalid('name is required');
    containers.rename(params.id!, q.name);
    sendEmpty(response, 204);
  });
  router.add('DELETE', '/containers/{id}', { query: { link: flag(), force: flag(), v: flag() } }, async ({ response, params, q }) => {
    if (q.link) throw new EngineError('unsupported', 'removing links is not supported by berth\'s engine yet');
    await containers.remove(params.id!, Boolean(q.force), Boolean(q.v));
    sendEmpty(response, 204);
  });
  router.add('POST', '/containers/{id}/wait', { query: { condition: text({ max: 32 }) } }, async ({ response, params, q }) => {
    const record = containers.get(params.id!);
    const waiting = containers.wait(record.id, q.condition ?? 'not-running');
    // Clients wait for the headers before starting the container: send them now, the body when it stops.
    response.writeHead(200, { 'Content-Type': 'application/json' });
    response.flushHeaders();
    const code = await waiting;
    response.end(`${JSON.stringify({ StatusCode: code, Error: null })}\n`);
  });
  router.add('POST', '/containers/{id}/resize', { query: { h: int({ min: 0, max: 65535 }), w: int({ min: 0, max: 65535 }) } }, ({ response, params, q }) => {
    containers.resize(params.id!, q.h ?? 24, q.w ?? 80);
    sendEmpty(response, 200);
  });
  const logsQuery = { stdout: flag(), stderr: flag(), tail: text({ max: 32 }), since: text({ max: 64 }), until: text({ max: 64 }), timestamps: flag(), follow: flag(), details: flag() };
  router.add('GET', '/containers/{id}/logs', { query: logsQuery }, async ({ request, response, params, q }) => {
    const record = containers.get(params.id!);
    const { stdout = false, stderr = false } = q;
    if (!stdout && !stderr) throw invalid('Bad parameters: you must choose at least one stream');
    const tail = q.tail && q.tail !== 'all' ? Number(q.tail) : undefined;
    const since = logTime(q.since, 'since');
    const until = logTime(q.until, 'until');
    const timestamps = Boolean(q.timestamps);
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
      Boolean(q.follow),
      () => isRunning(containers, record.id),
    );
    request.on('close', () => follower.stop());
    containers.holdLog(record.id, follower);
    await follower.done;
    response.end();
  });
  // Attach without an upgrade (dockerode without hijack): the output is the response body; there is no input.
  router.add('POST', '/containers/{id}/attach', { query: AttachQuery }, async ({ response, params, q }) => {
    const record = containers.get(params.id!);
    if (q.detachKeys) parseDetachKeys(q.detachKeys);
    response.writeHead(200, { 'Content-Type': `application/vnd.docker.${record.config.Tty ? 'raw' : 'multiplexed'}-stream` });
    response.flushHeaders();
    await attachOutput(services, record, q, response).done;
    response.end();
  });
}

/** `since`/`until` of a logs request: Unix seconds (with fractions) or nothing. */
function logTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isFinite(parsed)) throw invalid(`invalid value for ${name}: "${value}"`);
  return parsed || undefined;
}
