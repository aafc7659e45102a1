// The image store: content-addressed (the image id is the digest of its config, layers are kept by diff id and
// unpacked once, shared by every image and container that uses them), with a repository index of tags.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Readable } from 'node:stream';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as tar from 'tar-stream';
import { join } from 'node:path';
import { conflict, invalid, notFound } from '../errors.js';
import { readJsonFile, writeJsonAtomic, writeTextAtomic } from '../store/files.js';
import type { Layout } from '../store/layout.js';
import { isDiffId } from '../store/layers.js';
import type { LayerStore } from '../store/layers.js';
import { loadImageArchive } from './image-archive.js';
import { canonical, familiarName, parseReference } from './registry/reference.js';

/** The parts of an image config the engine reads. */
export interface ImageConfig {
  readonly architecture?: string;
  readonly os?: string;
  readonly variant?: string;
  readonly created?: string;
  readonly author?: string;
  readonly config?: ContainerDefaults;
  readonly rootfs: { readonly type: string; readonly diff_ids: readonly string[] };
  readonly history?: ReadonlyArray<{ created?: string; created_by?: string; empty_layer?: boolean; comment?: string }>;
}

export interface ContainerDefaults {
  readonly Env?: string[] | null;
  readonly Cmd?: string[] | null;
  readonly Entrypoint?: string[] | null;
  readonly WorkingDir?: string;
  readonly User?: string;
  readonly Labels?: Record<string, string> | null;
  readonly Volumes?: Record<string, object> | null;
  readonly ExposedPorts?: Record<string, object> | null;
  readonly StopSignal?: string;
  readonly Healthcheck?: unknown;
}

export interface ImageRecord {
  readonly id: string;
  readonly config: ImageConfig;
  readonly size: number;
}

export interface ImageEvents {
  emit(action: string, id: string, attributes: Record<string, string>): void;
}

export class ImageService {
  private repositories: Record<string, string>;

  constructor(
    private readonly layout: Layout,
    /** Where layers are unpacked and kept; `storeFromStream` is the one way a layer enters the store. */
    readonly layers: LayerStore,
    private readonly events: ImageEvents,
    private readonly imageInUse: (id: string) => string | undefined,
  ) {
    // No prototype: a reference named `toString` or `__proto__` is a name like any other, never an inherited member.
    this.repositories = Object.assign(Object.create(null) as Record<string, string>, readJsonFile<Record<string, string>>(layout.repositories) ?? {});
    // Layers an earlier engine was deleting when it stopped: finished in the background.
    layers.emptyTrash();
  }

  /** `name`, `name:tag`, `sha256:<hex>` or an id prefix -> the image. */
  resolve(reference: string): ImageRecord {
    const id = this.resolveId(reference);
    if (!id) throw notFound(`No such image: ${reference}`);
    return this.record(id);
  }

  tryResolve(reference: string): ImageRecord | undefined {
    const id = this.resolveId(reference);
    return id ? this.record(id) : undefined;
  }

  private resolveId(reference: string): string | undefined {
    const tagged = this.repositories[normalizeReference(reference)];
    if (tagged) return tagged;
    const hex = reference.startsWith('sha256:') ? reference.slice(7) : reference;
    if (!/^[0-9a-f]{1,64}$/.test(hex)) return undefined;
    if (existsSync(this.layout.blob(hex)) && hex.length === 64) return `sha256:${hex}`;
    // An index entry whose config is gone (an engine that died mid-removal) names no image.
    const matches = this.allIds().filter((id) => id.slice(7).startsWith(hex) && existsSync(this.layout.blob(id.slice(7))));
    return matches.length === 1 ? matches[0] : undefined;
  }

  private allIds(): string[] {
    return [...new Set(Object.values(this.repositories)), ...this.untaggedIds(), ...this.intermediateIds()];
  }

