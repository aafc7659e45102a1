// The distribution protocol's HTTP side for one repository: finding the endpoint (HTTPS, or plain HTTP for an
// insecure registry; Docker Hub's mirrors first), authenticating (anonymous or with credentials, bearer tokens or
// basic auth, as the registry's challenge asks), and the calls a pull and a push make. Registry errors become engine
// errors worded as dockerd words them; bodies are capped and redirects followed only to http(s) URLs.
import { createHash } from 'node:crypto';
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import { EngineError } from '../../errors.js';
import type { Challenge, RegistryCredentials } from './auth.js';
import { parseChallenges } from './auth.js';
import { describe, exchange, readBody } from './http.js';
import type { Endpoint, RegistryOptions } from './options.js';
import { endpointsFor } from './options.js';

/** Manifests larger than this are refused (dockerd's own limit). */
export const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_ERROR_BYTES = 64 * 1024;
const MAX_TOKEN_BYTES = 1024 * 1024;
const MAX_REDIRECTS = 10;
/** Connections one layer download may take when they drop mid-way (dockerd makes 5 attempts too). */
const BLOB_ATTEMPTS = 5;

/** A connection that broke (reset, cut short, stalled, refused on the way back): worth another attempt. */
function droppedConnection(error: unknown): boolean {
  if (error instanceof RegistryError) return error.status >= 500;
  if (error instanceof EngineError) return error.kind === 'unavailable';
  const code = (error as NodeJS.ErrnoException)?.code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ETIMEDOUT' || code === 'ECONNREFUSED' || (error as Error)?.message === 'aborted';
}

/** An error entry of a registry's `{"errors": [...]}` body. */
export interface RegistryErrorEntry {
  readonly code: string;
  readonly message: string;
}

/** A registry answered with an error status; `entries` are what its body said. */
export class RegistryError extends EngineError {
  constructor(
    kind: EngineError['kind'],
    message: string,
    readonly status: number,
    readonly entries: readonly RegistryErrorEntry[],
    /** The registry's words alone, without the request (`unauthorized: authentication required`). */
    readonly words: string = message,
  ) {
    super(kind, message);
  }

  /** The first entry's code (`MANIFEST_UNKNOWN`, `DENIED`, ...), if the body had one. */
  get code(): string | undefined {
    return this.entries[0]?.code;
  }
}

export type Action = 'pull' | 'push';

export interface FetchedManifest {
  readonly bytes: Buffer;
  readonly mediaType: string;
  /** sha256 of the bytes: the digest the manifest is known by. */
  readonly digest: string;
}

export const MANIFEST_TYPES = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.oci.image.index.v1+json',
];

export class RegistryClient {
  /** The endpoint that answered last time, per registry and purpose, so that the next session does not probe again. */
  private readonly known = new Map<string, Endpoint>();

  constructor(readonly options: RegistryOptions) {}

  repository(domain: string, path: string, credentials: RegistryCredentials | undefined, actions: readonly Action[], mountFrom: readonly string[] = []): Repository {
    return new Repository(this, domain, path, credentials, actions, mountFrom);
  }

  /** Candidate endpoints for a registry, the one that worked last time first. */
  endpoints(domain: string, forPush: boolean): Endpoint[] {
    const candidates = endpointsFor(domain, this.options, forPush);
    const known = this.known.get(`${domain}|${forPush}`);
    return known ? [known, ...candidates.filter((candidate) => candidate.url.href !== known.url.href)] : candidates;
  }

  remember(domain: string, forPush: boolean, endpoint: Endpoint): void {
    this.known.set(`${domain}|${forPush}`, endpoint);
  }

  /**
   * `docker login`: the credentials are checked against the registry (a token fetched, or /v2/ with basic auth);
   * the refresh token the token server hands out, if any, is the identity token for later requests.
   */
  async login(domain: string, credentials: RegistryCredentials): Promise<{ identityToken?: string }> {
    const session = new Session(this, domain, credentials, [], true);
    return session.login();
  }
}

