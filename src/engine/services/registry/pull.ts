// A pull: the manifest a reference names (the platform's entry of an index), its config, then its layers fetched
// side by side (bounded) and unpacked as they arrive, each verified against its digest as it streams; layers the
// store has are skipped. The image is stored only when every layer is in: a failed or aborted pull leaves no image
// and no partial layer. `resolve` does everything that can fail before the first progress line, so that a client
// gets a plain error status for an unknown image, as from dockerd.
import { createHash } from 'node:crypto';
import { EngineError, invalid } from '../../errors.js';
import type { ImageRecord, ImageService } from '../images.js';
import { parseImageConfig } from '../images.js';
import type { RegistryCredentials } from './auth.js';
import type { RegistryClient, Repository } from './client.js';
import { RegistryError } from './client.js';
import type { Descriptor, ImageManifest, Platform } from './manifest.js';
import { formatPlatform, layerCompression, parseManifest, selectPlatform } from './manifest.js';
import type { Progress } from './progress.js';
import { limiter, shortId, throttled } from './progress.js';
import type { ImageReference } from './reference.js';
import { canonical, familiarName, familiarReference, parseReference, repositoryName, withDefaultTag } from './reference.js';

/** Image configs larger than this are refused. */
const MAX_CONFIG_BYTES = 16 * 1024 * 1024;
export const ENGINE_PLATFORM: Platform = { os: 'linux', architecture: 'amd64' };

export interface PullRequest {
  /** With a tag or a digest; with neither, every tag of the repository is pulled (`docker pull --all-tags`). */
  readonly reference: ImageReference;
  readonly platform?: Platform;
  readonly credentials?: RegistryCredentials;
  readonly signal?: AbortSignal;
}

/** A pull whose manifest and config are in hand, ready to fetch its layers. */
export interface ResolvedPull {
  readonly reference: ImageReference;
  readonly repository: Repository;
  /** The digest of what the reference named (an index's own digest, for a multi-platform image). */
  readonly digest: string;
  readonly manifest: ImageManifest;
  readonly config: Buffer;
  readonly diffIds: readonly string[];
}

export interface PullEvents {
  emit(action: string, id: string, attributes: Record<string, string>): void;
}

export class PullService {
  constructor(
    private readonly images: ImageService,
    private readonly client: RegistryClient,
    private readonly events: PullEvents,
  ) {}

  /** Every pull of the request, resolved: one for a tag or digest, one per tag for a name alone. */
  async resolve(request: PullRequest): Promise<ResolvedPull[]> {
    const { reference, credentials, signal } = request;
    const repository = this.client.repository(reference.domain, reference.path, credentials, ['pull']);
    const wanted = request.platform ?? ENGINE_PLATFORM;
    try {
      if (reference.tag === undefined && reference.digest === undefined) {
        const tags = await repository.tags(signal);
        if (tags.length === 0) throw new EngineError('not-found', `repository ${familiarName(repositoryName(reference))} has no tags`);
        const resolved: ResolvedPull[] = [];
        for (const tag of tags) resolved.push(await this.resolveOne(repository, { ...reference, tag }, wanted, request.platform !== undefined, signal));
        return resolved;
      }
      return [await this.resolveOne(repository, reference, wanted, request.platform !== undefined, signal)];
    } catch (error) {
      throw translatePullError(error, reference, hasSecret(credentials));
    }
  }

  /** A pull for the builder (FROM, COPY --from): the credentials of the image's registry, status lines as text. */
  async pullImage(name: string, credentials: ReadonlyMap<string, RegistryCredentials>, out: (text: string) => void): Promise<ImageRecord> {
    const reference = withDefaultTag(parseReference(name));
    const registryCredentials = credentials.get(reference.domain);
    const [resolved] = await this.resolve({ reference, ...(registryCredentials ? { credentials: registryCredentials } : {}) });
    const shown = familiarReference(reference);
    const result = await this.pull(resolved!, (message) => {
      if (message.id === undefined || message.plain) out(`${message.id && message.plain ? `${message.id}: ` : ''}${message.status}\n`);
    });
    out(`Status: ${result.upToDate ? 'Image is up to date' : 'Downloaded newer image'} for ${shown}\n`);
    return this.images.resolve(result.id);
  }