  /** The images of a build's steps: the build cache points at them; `images` lists them only with `all`. */
  private intermediateIds(): string[] {
    return readJsonFile<string[]>(join(this.layout.root, 'image', 'intermediate.json')) ?? [];
  }

  private untaggedIds(): string[] {
    const index = readJsonFile<string[]>(join(this.layout.root, 'image', 'untagged.json')) ?? [];
    return index;
  }

  private record(id: string): ImageRecord {
    const hex = id.slice(7);
    const config = JSON.parse(readFileSync(this.layout.blob(hex), 'utf8')) as ImageConfig;
    let size = 0;
    for (const diffId of config.rootfs.diff_ids) size += readJsonFile<{ size: number }>(this.layout.layerMeta(diffId.slice(7)))?.size ?? 0;
    return { id, config, size };
  }

  /** The image's tags (`RepoTags`), familiar and sorted. */
  /** The image's config exactly as stored (its sha256 is the image id). */
  configBytes(id: string): Buffer {
    return readFileSync(this.layout.blob(this.resolve(id).id.slice(7)));
  }

  tagsOf(id: string): string[] {
    return this.referencesTo(id).filter((reference) => !reference.includes('@'));
  }

  /** The image's digest references (`RepoDigests`: `busybox@sha256:...`, the manifest it was pulled or pushed as). */
  digestsOf(id: string): string[] {
    return this.referencesTo(id).filter((reference) => reference.includes('@'));
  }

  private referencesTo(id: string): string[] {
    return Object.entries(this.repositories)
      .filter(([, target]) => target === id)
      .map(([reference]) => familiar(reference))
      .sort();
  }

  /** Records `name@sha256:...` references for an image (the manifest it was pulled or pushed as). */
  addRepoDigests(id: string, references: readonly string[]): void {
    for (const reference of references) this.repositories[normalizeReference(reference)] = id;
    this.saveRepositories();
  }

  list(all = false): ImageRecord[] {
    const ids = new Set([...Object.values(this.repositories), ...this.untaggedIds(), ...(all ? this.intermediateIds() : [])]);
    return [...ids].filter((id) => existsSync(this.layout.blob(id.slice(7)))).map((id) => this.record(id));
  }

  /** Directories of the image's layers, lowest first. */
  layerDirs(image: ImageRecord): string[] {
    return image.config.rootfs.diff_ids.map((diffId) => this.layout.layer(diffId.slice(7)));
  }

  tag(reference: string, repo: string, tag: string | undefined): void {
    const image = this.resolve(reference);
    if (!repo) throw invalid('repository name must not be empty');
    const target = normalizeReference(`${repo}:${tag || 'latest'}`);
    this.repositories[target] = image.id;
    this.saveRepositories();
    this.recordTagTime(image.id);
    this.events.emit('tag', image.id, { name: familiar(target) });
  }

  /** When the image was last tagged (`Metadata.LastTagTime`), Go's zero time if never (a load, a build step). */
  lastTagTime(id: string): string {
    return this.tagTimes()[id] ?? '0001-01-01T00:00:00Z';
  }

  /** Marks the image tagged now: by `docker tag`, and by a pull that wrote a tag (compose's daily/weekly pulls read it). */
  recordTagTime(id: string): void {
    writeJsonAtomic(this.tagTimesFile, { ...this.tagTimes(), [id]: new Date().toISOString() }, { durable: false });
  }

  private forgetTagTime(id: string): void {
    const times = this.tagTimes();
    if (!(id in times)) return;
    delete times[id];
    writeJsonAtomic(this.tagTimesFile, times, { durable: false });
  }

  private get tagTimesFile(): string {
    return join(this.layout.root, 'image', 'tag-times.json');
  }

  private tagTimes(): Record<string, string> {
    return Object.assign(Object.create(null) as Record<string, string>, readJsonFile<Record<string, string>>(this.tagTimesFile) ?? {});
  }

