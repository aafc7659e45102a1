// A push: for each tag, every layer the registry lacks is sent (gzipped as it streams, in one PATCH whose digest is
// known at the end), a layer the repository has is skipped after a HEAD, one another repository of the registry has
// is mounted from it; then the config (one PUT) and a schema2 manifest. Progress and the final digest line as
// dockerd reports them.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { Transform } from 'node:stream';
import type { Readable, TransformCallback } from 'node:stream';
import { createGzip } from 'node:zlib';
import { EngineError, notFound } from '../../errors.js';
import type { ImageService } from '../images.js';
import type { RegistryCredentials } from './auth.js';
import type { RegistryClient, Repository } from './client.js';
import { RegistryError } from './client.js';
import { MEDIA } from './manifest.js';
import type { Progress } from './progress.js';
import { limiter, shortId, throttled } from './progress.js';
import type { ImageReference } from './reference.js';
import { canonical, familiarName, parseReference, repositoryName } from './reference.js';

export interface PushRequest {
  /** With a tag: that tag; without: every tag the engine has of the repository. */
  readonly reference: ImageReference;
  readonly credentials?: RegistryCredentials;
  readonly signal?: AbortSignal;
}

interface PushedBlob {
  readonly digest: string;
  readonly size: number;
}

export class PushService {
  constructor(
    private readonly images: ImageService,
    private readonly client: RegistryClient,
    private readonly events: { emit(action: string, id: string, attributes: Record<string, string>): void },
  ) {}

  /**
   * The tags a push sends, checked before anything is sent. As dockerd: a repository the engine has no tag of is
   * named without a tag; an unknown tag of one it has, with it.
   */
  tagsToPush(reference: ImageReference): string[] {
    const name = repositoryName(reference);
    const tags: string[] = [];
    for (const image of this.images.list(true)) {
      for (const tag of this.images.tagsOf(image.id)) {
        const parsed = parseReference(tag);
        if (repositoryName(parsed) === name && parsed.tag) tags.push(parsed.tag);
      }
    }
    if (tags.length === 0) throw notFound(`An image does not exist locally with the tag: ${familiarName(name)}`);
    if (reference.tag !== undefined) {
      if (!tags.includes(reference.tag)) throw notFound(`tag does not exist: ${familiarName(`${name}:${reference.tag}`)}`);
      return [reference.tag];
    }
    return [...new Set(tags)].sort();
  }

  /**
   * The registry's repository to push to. Nothing is sent yet: as with dockerd, a registry that is down fails the
   * push's first call, refused credentials the first call that needs them (both after the first progress line).
   */
  repository(request: PushRequest): Repository {
    const { reference } = request;
    // Layers this engine pulled from other repositories of the same registry may be mounted from them.
    const from = new Set<string>();
    for (const image of this.images.list(true)) {
      for (const diffId of image.config.rootfs.diff_ids) {
        for (const repositories of Object.values(this.images.layers.meta(diffId)?.blobs ?? {})) {
          for (const repository of repositories) if (repository.startsWith(`${reference.domain}/`)) from.add(repository.slice(reference.domain.length + 1));
        }
      }
    }
    return this.client.repository(reference.domain, reference.path, request.credentials, ['pull', 'push'], [...from].slice(0, 8));
  }

