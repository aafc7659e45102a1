// Images over the Engine API: inspect, remove, pull and push (with the registry's credentials), and build from a
// tar context.
import type { Readable } from 'node:stream';
import { BerthError } from '../model/errors.js';
import { encodeAuth, encodeAuthMap } from './credentials.js';
import type { Credentials } from './credentials.js';
import { statusOf } from './transport.js';
import type { Transport } from './transport.js';

export interface ImageDetails {
  readonly id: string;
  readonly repoTags: readonly string[];
  /** Targets the image declares with VOLUME. */
  readonly volumes: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  /** When the engine last gave it a tag, by pull, build or tag (ms); absent when it never recorded one. */
  readonly lastTagTime?: number;
}

/** One progress message of a pull or push, as the engine streams it (dockerd's JSON messages). */
export interface RegistryProgress {
  /** The layer (short digest) or the tag the message is about; absent for the image-wide lines. */
  readonly id?: string;
  /** `Pulling fs layer`, `Downloading`, `Pull complete`, `Pushed`, `Digest: sha256:...`, ... */
  readonly status: string;
  /** Whether the message carried progressDetail: compose shows a layer's line only for those. */
  readonly hasDetail: boolean;
  readonly current?: number;
  readonly total?: number;
}

export interface TransferOptions {
  /** `linux/amd64`: the platform to pull. */
  readonly platform?: string;
  readonly onProgress?: (message: RegistryProgress) => void;
}

export interface BuildRequest {
  readonly context: Readable;
  readonly tag: readonly string[];
  readonly dockerfile?: string;
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly noCache?: boolean;
  readonly pull?: boolean;
  readonly network?: string;
  readonly shmSize?: number;
  readonly extraHosts?: readonly string[];
  readonly ulimits?: ReadonlyArray<{ Name: string; Soft: number; Hard: number }>;
  readonly cacheFrom?: readonly string[];
  readonly platform?: string;
  readonly onOutput?: (line: string) => void;
}

export interface Images {
  inspect(reference: string): Promise<ImageDetails | undefined>;
  remove(reference: string, options?: { force?: boolean; noprune?: boolean }): Promise<void>;
  /** Pulls from the registry the name says, with this user's credentials for it (a failure in the stream is thrown). */
  pull(reference: string, options?: TransferOptions): Promise<void>;
  /** Pushes the image to the registry its name says, with this user's credentials for it. */
  push(reference: string, options?: TransferOptions): Promise<void>;
  build(request: BuildRequest): Promise<string>;
  list(filters: Readonly<Record<string, readonly string[]>>): Promise<Array<{ id: string; repoTags: string[]; labels: Record<string, string> }>>;
}

interface RawImage {
  Id: string;
  RepoTags?: string[] | null;
  Config?: { Volumes?: Record<string, unknown> | null; Labels?: Record<string, string> | null } | null;
  Metadata?: { LastTagTime?: string | null } | null;
}