/** One conversation with a registry: the endpoint that answered, the challenge it gave, the authorization we hold. */
class Session {
  private endpoint?: Endpoint;
  private challenge?: Challenge;
  private authorization?: string;
  private connecting?: Promise<void>;
  private pinging?: Promise<void>;

  constructor(
    private readonly client: RegistryClient,
    readonly domain: string,
    private readonly credentials: RegistryCredentials | undefined,
    private readonly scopes: readonly string[],
    private readonly forPush: boolean,
  ) {}

  get base(): Endpoint {
    return this.endpoint!;
  }

  /** Pings `/v2/` on each candidate endpoint until one answers, then authenticates as its challenge asks. */
  connect(signal?: AbortSignal): Promise<void> {
    this.connecting ??= this.ping(signal)
      .then(() => this.authenticate(false, signal))
      .then(
        () => undefined,
        (error: unknown) => {
          this.connecting = undefined;
          throw error;
        },
      );
    return this.connecting;
  }

  /** Finds the endpoint that answers and its challenge, without authenticating yet. */
  ping(signal?: AbortSignal): Promise<void> {
    this.pinging ??= this.probe(signal).catch((error: unknown) => {
      this.pinging = undefined;
      throw error;
    });
    return this.pinging;
  }

  private async probe(signal?: AbortSignal): Promise<void> {
    let lastError: unknown;
    for (const endpoint of this.client.endpoints(this.domain, this.forPush)) {
      let response: IncomingMessage;
      try {
        response = await exchange({ method: 'GET', url: new URL('/v2/', endpoint.url), insecureTls: endpoint.insecure, ...(signal ? { signal } : {}) });
      } catch (error) {
        if ((error as Error).name === 'AbortError') throw error;
        lastError = error;
        continue;
      }
      const body = await readBody(response, MAX_ERROR_BYTES, 'registry answer').catch(() => Buffer.alloc(0));
      if (response.statusCode === 401) {
        this.challenge = parseChallenges(response.headers['www-authenticate']).find((challenge) => challenge.scheme === 'bearer' || challenge.scheme === 'basic');
      } else if (response.statusCode !== 200) {
        lastError = responseError('GET', new URL('/v2/', endpoint.url), response, body);
        if (endpoint.mirror) continue;
        throw lastError;
      }
      this.endpoint = endpoint;
      this.client.remember(this.domain, this.forPush, endpoint);
      return;
    }
    throw lastError instanceof Error ? lastError : new EngineError('unavailable', `registry ${this.domain} did not answer`);
  }

