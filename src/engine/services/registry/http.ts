// One HTTP exchange with a registry (or its token server, or the host a blob redirects to): keep-alive agents, TLS
// checked unless the registry is insecure, timeouts, and bodies read with a cap. No auth, no retries here.
import { Agent as HttpAgent, request as httpRequest } from 'node:http';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import { EngineError } from '../../errors.js';

export interface Exchange {
  readonly method: string;
  readonly url: URL;
  readonly headers?: OutgoingHttpHeaders;
  readonly body?: Buffer | Readable;
  /** Accept a certificate that does not verify (an insecure registry). */
  readonly insecureTls?: boolean;
  readonly signal?: AbortSignal;
}

const agents = {
  http: new HttpAgent({ keepAlive: true, maxSockets: 32 }),
  https: new HttpsAgent({ keepAlive: true, maxSockets: 32 }),
};

/** No answer, or no bytes of a body, for this long: the registry is taken to be gone. */
const IDLE_TIMEOUT_MS = 60_000;

/** Sends a request; the response's status is not judged here. Connection failures are `unavailable` errors. */
export function exchange(request: Exchange): Promise<IncomingMessage> {
  const { url } = request;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return Promise.reject(new EngineError('invalid', `refusing a registry URL that is not http or https: ${url.protocol}`));
  return new Promise((resolve, reject) => {
    const options = {
      method: request.method,
      headers: { 'User-Agent': 'berth-engine', ...request.headers },
      timeout: IDLE_TIMEOUT_MS,
      ...(request.signal ? { signal: request.signal } : {}),
    };
    const sent =
      url.protocol === 'https:'
        ? httpsRequest(url, { ...options, agent: agents.https, rejectUnauthorized: !request.insecureTls })
        : httpRequest(url, { ...options, agent: agents.http });
    sent.on('timeout', () => sent.destroy(new EngineError('unavailable', `${describe(request.method, url)}: no answer within ${IDLE_TIMEOUT_MS / 1000} s`)));
    sent.on('error', (error) => reject(connectionError(error, request)));
    sent.on('response', (response) => {
      response.setTimeout(IDLE_TIMEOUT_MS, () => response.destroy(new EngineError('unavailable', `${describe(request.method, url)}: the download stalled`)));
      resolve(response);
    });
    const body = request.body;
    if (body === undefined) sent.end();
    else if (Buffer.isBuffer(body)) sent.end(body);
    else {
      body.on('error', (error) => sent.destroy(error));
      body.pipe(sent);
    }
  });
}

/** A body read whole, refused past `limit` bytes (a hostile registry may send anything). */
export async function readBody(response: IncomingMessage, limit: number, what: string): Promise<Buffer> {
  const declared = Number(response.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    response.destroy();
    throw new EngineError('unavailable', `${what} is too large (${declared} bytes, at most ${limit})`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response) {
    size += (chunk as Buffer).length;
    if (size > limit) {
      response.destroy();
      throw new EngineError('unavailable', `${what} is too large (more than ${limit} bytes)`);
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

const TITLE: Record<string, string> = { GET: 'Get', HEAD: 'Head', POST: 'Post', PUT: 'Put', PATCH: 'Patch', DELETE: 'Delete' };

/** `Get "https://host/v2/"`: how Go's HTTP client, and so dockerd, names a request in its errors. */
export function describe(method: string, url: URL): string {
  return `${TITLE[method] ?? method} "${safeUrl(url)}"`;
}

/** The URL without credentials or query (a token server's query may carry scopes, a redirect a signature). */
export function safeUrl(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

function connectionError(error: Error, request: Exchange): Error {
  if (error instanceof EngineError) return error;
  if (error.name === 'AbortError') return error;
  const code = (error as NodeJS.ErrnoException).code;
  const where = describe(request.method, request.url);
  if (code === 'ECONNREFUSED') return new EngineError('unavailable', `${where}: dial tcp ${request.url.host}: connect: connection refused`);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new EngineError('unavailable', `${where}: dial tcp: lookup ${request.url.hostname}: no such host`);
  return new EngineError('unavailable', `${where}: ${error.message}`);
}
