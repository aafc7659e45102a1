// Exec: create, start (without an upgrade the output is the response body), inspect, resize.
import { invalid } from '../errors.js';
import type { ExecConfig } from '../services/exec.js';
import { frame } from '../services/logs.js';
import { readJson, sendEmpty, sendJson } from './http.js';
import type { Router } from './router.js';
import type { EngineServices } from './routes.js';

export function addExecRoutes(router: Router, services: EngineServices): void {
  const { execs } = services;
  router.add('POST', '/containers/{id}/exec', async ({ request, response, params }) => {
    const config = await readJson<ExecConfig>(request);
    if (!config) throw invalid('exec config cannot be empty');
    sendJson(response, 201, { Id: execs.create(params.id!, config).id });
  });
  router.add('POST', '/exec/{id}/start', async ({ request, response, params }) => {
    const body = (await readJson<{ Detach?: boolean; Tty?: boolean }>(request)) ?? {};
    execs.get(params.id!);
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
  router.add('POST', '/exec/{id}/resize', ({ response, params }) => {
    execs.get(params.id!);
    sendEmpty(response, 200);
  });
}