  /** Sets `authorization` as the challenge asks: a bearer token for our scopes, or basic credentials. */
  private async authenticate(offline: boolean, signal?: AbortSignal): Promise<string | undefined> {
    const challenge = this.challenge;
    if (!challenge) return undefined;
    const credentials = this.credentials;
    if (challenge.scheme === 'basic') {
      if (credentials?.username !== undefined && credentials.password !== undefined) {
        this.authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      }
      return undefined;
    }
    if (credentials?.registryToken) {
      this.authorization = `Bearer ${credentials.registryToken}`;
      return undefined;
    }
    const realm = challenge.params.realm;
    if (!realm) throw new EngineError('unavailable', `registry ${this.domain} asked for a bearer token without saying where to get one`);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new EngineError('unavailable', `registry ${this.domain} named an invalid token realm`);
    }
    const form = new URLSearchParams();
    if (challenge.params.service) form.set('service', challenge.params.service);
    for (const scope of this.scopes) form.append('scope', scope);
    let request: { method: string; headers: OutgoingHttpHeaders; body?: Buffer };
    if (credentials?.identityToken) {
      form.set('grant_type', 'refresh_token');
      form.set('refresh_token', credentials.identityToken);
      form.set('client_id', 'berth-engine');
      if (offline) form.set('access_type', 'offline');
      request = { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: Buffer.from(form.toString()) };
    } else {
      if (credentials?.username) form.set('account', credentials.username);
      if (offline) {
        form.set('offline_token', 'true');
        form.set('client_id', 'berth-engine');
      }
      for (const [key, value] of form) url.searchParams.append(key, value);
      const headers: OutgoingHttpHeaders = {};
      if (credentials?.username !== undefined && credentials.password !== undefined) headers.Authorization = `Basic ${Buffer.from(`${credentials.username}:${credentials.password}`).toString('base64')}`;
      request = { method: 'GET', headers };
    }
    const response = await exchange({ ...request, url, insecureTls: this.endpoint?.insecure === true && url.host === this.endpoint.url.host, ...(signal ? { signal } : {}) });
    const body = await readBody(response, MAX_TOKEN_BYTES, 'token server answer');
    if (response.statusCode !== 200) {
      const error = responseError(request.method, url, response, body);
      throw new RegistryError(response.statusCode === 401 || response.statusCode === 403 ? 'unauthorized' : error.kind, error.message, error.status, error.entries, error.words);
    }
    let parsed: { token?: unknown; access_token?: unknown; refresh_token?: unknown };
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      throw new EngineError('unavailable', `token server of ${this.domain} answered something that is not JSON`);
    }
    const token = typeof parsed.token === 'string' && parsed.token ? parsed.token : typeof parsed.access_token === 'string' ? parsed.access_token : '';
    if (!token || token.length > 64 * 1024 || /[\r\n]/.test(token)) throw new EngineError('unavailable', `token server of ${this.domain} answered no usable token`);
    this.authorization = `Bearer ${token}`;
    return typeof parsed.refresh_token === 'string' && parsed.refresh_token ? parsed.refresh_token : undefined;
  }

  async login(): Promise<{ identityToken?: string }> {
    await this.connect();
    if (!this.challenge) return {};
    if (this.challenge.scheme === 'bearer') {
      this.authorization = undefined;
      const refresh = await this.authenticate(true);
      return refresh ? { identityToken: refresh } : {};
    }
    // Basic auth: /v2/ must answer 200 with the credentials.
    const url = new URL('/v2/', this.base.url);
    const response = await this.send({ method: 'GET', url });
    const body = await readBody(response, MAX_ERROR_BYTES, 'registry answer').catch(() => Buffer.alloc(0));
    if (response.statusCode === 401) throw new EngineError('unauthorized', `login attempt to ${url.href} failed with status: 401 Unauthorized`);
    if (response.statusCode !== 200) throw responseError('GET', url, response, body);
    return {};
  }

  /**
   * One request to the registry with our authorization, following redirects (to http or https only; credentials
   * go only to the registry's own host). A 401 on a request whose body can be sent again refreshes the token once.
   */
  async send(request: { method: string; url: URL; headers?: OutgoingHttpHeaders; body?: Buffer | Readable; signal?: AbortSignal }): Promise<IncomingMessage> {
    await this.connect(request.signal);
    let url = request.url;
    for (let hop = 0, retried = false; ; hop++) {
      const own = url.host === this.base.url.host;
      const headers: OutgoingHttpHeaders = { ...request.headers };
      if (own && this.authorization) headers.Authorization = this.authorization;
      const response = await exchange({ method: request.method, url, headers, ...(request.body !== undefined ? { body: request.body } : {}), insecureTls: own && this.base.insecure, ...(request.signal ? { signal: request.signal } : {}) });
      const status = response.statusCode ?? 0;
      if (status === 401 && own && !retried && (request.body === undefined || Buffer.isBuffer(request.body)) && this.challenge?.scheme === 'bearer') {
        response.resume();
        retried = true;
        const fresh = parseChallenges(response.headers['www-authenticate']).find((challenge) => challenge.scheme === 'bearer');
        if (fresh) this.challenge = fresh;
        await this.authenticate(false, request.signal);
        hop--;
        continue;
      }
      if (![301, 302, 303, 307, 308].includes(status) || (request.method !== 'GET' && request.method !== 'HEAD')) return response;
      response.resume();
      if (hop >= MAX_REDIRECTS) throw new EngineError('unavailable', `${describe(request.method, request.url)}: stopped after ${MAX_REDIRECTS} redirects`);
      const location = response.headers.location;
      let next: URL;
      try {
        next = new URL(location ?? '', url);
      } catch {
        throw new EngineError('unavailable', `${describe(request.method, url)}: redirected to an invalid URL`);
      }
      if (next.protocol !== 'http:' && next.protocol !== 'https:') throw new EngineError('unavailable', `${describe(request.method, url)}: refusing a redirect to a ${next.protocol} URL`);
      url = next;
    }
  }

  /** A registry's error answer; a 401 where basic auth was asked and we had nothing to send says so, as dockerd does. */
  error(method: string, url: URL, answer: RegistryAnswer, body: Buffer): RegistryError {
    if (answer.statusCode === 401 && this.challenge?.scheme === 'basic' && !this.authorization) return new RegistryError('unauthorized', `${describe(method, url)}: no basic auth credentials`, 401, [], 'no basic auth credentials');
    return responseError(method, url, answer, body);
  }

  /** A URL on the endpoint that answered (connecting first). */
  async url(path: string, signal?: AbortSignal): Promise<URL> {
    await this.connect(signal);
    return new URL(path, this.base.url);
  }
}