  /**
   * `GET /distribution/{name}/json`: the descriptor of what the reference names in the registry, and the platforms
   * it offers (an index's entries, or a manifest's config).
   */
  async describe(reference: ImageReference, credentials: RegistryCredentials | undefined): Promise<{ descriptor: { mediaType: string; digest: string; size: number }; platforms: Platform[] }> {
    const repository = this.client.repository(reference.domain, reference.path, credentials, ['pull']);
    try {
      const fetched = await repository.manifest(reference.digest ?? reference.tag ?? 'latest');
      if (reference.digest) checkDigest(fetched.bytes, reference.digest);
      const parsed = parseManifest(fetched);
      const descriptor = { mediaType: parsed.mediaType, digest: fetched.digest, size: fetched.bytes.length };
      if (parsed.kind === 'index') return { descriptor, platforms: parsed.manifests.flatMap((entry) => (entry.platform ? [entry.platform] : [])) };
      const image = parseImageConfig(await repository.smallBlob(parsed.config.digest, Math.min(parsed.config.size, MAX_CONFIG_BYTES)));
      return { descriptor, platforms: [{ architecture: image.architecture ?? '', os: image.os ?? '', ...(image.variant ? { variant: image.variant } : {}) }] };
    } catch (error) {
      throw translatePullError(error, reference, hasSecret(credentials));
    }
  }

  private async resolveOne(repository: Repository, reference: ImageReference, wanted: Platform, explicit: boolean, signal?: AbortSignal): Promise<ResolvedPull> {
    const fetched = await repository.manifest(reference.digest ?? reference.tag!, signal);
    if (reference.digest) checkDigest(fetched.bytes, reference.digest);
    let parsed = parseManifest(fetched);
    if (parsed.kind === 'index') {
      const entry = selectPlatform(parsed, wanted);
      const inner = await repository.manifest(entry.digest, signal);
      checkDigest(inner.bytes, entry.digest);
      parsed = parseManifest(inner);
      if (parsed.kind !== 'manifest') throw new EngineError('unavailable', `image index ${fetched.digest} names another index for ${formatPlatform(wanted)}`);
    }
    if (parsed.config.size > MAX_CONFIG_BYTES) throw new EngineError('unsupported', `image config of ${parsed.config.size} bytes is larger than berth's engine takes`);
    const config = await repository.smallBlob(parsed.config.digest, parsed.config.size, signal);
    const image = parseImageConfig(config);
    const diffIds = image.rootfs.diff_ids;
    if (diffIds.length !== parsed.layers.length) throw new EngineError('unavailable', `manifest ${fetched.digest} lists ${parsed.layers.length} layers, its config ${diffIds.length}`);
    const os = image.os ?? wanted.os;
    const architecture = image.architecture ?? wanted.architecture;
    if (os !== wanted.os || architecture !== wanted.architecture) {
      const actual = formatPlatform({ os, architecture, ...(image.variant ? { variant: image.variant } : {}) });
      throw new EngineError(
        'not-found',
        explicit
          ? `image with reference ${familiarReference(reference)} was found but does not match the specified platform: wanted ${formatPlatform(wanted)}, actual: ${actual}`
          : `image ${familiarReference(reference)} is for ${actual} only; berth's engine runs ${formatPlatform(ENGINE_PLATFORM)} images`,
      );
    }
    return { reference, repository, digest: fetched.digest, manifest: parsed, config, diffIds };
  }

  /**
   * Fetches what the store lacks and stores the image; reports progress as dockerd does. The answer: whether the
   * reference already named this very image (`Image is up to date`).
   */
  async pull(resolved: ResolvedPull, progress: Progress, signal?: AbortSignal): Promise<{ id: string; upToDate: boolean }> {
    const { reference, manifest, diffIds } = resolved;
    const id = `sha256:${createHash('sha256').update(resolved.config).digest('hex')}`;
    const name = repositoryName(reference);
    const digestReference = `${name}@${resolved.digest}`;
    const before = this.images.tryResolve(canonical(reference))?.id;
    progress({ status: `Pulling from ${reference.path}`, id: reference.digest ? familiarName(canonical(reference)) : reference.tag!, plain: true });
    const missing: number[] = [];
    // An image the store has whole needs no layer lines at all (dockerd says nothing of them either).
    const whole = this.images.tryResolve(id) !== undefined;
    for (const [index, layer] of manifest.layers.entries()) {
      if (whole) break;
      if (this.images.layers.has(diffIds[index]!)) progress({ status: 'Already exists', id: shortId(layer.digest) });
      else {
        progress({ status: 'Pulling fs layer', id: shortId(layer.digest) });
        missing.push(index);
      }
    }
    const limit = this.client.options.maxConcurrentDownloads;
    for (const index of missing.slice(limit)) progress({ status: 'Waiting', id: shortId(manifest.layers[index]!.digest) });
    // One layer failing stops the others: their partial files go, nothing is stored.
    const controller = new AbortController();
    const stop = (): void => controller.abort();
    signal?.addEventListener('abort', stop, { once: true });
    const run = limiter(limit);
    try {
      const results = await Promise.allSettled(
        missing.map((index) =>
          run(async () => {
            if (controller.signal.aborted) throw new EngineError('invalid', 'pull aborted');
            await this.fetchLayer(resolved.repository, name, manifest.layers[index]!, diffIds[index]!, progress, controller.signal);
          }).catch((error: unknown) => {
            controller.abort();
            throw error;
          }),
        ),
      );
      const failed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
      if (failed) throw signal?.aborted ? new EngineError('invalid', 'pull aborted: the client went away') : failed.reason;
    } finally {
      signal?.removeEventListener('abort', stop);
    }
    this.images.storeImageConfig(resolved.config, reference.tag !== undefined ? [canonical({ domain: reference.domain, path: reference.path, tag: reference.tag })] : [], [digestReference]);
    // dockerd 20.10 leaves LastTagTime at year 1 after a pull; compose's pull_policy daily/weekly/every_ reads it, so
    // a pull that tags records the time, as a `docker tag` does.
    if (reference.tag !== undefined) this.images.recordTagTime(id);
    this.events.emit('pull', id, { name: familiarReference(reference) });
    progress({ status: `Digest: ${resolved.digest}` });
    return { id, upToDate: before === id };
  }

