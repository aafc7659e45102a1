// Requests that take over their connection (`Upgrade: tcp`): attach (output, and stdin into the container) and
// exec start (output out, stdin in).
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { PassThrough } from 'node:stream';
import { statusOf } from '../errors.js';
import type { ContainerRecord } from '../services/container-record.js';
import { frame } from '../services/logs.js';
import { attachOutput, isRunning } from './attach.js';
import { detachScanner, DEFAULT_DETACH_KEYS, parseDetachKeys } from './detach-keys.js';
import { WireError } from '../../engine-api/describe.js';
import { readQuery } from '../../engine-api/query.js';
import type { QueryOf } from '../../engine-api/query.js';
import { AttachQuery } from '../../engine-api/system.js';
import { parseTarget } from './router.js';
import type { EngineServices } from './routes.js';

/** Requests that take over the connection (`Upgrade: tcp`): attach, and exec start. */
export function handleUpgrade(services: EngineServices, request: IncomingMessage, socket: Socket, path: string, head: Buffer): void {
  const input = clientInput(request, socket, head);
  const exec = /^\/exec\/([^/]+)\/start$/.exec(path);
  if (exec) return execUpgrade(services, socket, decodeURIComponent(exec[1]!), input);
  attachUpgrade(services, request, socket, path, input);
}

/**
 * What the client sends after its request: the request's own body (Content-Length bytes, such as exec start's
 * `{"Detach":false,"Tty":false}` and its newline) is skipped; the rest is the process's input. The first bytes may
 * have arrived with the request (`head`).
 */
function clientInput(request: IncomingMessage, socket: Socket, head: Buffer): PassThrough {
  const input = new PassThrough();
  let skip = Number(request.headers['content-length'] ?? 0) || 0;
  const take = (chunk: Buffer): void => {
    let data = chunk;
    if (skip > 0) {
      const skipped = Math.min(skip, data.length);
      skip -= skipped;
      data = data.subarray(skipped);
    }
    // What the process cannot take yet waits in the client's socket, not in the engine's memory.
    if (data.length > 0 && !input.write(data)) socket.pause();
  };
  input.on('drain', () => socket.resume());
  if (head.length > 0) take(head);
  socket.on('data', take);
  // A client that goes away without half-closing has no more input either.
  const end = (): void => {
    if (!input.writableEnded) input.end();
  };
  socket.on('end', end);
  socket.on('close', end);
  return input;
}

function rejectUpgrade(socket: Socket, status: string, message: string): void {
  const body = JSON.stringify({ message });
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
}

function execUpgrade(services: EngineServices, socket: Socket, id: string, input: PassThrough): void {
  let tty = false;
  try {
    tty = Boolean(services.execs.startable(id).config.Tty);
  } catch (error) {
    const status = statusOf(error);
    return rejectUpgrade(socket, `${status} ${STATUS_CODES[status] ?? ''}`, (error as Error).message);
  }
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.${tty ? 'raw' : 'multiplexed'}-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  services.execs
    .start(id, { output: (stream, chunk) => socket.write(tty ? chunk : frame(stream, chunk)), input })
    .catch((error: Error) => socket.write(frame('stderr', Buffer.from(`${error.message}\n`))))
    .finally(() => socket.end());
}