  /** `noprune`: the image goes, its layers stay (for images about to be loaded or committed on top of them). */
  remove(reference: string, force: boolean, noprune = false): Array<{ Untagged?: string; Deleted?: string }> {
    const image = this.resolve(reference);
    const normalized = normalizeReference(reference);
    const byTag = this.repositories[normalized] === image.id;
    const out: Array<{ Untagged?: string; Deleted?: string }> = [];
    // As dockerd: removing a tag also removes the repository's digest references when no other tag of that
    // repository remains; if references to the image remain after that, it is only untagged.
    if (byTag) {
      const going = [normalized];
      if (!normalized.includes('@')) {
        const repository = normalized.slice(0, normalized.lastIndexOf(':'));
        const sameRepository = Object.keys(this.repositories).filter((name) => name !== normalized && this.repositories[name] === image.id && name.startsWith(repository) && /^[:@]/.test(name.slice(repository.length)));
        if (!sameRepository.some((name) => !name.includes('@'))) going.push(...sameRepository);
      }
      const remaining = Object.keys(this.repositories).filter((name) => this.repositories[name] === image.id && !going.includes(name));
      if (remaining.length > 0) {
        for (const name of going) {
          delete this.repositories[name];
          this.events.emit('untag', image.id, { name: familiar(name) });
        }
        this.saveRepositories();
        return going.map((name) => ({ Untagged: familiar(name) }));
      }
    }
    const user = this.imageInUse(image.id);
    if (user && !force) {
      throw conflict(`conflict: unable to remove repository reference "${reference}" (must force) - container ${user.slice(0, 12)} is using its referenced image ${image.id.slice(7, 19)}`);
    }
    for (const [name, target] of Object.entries(this.repositories)) {
      if (target !== image.id) continue;
      delete this.repositories[name];
      out.push({ Untagged: familiar(name) });
      this.events.emit('untag', image.id, { name: familiar(name) });
    }
    this.saveRepositories();
    this.setUntagged(this.untaggedIds().filter((id) => id !== image.id));
    if (!user) {
      // A built image is also its last step's: the build cache must not offer it once its config is deleted.
      this.setIntermediate(this.intermediateIds().filter((id) => id !== image.id));
      this.forgetTagTime(image.id);
      rmSync(this.layout.blob(image.id.slice(7)), { force: true });
      out.push({ Deleted: image.id });
      this.events.emit('delete', image.id, {});
      if (!noprune) this.pruneLayers();
    }
    return out;
  }

  /** Layers no image uses any more are deleted. */
  private pruneLayers(): void {
    const used = new Set(this.list(true).flatMap((image) => image.config.rootfs.diff_ids.map((id) => id.slice(7))));
    const dir = join(this.layout.root, 'image', 'layers');
    if (!existsSync(dir)) return;
    for (const hex of readdir(dir)) if (!used.has(hex)) this.layers.remove(hex);
  }

  private saveRepositories(): void {
    writeJsonAtomic(this.layout.repositories, this.repositories);
  }

  private setIntermediate(ids: string[]): void {
    writeJsonAtomic(join(this.layout.root, 'image', 'intermediate.json'), [...new Set(ids)]);
  }

  private setUntagged(ids: string[]): void {
    writeJsonAtomic(join(this.layout.root, 'image', 'untagged.json'), [...new Set(ids)]);
  }