  private async fetchLayer(repository: Repository, name: string, layer: Descriptor, diffId: string, progress: Progress, signal: AbortSignal): Promise<void> {
    const id = shortId(layer.digest);
    const compression = layerCompression(layer.mediaType);
    const response = await repository.resumableBlob(layer.digest, layer.size, signal);
    const report = throttled(progress, 'Downloading', id, layer.size);
    await this.images.layers.storeFromStream(response, { digest: layer.digest, size: layer.size, diffId, compression }, { signal, onBytes: report, source: { digest: layer.digest, repository: name } });
    progress({ status: 'Verifying Checksum', id });
    progress({ status: 'Download complete', id });
    progress({ status: 'Extracting', id, progress: { current: layer.size, total: layer.size } });
    progress({ status: 'Pull complete', id });
  }
}

/** Whether the client sent something to authenticate with (an address alone is anonymous). */
function hasSecret(credentials: RegistryCredentials | undefined): boolean {
  return credentials?.username !== undefined || credentials?.identityToken !== undefined || credentials?.registryToken !== undefined;
}

function checkDigest(bytes: Buffer, digest: string): void {
  const algorithm = digest.slice(0, digest.indexOf(':'));
  if (!['sha256', 'sha384', 'sha512'].includes(algorithm)) throw invalid(`unsupported digest algorithm: ${algorithm}`);
  const actual = `${algorithm}:${createHash(algorithm).update(bytes).digest('hex')}`;
  if (actual !== digest) throw new EngineError('unavailable', `manifest verification failed for digest ${digest}`);
}

/**
 * Registry errors in a pull, worded as dockerd words them (`manifest for X not found: ...`, `pull access denied ...`).
 * A registry's 401 is answered as dockerd 20.10 answers it: 500 with the registry's words (wrong credentials, or
 * none where basic auth is asked), or, for anonymous users of a token registry, the 404 `pull access denied`. Never
 * a 401: that would make the docker CLI prompt for a login, which dockerd never makes it do for a pull.
 */
export function translatePullError(error: unknown, reference: ImageReference, withCredentials: boolean): unknown {
  if (!(error instanceof RegistryError)) return error;
  if (error.kind === 'unauthorized') {
    if (withCredentials || /no basic auth credentials/.test(error.message)) return new EngineError('internal', error.message);
    const cause = error.entries[0] ? `${error.entries[0].code.toLowerCase().replace(/_/g, ' ')}: ${error.entries[0].message}` : 'unauthorized: authentication required';
    return new EngineError('not-found', `pull access denied for ${familiarName(repositoryName(reference))}, repository does not exist or may require 'docker login': ${cause}`);
  }
  const cause = error.entries[0] ? `${error.entries[0].code.toLowerCase().replace(/_/g, ' ')}: ${error.entries[0].message}` : error.message;
  switch (error.code) {
    case 'MANIFEST_UNKNOWN':
      return new EngineError('not-found', `manifest for ${familiarReference(reference)} not found: ${cause}`);
    case 'NAME_UNKNOWN':
      return new EngineError('not-found', `repository ${familiarName(repositoryName(reference))} not found: ${cause}`);
    case 'DENIED':
      return new EngineError('not-found', `pull access denied for ${familiarName(repositoryName(reference))}, repository does not exist or may require 'docker login': ${cause}`);
    default:
      if (error.status === 404 && error.entries.length === 0) return new EngineError('not-found', `manifest for ${familiarReference(reference)} not found: manifest unknown: manifest unknown`);
      return error;
  }
}
