// The one place that talks HTTP to the engine (through dockerode's modem): API version negotiation, requests with
// plain JSON in and out, streams, and engine errors turned into BerthErrors with the engine's own message.
import type DockerModem from 'docker-modem';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import type { IncomingMessage } from 'node:http';
import { dirname, join } from 'node:path';
import type { Duplex, Writable } from 'node:stream';
import { BerthError } from '../model/errors.js';
import type { ErrorKind } from '../model/errors.js';
import type { Endpoint } from './endpoint.js';

/** The newest Engine API berth speaks; older engines are spoken to in their own version. */
export const CLIENT_API_VERSION = '1.47';
/** Below this berth cannot work (compose's own floor). */
export const MIN_API_VERSION = '1.41';

export interface RequestOptions {
  readonly query?: Record<string, string | number | boolean | undefined>;
  readonly body?: unknown;
  /** Status codes that are not errors besides 2xx (e.g. 304 "already started"). */
  readonly accept?: readonly number[];
  readonly signal?: AbortSignal;
  /** A request body streamed as is (a build context tar). */
  readonly upload?: NodeJS.ReadableStream;
  /** Extra request headers (X-Registry-Auth for a push). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface Transport {
  readonly endpoint: Endpoint;
  readonly apiVersion: string;
  readonly os: string;
  request<T = unknown>(method: string, path: string, options?: RequestOptions): Promise<T>;
  stream(method: string, path: string, options?: RequestOptions): Promise<IncomingMessage>;
  /** An upgraded connection (attach): raw multiplexed or TTY stream, writable for stdin. */
  hijack(path: string, options?: RequestOptions): Promise<Duplex>;
  demux(stream: NodeJS.ReadableStream, stdout: Writable, stderr: Writable): void;
}

interface ModemError extends Error {
  statusCode?: number;
  json?: { message?: string } | string | null;
  code?: string;
}

type Modem = {
  dial(options: object, callback: (error: ModemError | null, result: unknown) => void): void;
  demuxStream(stream: NodeJS.ReadableStream, stdout: Writable, stderr: Writable): void;
  version?: string;
};

/** One request as the client saw it: when it was sent and answered (ms since the epoch, sub-ms precision). */
export interface TracedRequest {
  readonly method: string;
  readonly path: string;
  readonly sent: number;
  readonly answered: number;
  /** Absent when the engine answered with success. */
  readonly error?: string;
}

export interface ConnectOptions {
  /** Told of every request once answered (BERTH_TRACE_REQUESTS): where a command's time goes. */
  readonly trace?: (request: TracedRequest) => void;
  /** What the engine already said in answer to a `/_ping` (the default socket's probe): not asked again. */
  readonly greeting?: EngineGreeting;
}

/** What an engine says of itself in the headers of its `/_ping` answer (dockerd and berth's engine both send them). */
export interface EngineGreeting {
  /** `API-Version`: the newest Engine API it speaks. */
  readonly apiVersion?: string;
  /** `OSType`. */
  readonly os?: string;
}

/** The greeting in a `/_ping` answer's headers (node gives header names in lower case). */
export function greetingOf(headers: Readonly<Record<string, string | string[] | undefined>>): EngineGreeting {
  const one = (name: string): string | undefined => {
    const value = headers[name];
    return typeof value === 'string' && value !== '' ? value : undefined;
  };
  const apiVersion = one('api-version');
  const os = one('ostype');
  return { ...(apiVersion && /^\d+\.\d+$/.test(apiVersion) ? { apiVersion } : {}), ...(os ? { os } : {}) };
}

type Dial = <T>(options: object) => Promise<T>;

/**
 * The engine's API version (and OS), as the docker CLI learns it: from `/_ping`'s headers, which costs the engine
 * nothing (dockerd's `/version` asks containerd and runc for theirs). An engine whose ping carries no version is
 * asked `/version`.
 */
async function greet(dial: Dial, trace: ConnectOptions['trace']): Promise<EngineGreeting> {
  const sent = trace ? clock() : 0;
  const answer = await dial<IncomingMessage>({ path: '/_ping', method: 'GET', statusCodes: { 200: true }, isStream: true });
  answer.resume();
  trace?.({ method: 'GET', path: '/_ping', sent, answered: clock() });
  const greeting = greetingOf(answer.headers);
  if (greeting.apiVersion) return greeting;
  const versionSent = trace ? clock() : 0;
  const version = await dial<{ ApiVersion?: string; Os?: string }>({ path: '/version', method: 'GET', statusCodes: { 200: true } });
  trace?.({ method: 'GET', path: '/version', sent: versionSent, answered: clock() });
  return { ...(version.ApiVersion ? { apiVersion: version.ApiVersion } : {}), ...(version.Os ? { os: version.Os } : {}) };
}

