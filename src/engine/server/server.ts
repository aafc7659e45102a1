// The engine's HTTP server on a unix socket: one dispatch from path to route (versioned or not), errors mapped to
// statuses in one place, attach served on upgraded connections.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import { dirname } from 'node:path';
import { sendError } from './http.js';
import { API_VERSION, buildRouter, handleUpgrade } from './routes.js';
import type { EngineServices } from './routes.js';
import { splitVersion } from './router.js';

export function createEngineServer(services: EngineServices, log: (line: string) => void): Server {
  const router = buildRouter(services);
  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://engine');
    const [version, path] = splitVersion(url.pathname);
    void (async () => {
      try {
        const { handler, params } = router.match(request.method ?? 'GET', path);
        await handler({ request, response, params, query: url.searchParams, apiVersion: version ?? API_VERSION });
      } catch (error) {
        if ((error as { kind?: string }).kind === undefined) log(`${request.method} ${url.pathname}: ${(error as Error).stack ?? String(error)}`);
        sendError(response, error);
      }
    })();
  });
  server.on('upgrade', (request, socket: Socket, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://engine');
    const [, path] = splitVersion(url.pathname);
    socket.on('error', () => {});
    handleUpgrade(services, request, socket, path, head);
  });
  server.on('clientError', (_error, socket: Socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\n\r\n');
  });
  return server;
}

/** Listens on `socketPath` (a stale socket file is replaced), mode 0660 as dockerd's. */
export function listen(server: Server, socketPath: string): Promise<void> {
  mkdirSync(dirname(socketPath), { recursive: true });
  rmSync(socketPath, { force: true });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => {
      chmodSync(socketPath, 0o660);
      resolve();
    });
  });
}