  /**
   * `docker save`: a docker-archive tarball of the images (manifest.json, each config, each layer's tar), streamed to
   * `output`; a layer kept compressed is decompressed as it is written.
   */
  async save(references: readonly string[], output: NodeJS.WritableStream): Promise<void> {
    // Everything is looked up before the first byte goes out: a missing layer is an error, not a cut archive.
    const configs = new Map<string, string>();
    const layers = new Map<string, number>();
    const manifest: Array<{ Config: string; RepoTags: string[]; Layers: string[] }> = [];
    for (const reference of references) {
      const image = this.resolve(reference);
      const hex = image.id.slice(7);
      configs.set(`${hex}.json`, this.layout.blob(hex));
      for (const diffId of image.config.rootfs.diff_ids) {
        const meta = this.layers.meta(diffId);
        if (!meta || !this.layers.archive(diffId)) throw invalid(`layer ${diffId.slice(7, 19)} of ${reference} was stored before berth kept layer archives: load the image again`);
        layers.set(diffId, meta.size);
      }
      const named = normalizeReference(reference) in this.repositories ? [familiar(normalizeReference(reference))] : this.tagsOf(image.id);
      manifest.push({ Config: `${hex}.json`, RepoTags: named, Layers: image.config.rootfs.diff_ids.map((diffId) => `${diffId.slice(7)}/layer.tar`) });
    }
    const pack = tar.pack();
    const sent = pipeline(pack, output as NodeJS.WritableStream & Writable, { end: false });
    const member = async (name: string, size: number, content: Readable): Promise<void> => {
      await pipeline(content, pack.entry({ name, size, mode: 0o644, mtime: new Date(0) }));
    };
    try {
      for (const [name, path] of configs) await member(name, readFileSync(path).length, createReadStream(path));
      for (const [diffId, size] of layers) {
        pack.entry({ name: `${diffId.slice(7)}/`, type: 'directory', mode: 0o755, mtime: new Date(0) });
        await member(`${diffId.slice(7)}/layer.tar`, size, this.layers.openTar(diffId)!);
      }
      const manifestBytes = Buffer.from(JSON.stringify(manifest));
      await member('manifest.json', manifestBytes.length, Readable.from([manifestBytes]));
      pack.finalize();
    } catch (error) {
      pack.destroy(error as Error);
      throw error;
    } finally {
      await sent.catch(() => undefined);
    }
  }

  /** `docker import`: a root filesystem tarball (gzip allowed) becomes a one-layer image. */
  async importTarball(input: Readable, tag: string | undefined, message: string): Promise<string> {
    const layer = await this.layers.storeFromStream(input, {});
    const created = new Date().toISOString();
    const config = {
      architecture: 'amd64',
      os: 'linux',
      created,
      config: {},
      rootfs: { type: 'layers', diff_ids: [layer.diffId] },
      history: [{ created, created_by: 'berth import', comment: message || 'Imported from -' }],
    };
    const [result] = this.storeImageConfig(Buffer.from(JSON.stringify(config)), tag ? [tag] : []);
    return this.resolve(tag ?? result!.replace('Loaded image ID: ', '')).id;
  }

  /** Images without a tag that no container uses are deleted. */
  prune(): { deleted: string[]; reclaimed: number } {
    const deleted: string[] = [];
    let reclaimed = 0;
    for (const id of this.untaggedIds()) {
      if (this.imageInUse(id) || !existsSync(this.layout.blob(id.slice(7)))) continue;
      reclaimed += this.record(id).size;
      this.remove(id, false);
      deleted.push(id);
    }
    return { deleted, reclaimed };
  }

  /**
   * `docker load`: a docker-archive (manifest.json) or an OCI layout (index.json) tarball on `input`, read from the
   * stream itself (image-archive.ts).
   */
  async load(input: Readable): Promise<string[]> {
    const work = join(this.layout.tmp, `load-${randomBytes(6).toString('hex')}`);
    const messages = await loadImageArchive(input, work, {
      storeLayer: (layer, expected) => this.layers.storeFromStream(layer, expected),
      storeImage: (config, tags) => this.storeImageConfig(config, tags),
    });
    for (const message of messages) this.events.emit('load', message.replace(/^Loaded image( ID)?: /, ''), {});
    return messages;
  }

  /** Stores an image made here (commit): its config and layer archives, tagged. */
  async storeNew(configBytes: Buffer, layerFiles: readonly string[], tags: readonly string[]): Promise<string> {
    await this.storeImage(configBytes, layerFiles, tags);
    return `sha256:${createHash('sha256').update(configBytes).digest('hex')}`;
  }