/** A repository of a registry (`127.0.0.1:5000` + `team/app`), with the calls of a pull and a push. */
export class Repository {
  private readonly session: Session;

  constructor(
    client: RegistryClient,
    readonly domain: string,
    readonly path: string,
    credentials: RegistryCredentials | undefined,
    actions: readonly Action[],
    mountFrom: readonly string[],
  ) {
    const scopes = [`repository:${path}:${actions.join(',')}`, ...mountFrom.filter((from) => from !== path).map((from) => `repository:${from}:pull`)];
    this.session = new Session(client, domain, credentials, scopes, actions.includes('push'));
  }

  connect(signal?: AbortSignal): Promise<void> {
    return this.session.connect(signal);
  }

  /** Reaches the registry (its /v2/ answers), authenticating only with the first call that needs it. */
  ping(signal?: AbortSignal): Promise<void> {
    return this.session.ping(signal);
  }

  /** The manifest (or index) a tag or digest names, capped and hashed. */
  async manifest(reference: string, signal?: AbortSignal): Promise<FetchedManifest> {
    const url = await this.session.url(`/v2/${this.path}/manifests/${reference}`, signal);
    const response = await this.session.send({ method: 'GET', url, headers: { Accept: MANIFEST_TYPES.join(', ') }, ...(signal ? { signal } : {}) });
    if (response.statusCode !== 200) throw this.session.error('GET', url, response, await readBody(response, MAX_ERROR_BYTES, 'registry answer').catch(() => Buffer.alloc(0)));
    const bytes = await readBody(response, MAX_MANIFEST_BYTES, `manifest ${reference}`);
    const mediaType = String(response.headers['content-type'] ?? '').split(';')[0]!.trim();
    return { bytes, mediaType, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
  }

  /** A blob's bytes as a stream (redirects followed); a declared length above `maxSize` is refused up front. */
  async blob(digest: string, maxSize: number, signal?: AbortSignal): Promise<IncomingMessage> {
    const url = await this.session.url(`/v2/${this.path}/blobs/${digest}`, signal);
    const response = await this.session.send({ method: 'GET', url, ...(signal ? { signal } : {}) });
    if (response.statusCode !== 200) throw this.session.error('GET', url, response, await readBody(response, MAX_ERROR_BYTES, 'registry answer').catch(() => Buffer.alloc(0)));
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > maxSize) {
      response.destroy();
      throw new EngineError('invalid', `blob ${digest} is ${declared} bytes, more than the ${maxSize} its descriptor says`);
    }
    return response;
  }