export async function connectEngine(endpoint: Endpoint, connectOptions: ConnectOptions = {}): Promise<Transport> {
  // Loaded on first use: verbs that never talk to an engine (config, version) do not pay for it. Only dockerode's
  // modem (docker-modem): dockerode itself adds its object layer and grpc/protobuf for BuildKit sessions, which berth
  // does not use (twice the load time of the modem alone).
  const modem = new (await loadModem())(modemOptions(endpoint)) as unknown as Modem;
  const dial: Dial = <T>(options: object): Promise<T> =>
    new Promise((resolve, reject) => modem.dial(options, (error, result) => (error ? reject(error) : resolve(result as T))));

  const { trace } = connectOptions;
  let greeting: EngineGreeting;
  try {
    greeting = connectOptions.greeting?.apiVersion ? connectOptions.greeting : await greet(dial, trace);
  } catch (error) {
    const code = (error as ModemError).code;
    const why = code === 'ENOENT' || code === 'ECONNREFUSED' ? 'is the engine running?' : (error as Error).message;
    throw new BerthError(`cannot connect to the Docker engine at ${endpoint.url} (${endpoint.source}): ${why}`, { kind: 'engine', cause: error });
  }
  const serverApi = greeting.apiVersion ?? MIN_API_VERSION;
  if (compareVersions(serverApi, MIN_API_VERSION) < 0) {
    throw new BerthError(`the engine at ${endpoint.url} speaks Engine API ${serverApi}; berth needs ${MIN_API_VERSION} or later`, { kind: 'engine' });
  }
  const apiVersion = compareVersions(serverApi, CLIENT_API_VERSION) < 0 ? serverApi : CLIENT_API_VERSION;
  modem.version = `v${apiVersion}`;

  const dialOptions = (method: string, path: string, options: RequestOptions, extra: object) => {
    const statusCodes: Record<number, boolean> = { 200: true, 201: true, 204: true, 101: true };
    for (const code of options.accept ?? []) statusCodes[code] = true;
    const query = Object.fromEntries(Object.entries(options.query ?? {}).filter(([, value]) => value !== undefined));
    return {
      path: `${path}?`,
      method,
      // An empty body object is not sent at all (the modem drops '{}'), which endpoints like start require.
      options: { _query: query, _body: options.body ?? {} },
      statusCodes,
      ...(options.signal ? { abortSignal: options.signal } : {}),
      ...(options.upload ? { file: options.upload } : {}),
      ...(options.upload || options.headers ? { headers: { ...(options.upload ? { 'Content-Type': 'application/x-tar' } : {}), ...options.headers } } : {}),
      ...extra,
    };
  };
  const guarded = async <T>(method: string, path: string, options: RequestOptions, extra: object): Promise<T> => {
    const sent = trace ? clock() : 0;
    try {
      const result = await dial<T>(dialOptions(method, path, options, extra));
      trace?.({ method, path, sent, answered: clock() });
      return result;
    } catch (error) {
      const failure = engineError(error as ModemError, method, path);
      const status = statusOf(failure);
      trace?.({ method, path, sent, answered: clock(), error: status !== undefined ? `${status} ${failure.message}` : failure.message });
      throw failure;
    }
  };
  return {
    endpoint,
    apiVersion,
    os: greeting.os ?? 'linux',
    request: (method, path, options = {}) => guarded(method, path, options, {}),
    stream: (method, path, options = {}) => guarded(method, path, options, { isStream: true }),
    hijack: (path, options = {}) => guarded('POST', path, options, { isStream: true, hijack: true, openStdin: true }),
    demux: (stream, stdout, stderr) => modem.demuxStream(stream, stdout, stderr),
  };
}

/**
 * docker-modem, with what a plain request does not use loaded on first use: ssh2 (and its crypto stack, the larger
 * part of the modem's load time) when an ssh:// endpoint dials, and readable-stream (13 modules) when an attach is
 * opened. The modem requires its `./ssh.js` and `./http_duplex.js` at load time, so a stand-in for each goes into
 * require's cache first and requires the real file when it is first called. Its debug logger (the `debug` package
 * with supports-color, 6 modules) is loaded only when DEBUG asks for logs, as debug itself logs nothing without it.
 */
