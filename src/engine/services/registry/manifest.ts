// Manifests as registries serve them (Docker schema2 and OCI; image indexes and manifest lists), checked field by
// field before anything is fetched on their word: media types, digests, sizes, platforms. Pure functions.
import { EngineError, invalid } from '../../errors.js';
import { isDigest } from '../../store/layers.js';
import type { FetchedManifest } from './client.js';

export interface Platform {
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface Descriptor {
  readonly mediaType: string;
  readonly digest: string;
  readonly size: number;
  readonly platform?: Platform;
}

export interface ImageManifest {
  readonly kind: 'manifest';
  readonly mediaType: string;
  readonly config: Descriptor;
  readonly layers: readonly Descriptor[];
}

export interface ImageIndex {
  readonly kind: 'index';
  readonly mediaType: string;
  readonly manifests: readonly Descriptor[];
}

export const MEDIA = {
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerConfig: 'application/vnd.docker.container.image.v1+json',
  ociConfig: 'application/vnd.oci.image.config.v1+json',
  dockerLayer: 'application/vnd.docker.image.rootfs.diff.tar.gzip',
  ociLayerGzip: 'application/vnd.oci.image.layer.v1.tar+gzip',
} as const;

const MANIFESTS = new Set<string>([MEDIA.dockerManifest, MEDIA.ociManifest]);
const INDEXES = new Set<string>([MEDIA.dockerList, MEDIA.ociIndex]);
const CONFIGS = new Set<string>([MEDIA.dockerConfig, MEDIA.ociConfig]);
/** Layer media types and the compression each one means. */
const LAYERS: Record<string, 'gzip' | 'none'> = {
  [MEDIA.dockerLayer]: 'gzip',
  'application/vnd.docker.image.rootfs.foreign.diff.tar.gzip': 'gzip',
  [MEDIA.ociLayerGzip]: 'gzip',
  'application/vnd.oci.image.layer.nondistributable.v1.tar+gzip': 'gzip',
  'application/vnd.oci.image.layer.v1.tar': 'none',
  'application/vnd.oci.image.layer.nondistributable.v1.tar': 'none',
  'application/vnd.docker.image.rootfs.diff.tar': 'none',
};
/** More layers than this cannot be mounted as one overlay anyway. */
const MAX_LAYERS = 256;
/** Blobs larger than this (64 GiB) are taken for a hostile descriptor. */
const MAX_BLOB = 64 * 1024 ** 3;

/** Reads a manifest or index; the `mediaType` field wins over the Content-Type the registry sent. */
export function parseManifest(fetched: FetchedManifest): ImageManifest | ImageIndex {
  let value: unknown;
  try {
    value = JSON.parse(fetched.bytes.toString('utf8'));
  } catch {
    throw new EngineError('unavailable', `manifest ${fetched.digest} is not JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new EngineError('unavailable', `manifest ${fetched.digest} is not a JSON object`);
  const raw = value as Record<string, unknown>;
  if (raw.schemaVersion === 1) throw new EngineError('unsupported', `manifest ${fetched.digest} is a Docker schema 1 manifest, which berth's engine does not pull (push the image again with a current client)`);
  const declared = typeof raw.mediaType === 'string' ? raw.mediaType : '';
  const mediaType = declared || (fetched.mediaType && fetched.mediaType !== 'application/json' && fetched.mediaType !== 'text/plain' ? fetched.mediaType : Array.isArray(raw.manifests) ? MEDIA.ociIndex : MEDIA.ociManifest);
  if (INDEXES.has(mediaType)) {
    if (!Array.isArray(raw.manifests)) throw new EngineError('unavailable', `image index ${fetched.digest} has no manifests list`);
    if (raw.manifests.length > 1024) throw new EngineError('unavailable', `image index ${fetched.digest} lists more than 1024 manifests`);
    return { kind: 'index', mediaType, manifests: raw.manifests.map((entry, index) => descriptor(entry, `manifests[${index}]`, fetched.digest)) };
  }
  if (MANIFESTS.has(mediaType)) {
    if (!Array.isArray(raw.layers)) throw new EngineError('unavailable', `manifest ${fetched.digest} has no layers list`);
    if (raw.layers.length > MAX_LAYERS) throw new EngineError('unsupported', `manifest ${fetched.digest} has ${raw.layers.length} layers; berth's engine takes at most ${MAX_LAYERS}`);
    const config = descriptor(raw.config, 'config', fetched.digest);
    if (!CONFIGS.has(config.mediaType)) throw new EngineError('unsupported', `${fetched.digest} is not a container image: its config is ${printable(config.mediaType)}`);
    const layers = raw.layers.map((entry, index) => descriptor(entry, `layers[${index}]`, fetched.digest));
    for (const layer of layers) layerCompression(layer.mediaType);
    return { kind: 'manifest', mediaType, config, layers };
  }
  throw new EngineError('unsupported', `unsupported manifest media type ${printable(mediaType)}`);
}

function descriptor(value: unknown, where: string, manifest: string): Descriptor {
  const bad = (what: string): EngineError => new EngineError('unavailable', `manifest ${manifest}: ${where}: ${what}`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw bad('not an object');
  const raw = value as Record<string, unknown>;
  if (!isDigest(raw.digest)) throw bad(`invalid digest ${printable(raw.digest)}`);
  if (typeof raw.size !== 'number' || !Number.isSafeInteger(raw.size) || raw.size < 0 || raw.size > MAX_BLOB) throw bad('invalid size');
  if (typeof raw.mediaType !== 'string' || raw.mediaType.length > 256) throw bad('invalid media type');
  const out: { mediaType: string; digest: string; size: number; platform?: Platform } = { mediaType: raw.mediaType, digest: raw.digest, size: raw.size };
  const platform = raw.platform as Record<string, unknown> | undefined;
  if (platform && typeof platform === 'object' && typeof platform.os === 'string' && typeof platform.architecture === 'string') {
    out.platform = { os: platform.os, architecture: platform.architecture, ...(typeof platform.variant === 'string' ? { variant: platform.variant } : {}) };
  }
  return out;
}

/** `gzip` or `none` for the layer media types berth unpacks; a clear refusal for zstd and anything else. */
export function layerCompression(mediaType: string): 'gzip' | 'none' {
  const compression = LAYERS[mediaType];
  if (compression) return compression;
  if (/zstd/.test(mediaType)) throw new EngineError('unsupported', `layer media type ${printable(mediaType)}: zstd-compressed layers are not supported by berth's engine (only gzip and uncompressed)`);
  throw new EngineError('unsupported', `unsupported layer media type ${printable(mediaType)}`);
}

/** `linux/amd64`, `linux/arm64/v8`, `linux` -> a platform (architecture defaulting to the engine's own). */
export function parsePlatform(text: string | null | undefined): Platform | undefined {
  if (!text) return undefined;
  const parts = text.toLowerCase().split('/');
  if (parts.length > 3 || parts.some((part) => !/^[a-z0-9_.-]{1,32}$/.test(part))) throw invalid(`invalid platform ${printable(text)}: expected os[/arch[/variant]]`);
  const architecture = normalizeArchitecture(parts[1] ?? 'amd64');
  return { os: parts[0]!, architecture, ...(parts[2] ? { variant: parts[2] } : {}) };
}

function normalizeArchitecture(architecture: string): string {
  if (architecture === 'x86_64' || architecture === 'x86-64') return 'amd64';
  if (architecture === 'aarch64') return 'arm64';
  return architecture;
}

export function formatPlatform(platform: Platform): string {
  return [platform.os, platform.architecture, platform.variant].filter(Boolean).join('/');
}

/** The manifest of an index for the platform wanted (a variant only when asked for), as dockerd picks it. */
export function selectPlatform(index: ImageIndex, wanted: Platform): Descriptor {
  const candidates = index.manifests.filter(
    (entry) =>
      MANIFESTS.has(entry.mediaType) &&
      entry.platform?.os === wanted.os &&
      normalizeArchitecture(entry.platform.architecture) === wanted.architecture &&
      (!wanted.variant || entry.platform.variant === wanted.variant),
  );
  const found = candidates[0];
  if (!found) throw new EngineError('not-found', `no matching manifest for ${formatPlatform(wanted)} in the manifest list entries`);
  return found;
}

/** Text from a registry, fit to quote in a message. */
export function printable(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return JSON.stringify(text.slice(0, 100));
}