/** `POST /containers/{id}/attach` with `Upgrade: tcp`: the output stream on the upgraded connection. */
function attachUpgrade(services: EngineServices, request: IncomingMessage, socket: Socket, path: string, input: PassThrough): void {
  const found = /^\/containers\/([^/]+)\/attach$/.exec(path);
  if (!found) {
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{"message":"page not found"}');
    return;
  }
  let record: ContainerRecord;
  try {
    record = services.containers.get(decodeURIComponent(found[1]!));
  } catch (error) {
    const message = JSON.stringify({ message: (error as Error).message });
    socket.end(`HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`);
    return;
  }
  let query: QueryOf<typeof AttachQuery>;
  try {
    query = readQuery(AttachQuery, parseTarget(request.url ?? '/').query);
  } catch (error) {
    if (error instanceof WireError) return rejectUpgrade(socket, '400 Bad Request', error.message);
    throw error;
  }
  const wantsStdin = query.stdin ?? false;
  if (wantsStdin && !record.config.OpenStdin) {
    return rejectUpgrade(socket, '400 Bad Request', 'the container was not created with stdin open (-i)');
  }
  const tty = Boolean(record.config.Tty);
  let detachKeys: Buffer;
  try {
    detachKeys = parseDetachKeys(query.detachKeys || DEFAULT_DETACH_KEYS);
  } catch (error) {
    return rejectUpgrade(socket, '400 Bad Request', (error as Error).message);
  }
  socket.write(`HTTP/1.1 101 UPGRADED\r\nContent-Type: application/vnd.docker.${tty ? 'raw' : 'multiplexed'}-stream\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n`);
  const follower = attachOutput(services, record, query, socket);
  // On a terminal, the detach keys end the attachment; the container keeps running.
  const detach = (): void => {
    services.containers.detached(record.id);
    follower.stop();
    socket.end();
  };
  if (wantsStdin) attachStdin(services, record, input, tty ? { scan: detachScanner(detachKeys), detach } : undefined);
  else input.resume();
  // The client half-closes its side when it has no stdin: the stream stays writable until the container stops.
  void follower.done.then(() => socket.end());
}

/** Input held for a container that does not run yet, beyond which the client's socket waits. */
const HELD_LIMIT = 1024 * 1024;

/**
 * What the client sends on an attached connection goes to the container's stdin. The container may not run yet
 * (docker run attaches before it starts): input is held until its stdin is there. When the client's input ends,
 * this client's handle on the stdin FIFO is released; with StdinOnce the container's input ends too, after all that
 * came before it (the monitor is told so once the last byte is in the FIFO).
 */
function attachStdin(
  services: EngineServices,
  record: ContainerRecord,
  input: PassThrough,
  keys?: { scan: ReturnType<typeof detachScanner>; detach: () => void },
): void {
  const held: Buffer[] = [];
  let heldBytes = 0;
  let target: NodeJS.WritableStream | undefined;
  let ended = false; // the client has no more input
  let released = false; // this client's handle is let go (or the container's stdin went away)
  const release = (endContainerInput: boolean): void => {
    if (released) return;
    released = true;
    clearInterval(timer);
    held.length = 0;
    input.resume(); // anything still coming is dropped
    target?.end(() => {
      if (endContainerInput) services.containers.closeStdin(record.id);
    });
  };
  const connect = (): void => {
    if (target || released) return;
    target = services.containers.stdinOf(record.id);
    if (!target) return;
    clearInterval(timer);
    const stream = target as NodeJS.WritableStream & { on(event: 'error' | 'drain', listener: () => void): unknown };
    // EPIPE: the container ended while input was on its way.
    stream.on('error', () => release(false));
    stream.on('drain', () => input.resume());
    for (const chunk of held.splice(0)) target.write(chunk);
    heldBytes = 0;
    input.resume();
    if (ended) release(Boolean(record.config.StdinOnce));
  };
  const timer = setInterval(() => {
    connect();
    if (!target && !isRunning(services.containers, record.id)) release(false);
  }, 20);
  input.on('data', (data: Buffer) => {
    if (released) return;
    const scanned = keys ? keys.scan(data) : { forward: data, detached: false };
    const chunk = scanned.forward;
    connect();
    if (chunk.length > 0) {
      if (target) {
        if (!target.write(chunk)) input.pause();
      } else {
        held.push(chunk);
        heldBytes += chunk.length;
        if (heldBytes > HELD_LIMIT) input.pause();
      }
    }
    if (scanned.detached) {
      // Only this client's handle: the container's stdin stays open for the next attach.
      release(false);
      input.removeAllListeners('end');
      keys!.detach();
    }
  });
  input.on('end', () => {
    ended = true;
    connect();
    if (target) release(Boolean(record.config.StdinOnce));
  });
}
