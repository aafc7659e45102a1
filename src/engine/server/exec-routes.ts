// Exec: create, start (without an upgrade the output is the response body), inspect, resize.
import { ExecCreate, ExecStart } from '../../engine-api/exec.js';
import { int } from '../../engine-api/query.js';
import { EXEC_CREATE_FIELDS } from '../services/fields/other-fields.js';
import { frame } from '../services/logs.js';
import { sendEmpty, sendJson } from './http.js';
import type { Router } from './router.js';
import type { EngineServices } from './routes.js';

export function addExecRoutes(router: Router, services: EngineServices): void {
  const { execs } = services;
  router.add('POST', '/containers/{id}/exec', { body: { description: ExecCreate, limit: 1024 * 1024, emptyMessage: 'exec config cannot be empty' }, fields: EXEC_CREATE_FIELDS }, ({ response, params, body }) => {
    sendJson(response, 201, { Id: execs.create(params.id!, body).id });
  });
  router.add('POST', '/exec/{id}/start', { body: { description: ExecStart, limit: 64 * 1024 } }, async ({ response, params, body }) => {
    execs.startable(params.id!);
    if (body.Detach) {
      void execs.start(params.id!, undefined);
      sendEmpty(response, 200);
      return;
    }
    // Without an upgrade the output comes as the response body, framed.
    response.writeHead(200, { 'Content-Type': 'application/vnd.docker.multiplexed-stream' });
    response.flushHeaders();
    const tty = Boolean(execs.get(params.id!).config.Tty);
    await execs.start(params.id!, { output: (stream, chunk) => response.write(tty ? chunk : frame(stream, chunk)) });
    response.end();
  });
  router.add('GET', '/exec/{id}/json', ({ response, params }) => sendJson(response, 200, execs.inspect(params.id!)));
  router.add('POST', '/exec/{id}/resize', { query: { h: int({ min: 0, max: 65535 }), w: int({ min: 0, max: 65535 }) } }, ({ response, params }) => {
    execs.get(params.id!);
    sendEmpty(response, 200);
  });
}
