// The engine's HTTP server on a unix socket: one dispatch from path to route (versioned or not), errors mapped to
// statuses in one place, attach served on upgraded connections.
import { chmodSync, mkdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { dirname } from 'node:path';
import { readBody, WireError } from '../../engine-api/describe.js';
import { readQuery } from '../../engine-api/query.js';
import { invalid } from '../errors.js';
import { refuseUnhonoured } from '../services/fields/rules.js';
import { decodeBase64Json } from '../services/registry/auth.js';
import { abandonSilentUpload, JSON_BODY_TIMEOUT_MS, MAX_JSON_BODY, readJson, sendError, uploadIdleMs } from './http.js';
import type { ErrorPolicy } from './http.js';
import { API_VERSION, buildRouter, handleUpgrade } from './routes.js';
import type { EngineServices } from './routes.js';
import { parseTarget, splitVersion } from './router.js';
import type { QueryShape, RouteSpec } from './router.js';

export function createEngineServer(services: EngineServices, log: (line: string) => void): Server {
  const router = buildRouter(services);
  const policy: ErrorPolicy = { root: services.layout.root, log };
  const server = createServer((request, response) => {
    const target = parseTarget(request.url ?? '/');
    const what = `${request.method} ${target.path}`;
    void (async () => {
      try {
        if (target.redirect !== undefined) {
          // As dockerd's router: an unclean path (`//`, `/./`, `/../`) is sent to its clean form.
          response.writeHead(301, { Location: target.redirect, 'Content-Length': 0 });
          response.end();
          request.resume();
          return;
        }
        const [version, path] = splitVersion(target.path);
        const { route, params } = router.match(request.method ?? 'GET', path);
        const { body, q } = await readRequest(route.spec, request, target.query);
        // A route that reads its own body streams it (loads, imports, build contexts, archives): silence is bounded.
        if (!route.spec.body && hasBody(request) && !request.complete) abandonSilentUpload(request, response, uploadIdleMs(), policy);
        await route.handler({ request, response, params, query: target.query, apiVersion: version ?? API_VERSION, body, q });
      } catch (error) {
        sendError(response, error instanceof WireError ? invalid(error.message) : error, policy, what);
      }
    })();
  });
  // A request whose headers do not arrive in time is answered by node (408) rather than held.
  server.headersTimeout = 10_000;
  // Uploads (image loads, build contexts) may take long: no limit on the whole request, a limit on silence instead.
  server.requestTimeout = 0;
  // An upgraded (attach, exec) connection is no longer node's HTTP connection, so `closeAllConnections` does not end
  // it, yet `close` waits for it: an attach a client kept open held the engine's stop forever. They are ended too.
  const upgraded = new Set<Socket>();
  const closeHttpConnections = server.closeAllConnections.bind(server);
  server.closeAllConnections = (): void => {
    closeHttpConnections();
    for (const socket of upgraded) socket.destroy();
  };
  server.on('upgrade', (request, socket: Socket, head: Buffer) => {
    const target = parseTarget(request.url ?? '/');
    const [, path] = splitVersion(target.path);
    upgraded.add(socket);
    socket.on('close', () => upgraded.delete(socket));
    socket.on('error', () => {});
    try {
      handleUpgrade(services, request, socket, path, head);
    } catch (error) {
      log(`upgrade ${target.path}: ${(error as Error).stack ?? String(error)}`);
      socket.destroy();
    }
  });
  // Bytes that do not parse after a request on the same connection (the body of a HEAD, say) cannot be answered in
  // order: that connection is closed. A first request that does not parse is answered.
  const inFlight = new WeakMap<Socket, ServerResponse>();
  server.on('request', (request: IncomingMessage, response: ServerResponse) => inFlight.set(request.socket as Socket, response));
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Socket) => {
    const response = inFlight.get(socket);
    if (response) {
      if (response.writableFinished) socket.destroy();
      else response.once('finish', () => socket.destroySoon());
      return;
    }
    if (!socket.writable) return;
    const [status, message] = error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? ['408 Request Timeout', 'the request did not arrive in time'] : ['400 Bad Request', 'malformed HTTP request'];
    const body = JSON.stringify({ message });
    socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  });
  return server;
}

/** Whether the client sends a body (a length above zero, or chunks). */
function hasBody(request: IncomingMessage): boolean {
  return Number(request.headers['content-length'] ?? 0) > 0 || /chunked/i.test(String(request.headers['transfer-encoding'] ?? ''));
}

/** The body and the query as the route describes them, checked; nothing for a route that reads its own request. */
async function readRequest(spec: RouteSpec<unknown, QueryShape>, request: IncomingMessage, query: URLSearchParams): Promise<{ body: unknown; q: Record<string, unknown> }> {
  const q = spec.query ? readQuery(spec.query, query) : {};
  if (!spec.body) {
    if (spec.fields) refuseUnhonoured(spec.fields, q);
    return { body: undefined, q };
  }
  const header = spec.body.header === undefined ? undefined : headerText(request, spec.body.header);
  if (header !== undefined) request.resume();
  const raw = header !== undefined ? decodeBase64Json(header, spec.body.header!) : await readJson(request, spec.body.limit ?? MAX_JSON_BODY, JSON_BODY_TIMEOUT_MS);
  if (raw === undefined && spec.body.emptyMessage !== undefined) throw invalid(spec.body.emptyMessage);
  const body = readBody(spec.body.description, raw ?? {});
  if (spec.fields) refuseUnhonoured(spec.fields, body);
  return { body, q };
}

/** A header's value when it is there and not blank (Go's `Header.Get` gives "" for both). */
function headerText(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  const text = (Array.isArray(value) ? value[0] : value)?.trim();
  return text ? text : undefined;
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