  /**
   * A layer blob's bytes, its connection picked up again when it drops mid-way (at most BLOB_ATTEMPTS connections):
   * from where it stopped when the registry answers a Range with 206, else from the start with what arrived already
   * skipped. The caller verifies the digest of the whole, so a registry that changed its mind meanwhile is caught.
   */
  async resumableBlob(digest: string, maxSize: number, signal?: AbortSignal): Promise<Readable> {
    const first = await this.blob(digest, maxSize, signal);
    const out = new PassThrough({ highWaterMark: 1 << 20 });
    let received = 0;
    let response: IncomingMessage | undefined = first;
    // The reader gone (the store failed or was aborted), the download stops too.
    out.once('close', () => response?.destroy());
    const pump = async (): Promise<void> => {
      let skip = 0;
      for (let attempt = 1; ; attempt++) {
        try {
          if (!response) {
            const url = await this.session.url(`/v2/${this.path}/blobs/${digest}`, signal);
            response = await this.session.send({ method: 'GET', url, headers: { Range: `bytes=${received}-` }, ...(signal ? { signal } : {}) });
            const start = /^bytes (\d+)-/.exec(String(response.headers['content-range'] ?? ''));
            if (response.statusCode === 206 && start && Number(start[1]) === received) skip = 0;
            else if (response.statusCode === 200) skip = received;
            else throw this.session.error('GET', url, response, await readBody(response, MAX_ERROR_BYTES, 'registry answer').catch(() => Buffer.alloc(0)));
          }
          for await (const chunk of response) {
            let data = chunk as Buffer;
            if (skip > 0) {
              const cut = Math.min(skip, data.length);
              skip -= cut;
              data = data.subarray(cut);
            }
            if (data.length === 0) continue;
            if (out.destroyed) return;
            received += data.length;
            if (!out.write(data)) await new Promise((resolve) => (out.once('drain', resolve), out.once('close', resolve)));
          }
          out.end();
          return;
        } catch (error) {
          if (out.destroyed) return;
          if (signal?.aborted || attempt >= BLOB_ATTEMPTS || !droppedConnection(error)) throw error;
          response?.destroy();
          response = undefined;
          await new Promise((resolve) => setTimeout(resolve, 200 * attempt));
        }
      }
    };
    pump().catch((error: unknown) => out.destroy(error as Error));
    return out;
  }

  /** A small blob (an image config) read whole and checked against its digest. */
  async smallBlob(digest: string, limit: number, signal?: AbortSignal): Promise<Buffer> {
    const response = await this.blob(digest, limit, signal);
    const bytes = await readBody(response, limit, `blob ${digest}`);
    const algorithm = digest.slice(0, digest.indexOf(':'));
    if (`${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}` !== digest) throw new EngineError('invalid', `blob ${digest}: the content does not match its digest`);
    return bytes;
  }

  /** The size of a blob this repository has (HEAD), or undefined when it has none. */
  async blobSize(digest: string, signal?: AbortSignal): Promise<number | undefined> {
    const url = await this.session.url(`/v2/${this.path}/blobs/${digest}`, signal);
    const response = await this.session.send({ method: 'HEAD', url, ...(signal ? { signal } : {}) });
    response.resume();
    if (response.statusCode === 404) return undefined;
    if (response.statusCode !== 200) throw this.session.error('HEAD', url, response, Buffer.alloc(0));
    const size = Number(response.headers['content-length']);
    if (!Number.isSafeInteger(size) || size < 0) throw new EngineError('unavailable', `registry ${this.domain} did not say the size of blob ${digest}`);
    return size;
  }

