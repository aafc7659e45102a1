// `docker load`: a docker-archive (manifest.json) or OCI layout (index.json) tarball, read from the request's
// stream itself. Its members are kept under names the engine chooses (small ones in memory, the rest in files of a
// private directory), never extracted under their own names; links among them (docker 25 and later write layers
// as links into blobs/) are resolved inside the archive by the same walk as paths under any root (in-root.ts), so
// a member linking to a host file is just a missing member. Every JSON document is bounded in size and checked for
// its shape before use, and every message names members, never host paths or host content.
import { createHash } from 'node:crypto';
import { closeSync, createReadStream, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, posix } from 'node:path';
import { Readable } from 'node:stream';
import * as tar from 'tar-stream';
import { EngineError, invalid } from '../errors.js';
import { decompressed } from '../store/decompress.js';
import { PathError, walk } from '../store/in-root.js';
import { readFailure } from '../store/root-archive.js';
import type { Entry, Tree } from '../store/in-root.js';

/** Where the layers and configs of a loaded archive go (the image store). */
export interface ImageArchiveStore {
  /** Stores one layer from its tar (gzip allowed), checked against the diff id (and the blob digest, when known). */
  storeLayer(input: Readable, expected: { readonly diffId: string; readonly digest?: string }): Promise<unknown>;
  /** Stores an image whose layers are all stored; answers docker load's lines (`Loaded image: ...`). */
  storeImage(config: Buffer, tags: readonly string[]): string[] | Promise<string[]>;
}

/** Members this small are kept in memory, up to MEMORY in all; the rest go to files. */
const SMALL = 1024 * 1024;
const MEMORY = 64 * 1024 * 1024;
/** Bounds on what a hostile archive can make the engine hold. */
const MAX_MEMBERS = 100_000;
const MAX_JSON = 16 * 1024 * 1024;
const MAX_IMAGES = 10_000;
const DIGEST = /^sha256:[0-9a-f]{64}$/;

type Member =
  | { readonly kind: 'file'; readonly size: number; readonly data?: Buffer; readonly file?: string }
  | { readonly kind: 'directory' }
  | { readonly kind: 'symlink'; readonly target: string }
  | { readonly kind: 'hardlink'; readonly target: string }
  | { readonly kind: 'other' };

/** The archive's members by path (no leading `/`, no `.` or `..`), with the directories their paths imply. */
export class ArchiveTree implements Tree<string> {
  readonly root = '';
  private readonly members = new Map<string, Member>();
  private readonly directories = new Set<string>(['']);

  add(path: string, member: Member): void {
    if (!this.members.has(path) && this.members.size >= MAX_MEMBERS) throw invalid(`invalid archive: more than ${MAX_MEMBERS} members`);
    this.members.set(path, member);
    for (let parent = posix.dirname(path); parent !== '.'; parent = posix.dirname(parent)) this.directories.add(parent);
  }

  look(dir: string, name: string): Entry {
    const path = dir === '' ? name : `${dir}/${name}`;
    const member = this.member(path);
    if (member?.kind === 'symlink') return { kind: 'link', target: member.target };
    if (member?.kind === 'directory' || this.directories.has(path)) return { kind: 'directory' };
    return member ? { kind: 'other' } : { kind: 'missing' };
  }

  enter(dir: string, name: string): string {
    return dir === '' ? name : `${dir}/${name}`;
  }

  leave(): void {}

  /** The regular file a path names, links followed inside the archive; undefined when there is none. */
  file(path: string): (Member & { kind: 'file' }) | undefined {
    let found;
    try {
      found = walk(this, path, { follow: true });
    } catch (error) {
      if (error instanceof PathError) return undefined;
      throw error;
    }
    const member = this.member(found.path.slice(1));
    return member?.kind === 'file' ? member : undefined;
  }

  /** The member at a path; a hard link is the member it names (by its name in the archive, a few hops at most). */
  private member(path: string): Member | undefined {
    let member = this.members.get(path);
    for (let hops = 0; member?.kind === 'hardlink'; hops++) member = hops < 8 ? this.members.get(member.target) : undefined;
    return member;
  }
}

