// HTTP plumbing: reading bodies (with a size limit), writing JSON, errors as {"message": ...} with the status their
// kind maps to, and stream helpers. No engine rules here.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { filters, flag, int } from '../../engine-api/query.js';
import { EngineError, invalid, statusOf } from '../errors.js';

/** JSON request bodies above this are refused (image and archive uploads are streamed, not read here). */
export const MAX_JSON_BODY = 8 * 1024 * 1024;
/** A JSON body must arrive within this long after its headers: a slow or half-sent one is answered, not waited on. */
export const JSON_BODY_TIMEOUT_MS = 10_000;

/**
 * Reads a JSON body of at most `limit` bytes within `timeoutMs`; `undefined` when the body is empty. A body that is
 * too large is a 413 and one that does not arrive in time a 408 (the connection is closed after the answer, since
 * the rest of the body may still be on its way).
 */
export function readJson(request: IncomingMessage, limit = MAX_JSON_BODY, timeoutMs = JSON_BODY_TIMEOUT_MS): Promise<unknown> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume();
    return Promise.reject(new EngineError('too-large', `request body larger than ${limit} bytes`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (error?: EngineError): void => {
      clearTimeout(timer);
      request.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (error) {
        request.resume();
        reject(error);
        return;
      }
      const text = Buffer.concat(chunks).toString('utf8').trim();
      if (text === '') return resolve(undefined);
      try {
        resolve(JSON.parse(text));
      } catch (parseError) {
        const at = /position (\d+)/.exec((parseError as Error).message)?.[1];
        reject(invalid(at !== undefined ? `invalid JSON body: syntax error at byte ${at}` : 'invalid JSON body'));
      }
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) finish(new EngineError('too-large', `request body larger than ${limit} bytes`));
      else chunks.push(chunk);
    };
    const onEnd = (): void => finish();
    const onError = (): void => finish(invalid('the request body could not be read'));
    const onAborted = (): void => finish(invalid('the request body was cut short'));
    const timer = setTimeout(() => finish(new EngineError('timeout', `the request body did not arrive within ${timeoutMs / 1000} s`)), timeoutMs);
    request.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  response.end(text);
}

export function sendEmpty(response: ServerResponse, status: number): void {
  response.writeHead(status);
  response.end();
}

/** How error answers are made safe to send: the engine's own paths never leave it, internal faults are logged. */
export interface ErrorPolicy {
  /** The engine's state directory: any path under it in a message is replaced. */
  readonly root: string;
  readonly log: (line: string) => void;
}

/**
 * The error as `{"message": ...}` with the status its kind maps to. A fault that is not an engine error (a bug) is
 * logged with its stack and answered with a reference to the log, never with JavaScript's text; paths inside the
 * engine's root are replaced in every message.
 */
export function sendError(response: ServerResponse, error: unknown, policy?: ErrorPolicy, what = ''): void {
  const status = statusOf(error);
  let message: string;
  if (error instanceof EngineError) {
    message = error.message;
    if (status >= 500) policy?.log(`${what}: ${message}`);
  } else {
    const reference = randomBytes(4).toString('hex');
    policy?.log(`${what}: internal error ${reference}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    message = `internal error in berth's engine (reference ${reference} in the engine log)`;
  }
  if (policy) message = scrubPaths(message, policy.root);
  if (response.headersSent) {
    response.destroy();
    return;
  }
  sendJson(response, status, { message });
  // After a 408 or a 413 the rest of the body may still be coming: the connection is not reused.
  if (status === 408 || status === 413) response.on('finish', () => response.socket?.destroySoon?.());
}

/** How long a streamed upload (image load or import, build context, archive PUT) may stay silent; env for tests. */
export function uploadIdleMs(): number {
  const seconds = Number(process.env.BERTH_ENGINE_UPLOAD_IDLE_SECONDS);
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 60_000;
}

/**
 * A client that stops sending a streamed body holds what its upload opened (a layer being written, an extraction,
 * a build) for as long as its connection lasts. After `ms` to `2 ms` without a byte (before the body is complete) the
 * upload is abandoned: a 408 if nothing was answered yet, and the request destroyed, which fails its consumer so
 * that it cleans up.
 */
export function abandonSilentUpload(request: IncomingMessage, response: ServerResponse, ms: number, policy?: ErrorPolicy): void {
  // The socket's byte count, not a 'data' listener: listening would start the body flowing before its consumer.
  const socket = request.socket;
  let seen = socket.bytesRead;
  const timer = setInterval(() => {
    if (request.complete || request.destroyed) return clearInterval(timer);
    // Data waiting in the request means the consumer holds back (and node then stops reading the socket).
    if (socket.bytesRead !== seen || request.readableLength > 0) {
      seen = socket.bytesRead;
      return;
    }
    clearInterval(timer);
    const error = new EngineError('timeout', `the client sent nothing for ${ms / 1000} s: upload abandoned`);
    policy?.log(`${request.method} ${request.url?.split('?')[0]}: ${error.message}`);
    // A stream already being answered ends at once; otherwise once the 408 is out.
    if (response.headersSent) return request.destroy(error);
    response.once('finish', () => request.destroy(error));
    sendJson(response, 408, { message: error.message });
  }, ms);
  timer.unref();
  request.once('close', () => clearInterval(timer));
}

/** The engine's root (where images, containers and volumes live) replaced in a message, so no host path leaves it. */
export function scrubPaths(message: string, root: string): string {
  if (root === '' || root === '/') return message;
  return message.split(root).join('<engine root>');
}

/** moby's BoolValue (for routes that read their raw query; described routes get `q`). */
export function queryBoolean(query: URLSearchParams, name: string): boolean {
  return flag().read(query, name) ?? false;
}

export function queryInteger(query: URLSearchParams, name: string): number | undefined {
  return int().read(query, name);
}

/** `filters={"label":["a=b"]}` (or the older `{"label":{"a=b":true}}`) -> name -> values. */
export function queryFilters(query: URLSearchParams): Map<string, string[]> {
  return filters().read(query, 'filters') ?? new Map();
}