  /** Stores the image of one build step (untagged, not listed without `all`); its id. */
  async storeIntermediate(configBytes: Buffer, layerFiles: readonly string[]): Promise<string> {
    const hex = createHash('sha256').update(configBytes).digest('hex');
    const id = `sha256:${hex}`;
    if (!existsSync(this.layout.blob(hex))) {
      const untagged = this.untaggedIds();
      await this.storeImage(configBytes, layerFiles, []);
      this.setUntagged(untagged);
    }
    this.setIntermediate([...this.intermediateIds(), id]);
    return id;
  }

  /** Stores the config, unpacks each layer not yet known, tags the image. */
  private async storeImage(configBytes: Buffer, layerFiles: readonly string[], tags: readonly string[]): Promise<string[]> {
    const config = parseImageConfig(configBytes);
    const diffIds = config.rootfs.diff_ids;
    // The files given are the top layers; the ones below must be in the store already (a commit adds one).
    const below = diffIds.length - layerFiles.length;
    if (below < 0) throw invalid(`image config: ${layerFiles.length} layers for ${diffIds.length} diff ids`);
    for (const [index, file] of layerFiles.entries()) await this.layers.storeFromStream(createReadStream(file), { diffId: diffIds[below + index]! });
    return this.storeImageConfig(configBytes, tags);
  }

  /**
   * Stores an image whose layers are all in the store already (see `layers.storeFromStream`): its config, and the
   * tags given. Answers as `docker load` does, one line per tag or the id.
   */
  storeImageConfig(configBytes: Buffer, tags: readonly string[], repoDigests: readonly string[] = []): string[] {
    const hex = createHash('sha256').update(configBytes).digest('hex');
    const config = parseImageConfig(configBytes);
    for (const diffId of config.rootfs.diff_ids) {
      if (!this.layers.has(diffId)) throw invalid(`image ${hex.slice(0, 12)}: layer ${diffId} is missing`);
    }
    writeTextAtomic(this.layout.blob(hex), configBytes);
    const id = `sha256:${hex}`;
    for (const tag of tags) this.repositories[normalizeReference(tag)] = id;
    this.saveRepositories();
    if (repoDigests.length > 0) this.addRepoDigests(id, repoDigests);
    if (tags.length === 0) this.setUntagged([...this.untaggedIds(), id]);
    return tags.length > 0 ? tags.map((tag) => `Loaded image: ${familiar(normalizeReference(tag))}`) : [`Loaded image ID: ${id}`];
  }
}

/** An image config as the store needs it: a `rootfs` of diff ids, each a sha256 digest; anything else refused. */
export function parseImageConfig(bytes: Buffer): ImageConfig {
  let config: unknown;
  try {
    config = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw invalid('invalid image config: not JSON');
  }
  const rootfs = (config as { rootfs?: { diff_ids?: unknown } } | null)?.rootfs;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw invalid('invalid image config: not a JSON object');
  if (!rootfs || !Array.isArray(rootfs.diff_ids) || !rootfs.diff_ids.every(isDiffId)) throw invalid('invalid image config: rootfs.diff_ids must be a list of sha256 digests');
  return config as ImageConfig;
}

function readdir(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir) : [];
}

/**
 * `busybox` -> `docker.io/library/busybox:latest`, `busybox@sha256:...` -> `docker.io/library/busybox@sha256:...`,
 * as the engine keys its index; what is no reference (an id, an id prefix) is returned as it is.
 */
export function normalizeReference(reference: string): string {
  try {
    return canonical(parseReference(reference));
  } catch {
    return reference;
  }
}

/** The short form users see: `docker.io/library/busybox:latest` -> `busybox:latest`. */
export function familiar(normalized: string): string {
  return familiarName(normalized);
}