export async function loadModem(): Promise<typeof DockerModem> {
  const require = createRequire(import.meta.url);
  const modemEntry = require.resolve('docker-modem');
  const modemDir = dirname(modemEntry);
  for (const file of ['ssh.js', 'http_duplex.js']) deferRequire(require, join(modemDir, file));
  const silent = process.env.DEBUG ? undefined : silenceDebug(createRequire(modemEntry));
  try {
    return (await import('docker-modem')).default;
  } finally {
    // Only the modem gets the silent logger: anything else that requires `debug` later gets the real one.
    silent?.();
  }
}

/** Puts a logger that does nothing in place of the `debug` package `require` would load; returns its removal. */
function silenceDebug(require: NodeJS.Require): (() => void) | undefined {
  let file: string;
  try {
    file = require.resolve('debug');
  } catch {
    return undefined;
  }
  if (require.cache[file]) return undefined;
  const standIn = new Module(file);
  standIn.filename = file;
  standIn.loaded = true;
  standIn.exports = (): ((...args: unknown[]) => void) => Object.assign(() => {}, { enabled: false });
  require.cache[file] = standIn;
  return () => {
    if (require.cache[file] === standIn) delete require.cache[file];
  };
}

/** Puts in require's cache a stand-in for `file`, a function (called, or with `new`) that requires it when used. */
function deferRequire(require: NodeJS.Require, file: string): void {
  if (require.cache[file] || !existsSync(file)) return;
  let real: ((...args: unknown[]) => unknown) | undefined;
  const standIn = new Module(file);
  standIn.filename = file;
  standIn.loaded = true;
  standIn.exports = function deferred(this: unknown, ...args: unknown[]): unknown {
    if (!real) {
      delete require.cache[file];
      real = require(file) as (...args: unknown[]) => unknown;
    }
    // `new HttpDuplex(req, res)`: an object returned from a constructor is what `new` gives.
    return new.target ? Reflect.construct(real, args) : real.apply(this, args);
  };
  require.cache[file] = standIn;
}

function modemOptions(endpoint: Endpoint): DockerModem.ConstructorOptions {
  if (endpoint.socketPath) return { socketPath: endpoint.socketPath };
  const options: DockerModem.ConstructorOptions = { host: endpoint.host, port: endpoint.port, protocol: endpoint.protocol };
  if (endpoint.tlsDir) {
    const read = (file: string): Buffer | undefined => {
      try {
        return readFileSync(join(endpoint.tlsDir!, file));
      } catch {
        return undefined;
      }
    };
    return { ...options, ca: read('ca.pem'), cert: read('cert.pem'), key: read('key.pem') };
  }
  return options;
}

/** Now, in ms since the epoch with sub-ms precision (only when tracing: `performance` loads node's perf_hooks). */
export const clock = (): number => performance.timeOrigin + performance.now();

const KINDS: Record<number, ErrorKind> = { 400: 'invalid', 404: 'not-found', 409: 'conflict' };

function engineError(error: ModemError, method: string, path: string): BerthError {
  if (error instanceof BerthError) return error;
  if (error.name === 'AbortError') return new BerthError('canceled', { kind: 'canceled', cause: error });
  const status = error.statusCode;
  const body = error.json;
  const fromBody = typeof body === 'object' && body !== null && typeof body.message === 'string' ? body.message : typeof body === 'string' && body !== '' ? body.trim() : undefined;
  // The modem wraps the engine's message as "(HTTP code 500) unexpected - <message> ".
  const message = (fromBody ?? error.message.replace(/^\(HTTP code \d+\) [^-]*- /, '')).trim();
  const kind = status !== undefined ? (KINDS[status] ?? 'engine') : 'engine';
  const detail = status === undefined ? `${method} ${path}: ${message}` : message;
  return Object.assign(new BerthError(detail, { kind, cause: error }), { statusCode: status });
}

export function compareVersions(a: string, b: string): number {
  const [am = 0, an = 0] = a.split('.').map(Number);
  const [bm = 0, bn = 0] = b.split('.').map(Number);
  return am !== bm ? am - bm : an - bn;
}

/** The HTTP status an engine error came with, if it came from the engine. */
export function statusOf(error: unknown): number | undefined {
  return (error as { statusCode?: number } | null)?.statusCode;
}