/** Loads every image of the archive on `input` into `store`; the lines docker load prints. */
export async function loadImageArchive(input: Readable, work: string, store: ImageArchiveStore): Promise<string[]> {
  mkdirSync(work, { recursive: true });
  try {
    const tree = await readArchive(await decompressed(input), work);
    if (tree.file('manifest.json')) return await loadDockerArchive(tree, store);
    if (tree.file('index.json')) return await loadOciLayout(tree, store);
    throw invalid('invalid archive: no manifest.json or index.json (not a docker-archive or OCI layout tarball)');
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** Reads the tar stream to its end: each member kept under a name of the engine's choosing. */
export async function readArchive(input: Readable, work: string): Promise<ArchiveTree> {
  const tree = new ArchiveTree();
  const extract = tar.extract();
  input.on('error', (error) => extract.destroy(error));
  input.pipe(extract);
  let inMemory = 0;
  let files = 0;
  try {
    for await (const entry of extract) {
      const header = entry.header;
      const path = memberPath(header.name);
      if (path === '') {
        entry.resume();
        continue;
      }
      if (header.type === 'file' || header.type === 'contiguous-file') {
        if (header.size <= SMALL && inMemory + header.size <= MEMORY) {
          const chunks: Buffer[] = [];
          for await (const chunk of entry) chunks.push(chunk as Buffer);
          const data = Buffer.concat(chunks);
          inMemory += data.length;
          tree.add(path, { kind: 'file', size: data.length, data });
        } else {
          const file = join(work, `member-${files++}`);
          const fd = openSync(file, 'wx', 0o600);
          let size = 0;
          try {
            for await (const chunk of entry) size += writeSync(fd, chunk as Buffer);
          } finally {
            closeSync(fd);
          }
          tree.add(path, { kind: 'file', size, file });
        }
        continue;
      }
      entry.resume();
      if (header.type === 'directory') tree.add(path, { kind: 'directory' });
      else if (header.type === 'symlink') tree.add(path, { kind: 'symlink', target: header.linkname ?? '' });
      else if (header.type === 'link') tree.add(path, { kind: 'hardlink', target: memberPath(header.linkname ?? '') });
      else tree.add(path, { kind: 'other' });
    }
  } catch (error) {
    throw readFailure(input, extract, error);
  }
  return tree;
}

/** A member's name as a path in the archive; one with `..` in it is refused (docker refuses it too). */
function memberPath(name: string): string {
  const parts = name.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) throw invalid(`invalid archive member ${JSON.stringify(name.slice(0, 200))}: it leads out of the archive`);
  return parts.join('/');
}

function content(member: Member & { kind: 'file' }): Readable {
  return member.data ? Readable.from([member.data]) : createReadStream(member.file!);
}

function bytes(member: Member & { kind: 'file' }, what: string): Buffer {
  if (member.size > MAX_JSON) throw invalid(`invalid archive: ${what} is larger than ${MAX_JSON} bytes`);
  return member.data ?? readFileSync(member.file!);
}

/** A JSON document of the archive (links followed inside it), parsed; `what` names it in messages. */
function readJson(tree: ArchiveTree, path: string, what: string): unknown {
  const member = tree.file(path);
  if (!member) throw invalid(`invalid archive: ${what} (${JSON.stringify(path.slice(0, 200))}) is not in the archive`);
  try {
    return JSON.parse(bytes(member, what).toString('utf8'));
  } catch (error) {
    if (error instanceof EngineError) throw error;
    throw invalid(`invalid archive: ${what} is not valid JSON`);
  }
}

interface DockerManifestEntry {
  readonly Config: string;
  readonly RepoTags: readonly string[];
  readonly Layers: readonly string[];
}

function dockerManifest(value: unknown): DockerManifestEntry[] {
  const shape = 'invalid archive: manifest.json must be a list of {"Config": "...", "RepoTags": [...], "Layers": [...]}';
  if (!Array.isArray(value) || value.length > MAX_IMAGES) throw invalid(shape);
  return value.map((entry: unknown) => {
    const { Config, RepoTags, Layers } = (entry ?? {}) as Record<string, unknown>;
    if (typeof entry !== 'object' || entry === null || typeof Config !== 'string' || !isStrings(Layers) || !(RepoTags === undefined || RepoTags === null || isStrings(RepoTags))) throw invalid(shape);
    return { Config, RepoTags: RepoTags ?? [], Layers };
  });
}

async function loadDockerArchive(tree: ArchiveTree, store: ImageArchiveStore): Promise<string[]> {
  const messages: string[] = [];
  for (const entry of dockerManifest(readJson(tree, 'manifest.json', 'manifest.json'))) {
    const config = configBytes(tree, entry.Config);
    const layers = entry.Layers.map((path) => {
      const member = tree.file(path);
      if (!member) throw invalid(`invalid archive: layer ${JSON.stringify(path.slice(0, 200))} is not in the archive`);
      return member;
    });
    messages.push(...(await storeImage(store, config, layers.map((member) => ({ member })), entry.RepoTags)));
  }
  return messages;
}

interface OciDescriptor {
  readonly digest: string;
  readonly platform?: { readonly os?: string; readonly architecture?: string };
  readonly annotations?: Readonly<Record<string, string>>;
}

async function loadOciLayout(tree: ArchiveTree, store: ImageArchiveStore): Promise<string[]> {
  const index = readJson(tree, 'index.json', 'index.json');
  const messages: string[] = [];
  for (const descriptor of descriptors(index, 'index.json')) {
    let manifest = ociBlobJson(tree, descriptor.digest, `manifest ${descriptor.digest}`);
    // An index of manifests by platform: this engine's (linux/amd64), else the first.
    if ((manifest as { manifests?: unknown }).manifests !== undefined) {
      const choices = descriptors(manifest, `index ${descriptor.digest}`);
      const pick = choices.find((choice) => choice.platform?.os === 'linux' && choice.platform?.architecture === 'amd64') ?? choices[0];
      if (!pick) continue;
      manifest = ociBlobJson(tree, pick.digest, `manifest ${pick.digest}`);
    }
    const { config, layers } = manifest as { config?: { digest?: unknown }; layers?: unknown };
    if (!config || !isDigest(config.digest) || !Array.isArray(layers) || !layers.every((layer: { digest?: unknown } | null) => isDigest(layer?.digest))) {
      throw invalid(`invalid archive: manifest ${descriptor.digest} must have a config and layers, each with a sha256 digest`);
    }
    const configMember = ociBlob(tree, config.digest, `config ${config.digest}`);
    const configData = bytes(configMember, `config ${config.digest}`);
    checkDigest(configData, config.digest, `config ${config.digest}`);
    const name = descriptor.annotations?.['io.containerd.image.name'] ?? descriptor.annotations?.['org.opencontainers.image.ref.name'];
    const tags = typeof name === 'string' && name !== '' ? [name.includes(':') ? name : `${name}:latest`] : [];
    const layerMembers = (layers as Array<{ digest: string }>).map((layer) => ({ member: ociBlob(tree, layer.digest, `layer ${layer.digest}`), digest: layer.digest }));
    messages.push(...(await storeImage(store, configData, layerMembers, tags)));
  }
  return messages;
}

function descriptors(value: unknown, what: string): OciDescriptor[] {
  const list = (value as { manifests?: unknown } | null)?.manifests;
  if (!Array.isArray(list) || list.length > MAX_IMAGES || !list.every((entry: { digest?: unknown } | null) => isDigest(entry?.digest))) {
    throw invalid(`invalid archive: ${what} must have a list of manifests, each with a sha256 digest`);
  }
  return list as OciDescriptor[];
}

function ociBlob(tree: ArchiveTree, digest: string, what: string): Member & { kind: 'file' } {
  const member = tree.file(`blobs/sha256/${digest.slice(7)}`);
  if (!member) throw invalid(`invalid archive: ${what} is not in the archive`);
  return member;
}

function ociBlobJson(tree: ArchiveTree, digest: string, what: string): object {
  const data = bytes(ociBlob(tree, digest, what), what);
  checkDigest(data, digest, what);
  let value: unknown;
  try {
    value = JSON.parse(data.toString('utf8'));
  } catch {
    throw invalid(`invalid archive: ${what} is not valid JSON`);
  }
  if (typeof value !== 'object' || value === null) throw invalid(`invalid archive: ${what} is not a JSON object`);
  return value;
}

function configBytes(tree: ArchiveTree, path: string): Buffer {
  const member = tree.file(path);
  if (!member) throw invalid(`invalid archive: config ${JSON.stringify(path.slice(0, 200))} is not in the archive`);
  return bytes(member, `config ${JSON.stringify(path.slice(0, 200))}`);
}

/** Each layer stored against the config's diff ids (the last ones: lower layers may be in the store already). */
async function storeImage(store: ImageArchiveStore, config: Buffer, layers: ReadonlyArray<{ member: Member & { kind: 'file' }; digest?: string }>, tags: readonly string[]): Promise<string[]> {
  let diffIds: unknown;
  try {
    diffIds = (JSON.parse(config.toString('utf8')) as { rootfs?: { diff_ids?: unknown } } | null)?.rootfs?.diff_ids;
  } catch {
    throw invalid('invalid archive: an image config is not valid JSON');
  }
  if (!Array.isArray(diffIds) || !diffIds.every((id) => typeof id === 'string' && DIGEST.test(id))) throw invalid('invalid archive: an image config has no rootfs.diff_ids of sha256 digests');
  const below = diffIds.length - layers.length;
  if (below < 0) throw invalid(`invalid archive: ${layers.length} layers for an image config of ${diffIds.length}`);
  for (const [index, layer] of layers.entries()) {
    await store.storeLayer(content(layer.member), { diffId: diffIds[below + index] as string, ...(layer.digest ? { digest: layer.digest } : {}) });
  }
  return await store.storeImage(config, tags);
}

function checkDigest(data: Buffer, digest: string, what: string): void {
  if (`sha256:${createHash('sha256').update(data).digest('hex')}` !== digest) throw invalid(`invalid archive: ${what} does not match its digest`);
}

function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value);
}

function isStrings(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string');
}