  /** Mounts a blob another repository of the same registry has; false when the registry starts an upload instead. */
  async mount(digest: string, from: string, signal?: AbortSignal): Promise<boolean> {
    const url = await this.session.url(`/v2/${this.path}/blobs/uploads/?mount=${encodeURIComponent(digest)}&from=${encodeURIComponent(from)}`, signal);
    const response = await this.session.send({ method: 'POST', url, headers: { 'Content-Length': 0 }, body: Buffer.alloc(0), ...(signal ? { signal } : {}) });
    const body = await readBody(response, MAX_ERROR_BYTES, 'registry answer').catch(() => Buffer.alloc(0));
    if (response.statusCode === 201) return true;
    if (response.statusCode === 202) {
      // An upload was started instead: cancelled, the blob is sent the ordinary way.
      const location = response.headers.location;
      if (location) await this.session.send({ method: 'DELETE', url: new URL(location, url), ...(signal ? { signal } : {}) }).then((r) => r.resume(), () => undefined);
      return false;
    }
    throw this.session.error('POST', url, response, body);
  }

  /**
   * Uploads a blob: monolithic (one PUT) when its bytes are in hand, else streamed in one PATCH whose digest is
   * known only at the end (`digestOf` is asked after the stream ended), then closed with a PUT. A stream is opened
   * only once the registry has started the upload.
   */
  async upload(content: Buffer | (() => { stream: Readable; digestOf: () => string }), signal?: AbortSignal): Promise<string> {
    const start = await this.session.url(`/v2/${this.path}/blobs/uploads/`, signal);
    const started = await this.session.send({ method: 'POST', url: start, headers: { 'Content-Length': 0 }, body: Buffer.alloc(0), ...(signal ? { signal } : {}) });
    const startBody = await readBody(started, MAX_ERROR_BYTES, 'registry answer').catch(() => Buffer.alloc(0));
    if (started.statusCode !== 202 || !started.headers.location) throw this.session.error('POST', start, started, startBody);
    let location = new URL(started.headers.location, start);
    let digest: string;
    let body: Buffer | undefined;
    if (Buffer.isBuffer(content)) {
      digest = `sha256:${createHash('sha256').update(content).digest('hex')}`;
      body = content;
    } else {
      const opened = content();
      const patched = await this.session.send({ method: 'PATCH', url: location, headers: { 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' }, body: opened.stream, ...(signal ? { signal } : {}) });
      const patchBody = await readBody(patched, MAX_ERROR_BYTES, 'registry answer').catch(() => Buffer.alloc(0));
      if (patched.statusCode !== 202) throw this.session.error('PATCH', location, patched, patchBody);
      if (patched.headers.location) location = new URL(patched.headers.location, location);
      digest = opened.digestOf();
    }
    location.searchParams.set('digest', digest);
    const put = await this.session.send({
      method: 'PUT',
      url: location,
      headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': body?.length ?? 0 },
      body: body ?? Buffer.alloc(0),
      ...(signal ? { signal } : {}),
    });
    const putBody = await readBody(put, MAX_ERROR_BYTES, 'registry answer').catch(() => Buffer.alloc(0));
    if (put.statusCode !== 201) throw this.session.error('PUT', location, put, putBody);
    return digest;
  }

  async putManifest(reference: string, bytes: Buffer, mediaType: string, signal?: AbortSignal): Promise<void> {
    const url = await this.session.url(`/v2/${this.path}/manifests/${reference}`, signal);
    const response = await this.session.send({ method: 'PUT', url, headers: { 'Content-Type': mediaType, 'Content-Length': bytes.length }, body: bytes, ...(signal ? { signal } : {}) });
    const body = await readBody(response, MAX_ERROR_BYTES, 'registry answer').catch(() => Buffer.alloc(0));
    if (response.statusCode !== 201 && response.statusCode !== 200) throw this.session.error('PUT', url, response, body);
  }

  /** Every tag of the repository (`docker pull --all-tags`), pages followed, at most 10,000. */
  async tags(signal?: AbortSignal): Promise<string[]> {
    const tags: string[] = [];
    let url: URL | undefined = await this.session.url(`/v2/${this.path}/tags/list`, signal);
    while (url && tags.length < 10_000) {
      const response = await this.session.send({ method: 'GET', url, ...(signal ? { signal } : {}) });
      const body = await readBody(response, MAX_MANIFEST_BYTES, 'tag list');
      if (response.statusCode !== 200) throw this.session.error('GET', url, response, body);
      let parsed: { tags?: unknown };
      try {
        parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
      } catch {
        throw new EngineError('unavailable', `registry ${this.domain} answered a tag list that is not JSON`);
      }
      if (Array.isArray(parsed.tags)) tags.push(...parsed.tags.filter((tag): tag is string => typeof tag === 'string' && /^[\w][\w.-]{0,127}$/.test(tag)));
      const link = /<([^>]+)>;\s*rel="?next"?/.exec(String(response.headers.link ?? ''));
      url = link ? new URL(link[1]!, url) : undefined;
      if (url && url.host !== this.session.base.url.host) url = undefined;
    }
    return tags;
  }
}

/** What an error answer is judged by: its status and headers (a bearer challenge may say why it refused). */
export type RegistryAnswer = Pick<IncomingMessage, 'statusCode' | 'headers'>;

/**
 * A registry's error answer as dockerd reports it: `<code in words>: <message>` from the `errors` body (e.g.
 * `manifest unknown: manifest unknown`), else the status; the kind follows the status. A 401 whose bearer challenge
 * says `insufficient_scope` (a token without the access asked for) is a `denied`, as the distribution client
 * dockerd uses reads it (RFC 6750's error codes).
 */
export function responseError(method: string, url: URL, answer: RegistryAnswer, body: Buffer): RegistryError {
  const status = answer.statusCode ?? 0;
  const challenged = challengeEntries(answer);
  const entries = challenged.length > 0 ? challenged : errorEntries(body);
  const kind: EngineError['kind'] = status === 401 ? 'unauthorized' : status === 403 ? 'forbidden' : status === 404 ? 'not-found' : status === 400 ? 'invalid' : 'unavailable';
  let text: string;
  if (entries.length > 0) text = entries.map((entry) => `${entry.code.toLowerCase().replace(/_/g, ' ')}: ${entry.message}`).join(', ');
  else {
    const plain = body.toString('utf8').replace(/[^\x20-\x7e]/g, ' ').trim().slice(0, 200);
    text = status === 401 ? 'unauthorized: authentication required' : plain && !plain.startsWith('<') ? `${plain} (status ${status})` : `unexpected status ${status}`;
  }
  return new RegistryError(kind, `${describe(method, url)}: ${text}`, status, entries, text);
}

/** The error a 401's bearer challenge names (`error="insufficient_scope"`): it says more than the body's. */
function challengeEntries(answer: RegistryAnswer): RegistryErrorEntry[] {
  if (answer.statusCode !== 401) return [];
  const bearer = parseChallenges(answer.headers?.['www-authenticate']).find((challenge) => challenge.scheme === 'bearer');
  const description = bearer?.params.error_description?.slice(0, 500);
  if (bearer?.params.error === 'insufficient_scope') return [{ code: 'DENIED', message: description || 'requested access to the resource is denied' }];
  if (bearer?.params.error === 'invalid_token') return [{ code: 'UNAUTHORIZED', message: description || 'authentication required' }];
  return [];
}

function errorEntries(body: Buffer): RegistryErrorEntry[] {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { errors?: unknown; details?: unknown };
    if (Array.isArray(parsed.errors)) {
      return parsed.errors
        .filter((entry): entry is { code?: unknown; message?: unknown } => typeof entry === 'object' && entry !== null)
        .slice(0, 5)
        .map((entry) => ({ code: typeof entry.code === 'string' ? entry.code.slice(0, 64) : 'UNKNOWN', message: typeof entry.message === 'string' ? entry.message.slice(0, 500) : '' }));
    }
    if (typeof parsed.details === 'string') return [{ code: 'UNAUTHORIZED', message: parsed.details.slice(0, 500) }];
  } catch {
    // not JSON: the status speaks
  }
  return [];
}