export function images(transport: Transport, credentials: Credentials): Images {
  const { request } = transport;
  return {
    async inspect(reference) {
      try {
        const raw = await request<RawImage>('GET', `/images/${encodeURIComponent(reference)}/json`);
        return {
          id: raw.Id,
          repoTags: raw.RepoTags ?? [],
          volumes: Object.keys(raw.Config?.Volumes ?? {}),
          labels: raw.Config?.Labels ?? {},
          ...lastTagTime(raw.Metadata?.LastTagTime),
        };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async remove(reference, options = {}) {
      await request('DELETE', `/images/${encodeURIComponent(reference)}`, { query: { force: options.force, noprune: options.noprune } });
    },
    async pull(reference, options = {}) {
      const [fromImage, tag] = splitTag(reference);
      const auth = encodeAuth(await credentials.authFor(reference));
      const stream = await transport.stream('POST', '/images/create', { query: { fromImage, tag, platform: options.platform }, headers: { 'X-Registry-Auth': auth } });
      await readJsonLines(stream, (message) => relayProgress(message, options.onProgress));
    },
    async push(reference, options = {}) {
      const [name, tag] = splitTag(reference);
      // The engine requires the header even for an anonymous push ({} then).
      const auth = encodeAuth(await credentials.authFor(reference));
      const stream = await transport.stream('POST', `/images/${encodeURIComponent(name)}/push`, { query: { tag }, headers: { 'X-Registry-Auth': auth } });
      await readJsonLines(stream, (message) => relayProgress(message, options.onProgress));
    },
    async build(build) {
      // A context stream that fails (a file gone while it is read) must end the request: the modem only pipes it,
      // and the engine would wait for the rest of the body for ever.
      const aborter = new AbortController();
      let contextError: Error | undefined;
      build.context.once('error', (error: Error) => {
        contextError = error;
        aborter.abort();
      });
      try {
        return await sendBuild(build, aborter.signal);
      } catch (error) {
        throw contextError ?? error;
      }
    },
    async list(filters) {
      const raw = await request<Array<{ Id: string; RepoTags?: string[] | null; Labels?: Record<string, string> | null }>>('GET', '/images/json', {
        query: { filters: JSON.stringify(filters) },
      });
      return raw.map((image) => ({ id: image.Id, repoTags: image.RepoTags ?? [], labels: image.Labels ?? {} }));
    },
  };

  async function sendBuild(build: BuildRequest, signal: AbortSignal): Promise<string> {
    const stream = await transport.stream('POST', '/build', {
      signal,
      query: {
        t: build.tag.length > 0 ? build.tag[0] : undefined,
        dockerfile: build.dockerfile,
        buildargs: build.buildArgs ? JSON.stringify(build.buildArgs) : undefined,
        labels: build.labels ? JSON.stringify(build.labels) : undefined,
        target: build.target,
        nocache: build.noCache,
        pull: build.pull,
        networkmode: build.network,
        shmsize: build.shmSize,
        extrahosts: build.extraHosts?.join(','),
        ulimits: build.ulimits?.length ? JSON.stringify(build.ulimits) : undefined,
        cachefrom: build.cacheFrom ? JSON.stringify(build.cacheFrom) : undefined,
        platform: build.platform,
        rm: true,
        forcerm: true,
      },
      upload: build.context,
      // Every registry this user has credentials for, as the docker CLI sends them: a FROM may name any.
      // Like the docker CLI, a build goes on without them when they cannot be read.
      headers: { 'X-Registry-Config': encodeAuthMap(await credentials.all().catch(() => ({}))) },
    });
    let id = '';
    await readJsonLines(stream, (message) => {
      if (typeof message.error === 'string') throw new BerthError(`build failed: ${message.error.trim()}`, { kind: 'engine' });
      if (typeof message.stream === 'string') build.onOutput?.(message.stream);
      const aux = message.aux as { ID?: string } | undefined;
      if (aux?.ID) id = aux.ID;
    });
    for (const tag of build.tag.slice(1)) {
      const [repo, name] = splitTag(tag);
      await request('POST', `/images/${encodeURIComponent(id || build.tag[0]!)}/tag`, { query: { repo, tag: name }, accept: [201] });
    }
    return id;
  }
}

/** `registry:5000/a/b:tag` -> [`registry:5000/a/b`, `tag`]; a digest reference keeps its digest as the tag. */
export function splitTag(reference: string): [string, string] {
  const at = reference.indexOf('@');
  if (at >= 0) return [reference.slice(0, at), reference.slice(at + 1)];
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  return colon > slash ? [reference.slice(0, colon), reference.slice(colon + 1)] : [reference, 'latest'];
}

/** A message of a pull or push stream: an error in it is thrown, anything else goes to the listener as data. */
function relayProgress(message: Record<string, unknown>, onProgress: ((message: RegistryProgress) => void) | undefined): void {
  if (typeof message.error === 'string') throw new BerthError(message.error, { kind: 'engine' });
  if (typeof message.status !== 'string' || !onProgress) return;
  const detail = message.progressDetail as { current?: unknown; total?: unknown } | undefined;
  const hasDetail = typeof detail === 'object' && detail !== null;
  onProgress({
    status: message.status,
    hasDetail,
    ...(typeof message.id === 'string' && message.id !== '' ? { id: message.id } : {}),
    ...(hasDetail && typeof detail.current === 'number' ? { current: detail.current } : {}),
    ...(hasDetail && typeof detail.total === 'number' ? { total: detail.total } : {}),
  });
}

/** LastTagTime (RFC 3339) as ms, left out when missing or Go's zero time (year 1: never recorded). */
function lastTagTime(value: string | null | undefined): { lastTagTime?: number } {
  const ms = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(ms) || ms <= 0 ? {} : { lastTagTime: ms };
}

/** The engine streams progress as JSON objects, one per line (or glued together). */
async function readJsonLines(stream: NodeJS.ReadableStream, onMessage: (message: Record<string, unknown>) => void): Promise<void> {
  let buffer = '';
  for await (const chunk of stream) {
    buffer += chunk.toString();
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).trim();
      buffer = buffer.slice(newline + 1);
      if (line !== '') onMessage(JSON.parse(line) as Record<string, unknown>);
    }
  }
  if (buffer.trim() !== '') onMessage(JSON.parse(buffer) as Record<string, unknown>);
}