  async push(request: PushRequest, repository: Repository, tag: string, progress: Progress): Promise<void> {
    const { reference, signal } = request;
    const name = repositoryName(reference);
    const image = this.images.resolve(canonical({ domain: reference.domain, path: reference.path, tag }));
    const diffIds = image.config.rootfs.diff_ids;
    for (const diffId of diffIds) progress({ status: 'Preparing', id: shortId(diffId) });
    const limit = this.client.options.maxConcurrentUploads;
    for (const diffId of diffIds.slice(limit)) progress({ status: 'Waiting', id: shortId(diffId) });
    const run = limiter(limit);
    const layers = await Promise.all(diffIds.map((diffId) => run(() => this.pushLayer(repository, name, diffId, progress, signal))));
    const configBytes = this.images.configBytes(image.id);
    const configDigest = image.id;
    if ((await repository.blobSize(configDigest, signal)) === undefined) await repository.upload(configBytes, signal);
    const manifest = Buffer.from(
      JSON.stringify(
        {
          schemaVersion: 2,
          mediaType: MEDIA.dockerManifest,
          config: { mediaType: MEDIA.dockerConfig, size: configBytes.length, digest: configDigest },
          layers: layers.map((layer) => ({ mediaType: MEDIA.dockerLayer, size: layer.size, digest: layer.digest })),
        },
        null,
        3,
      ),
    );
    await repository.putManifest(tag, manifest, MEDIA.dockerManifest, signal);
    const digest = `sha256:${createHash('sha256').update(manifest).digest('hex')}`;
    this.images.addRepoDigests(image.id, [`${name}@${digest}`]);
    this.events.emit('push', image.id, { name: familiarName(`${name}:${tag}`) });
    progress({ status: `${tag}: digest: ${digest} size: ${manifest.length}`, plain: true });
    progress({ status: '', aux: { Tag: tag, Digest: digest, Size: manifest.length } });
  }

  private async pushLayer(repository: Repository, name: string, diffId: string, progress: Progress, signal?: AbortSignal): Promise<PushedBlob> {
    const id = shortId(diffId);
    const meta = this.images.layers.meta(diffId);
    const known = Object.entries(meta?.blobs ?? {});
    // A blob this repository is known to hold, or holds after all (HEAD), is not sent again.
    for (const [digest] of known) {
      const size = await repository.blobSize(digest, signal);
      if (size === undefined) continue;
      progress({ status: 'Layer already exists', id });
      return { digest, size };
    }
    for (const [digest, repositories] of known) {
      const from = repositories.find((candidate) => candidate !== name && candidate.startsWith(`${repository.domain}/`));
      if (!from) continue;
      if (await repository.mount(digest, from.slice(repository.domain.length + 1), signal)) {
        this.images.layers.recordBlob(diffId, { digest, repository: name });
        progress({ status: `Mounted from ${familiarName(from).replace(/^[^/]*[.:][^/]*\//, '')}`, id });
        const size = await repository.blobSize(digest, signal);
        if (size === undefined) throw new EngineError('unavailable', `registry ${repository.domain} mounted blob ${digest} but does not have it`);
        return { digest, size };
      }
    }
    const archive = this.images.layers.archive(diffId);
    if (!archive) throw new EngineError('invalid', `layer ${id} was stored before berth kept layer archives: pull or load the image again`);
    const counter = new DigestCounter();
    // Opened once the registry took the upload: no `Pushing` line for bytes a refusal would not let through.
    const open = (): { stream: Readable; digestOf: () => string } => {
      // A blob kept as it arrived (gzip) goes out as it is; an uncompressed tar is compressed on the way.
      const source = createReadStream(archive.path, { highWaterMark: 1 << 20 });
      const total = archive.gzip ? statSync(archive.path).size : (meta?.size ?? 0);
      const report = throttled(progress, 'Pushing', id, total);
      let read = 0;
      source.on('data', (chunk) => report((read += chunk.length)));
      return { stream: archive.gzip ? source.pipe(counter) : source.pipe(createGzip()).pipe(counter), digestOf: () => counter.digest() };
    };
    const digest = await repository.upload(open, signal);
    this.images.layers.recordBlob(diffId, { digest, repository: name });
    progress({ status: 'Pushed', id });
    return { digest, size: counter.size };
  }
}

/** Hashes and counts what passes: the compressed blob's digest and size, known when the stream ends. */
class DigestCounter extends Transform {
  private readonly hash = createHash('sha256');
  size = 0;
  private result?: string;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.size += chunk.length;
    callback(null, chunk);
  }

  digest(): string {
    this.result ??= `sha256:${this.hash.digest('hex')}`;
    return this.result;
  }
}

/**
 * A push's failure as dockerd streams it: a registry's refusal in the registry's own words (`unauthorized:
 * authentication required`, `no basic auth credentials`, `denied: requested access to the resource is denied`),
 * without the request that met it; a connection failure keeps it (`Get "http://...": dial tcp ...`).
 */
export function pushError(error: unknown): unknown {
  return error instanceof RegistryError ? new EngineError(error.kind, error.words) : error;
}
