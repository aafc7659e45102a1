// Image layers on disk, one directory each under image/layers/<diff id hex>/: the unpacked tree (fs/), the blob it
// came from as it arrived (layer.tar.gz for a gzip blob, layer.tar for an uncompressed one: push sends it again and
// save decompresses it as it streams, so the layer's bytes are written once beside the tree) and meta.json.
// A layer is made in a temporary directory under the engine root, verified while its bytes stream in, and renamed
// into place only when complete: a failed, aborted or hostile stream leaves nothing behind in the store.
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { Hash } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { WriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { once } from 'node:events';
import { Readable, Transform, Writable } from 'node:stream';
import type { TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { EngineError, invalid } from '../errors.js';
import { localFilter } from '../spawner.js';
import type { FilterProcess } from '../spawner.js';
import { readJsonFile, writeJsonAtomic } from './files.js';
import { LAYER_ARCHIVES } from './layout.js';
import type { Layout } from './layout.js';

/** What is known of a layer before its bytes arrive; everything given is checked. */
export interface LayerExpectation {
  /** The digest of the bytes as they arrive (a registry blob's digest, compressed or not). */
  readonly digest?: string;
  /** How many bytes arrive (a descriptor's size): more is cut off, fewer is a truncated layer. */
  readonly size?: number;
  /** The digest of the uncompressed tar: the diff id the image config names. */
  readonly diffId?: string;
  /** `detect` (the default) looks at the first bytes: gzip or a plain tar; zstd and others are refused. */
  readonly compression?: 'gzip' | 'none' | 'detect';
}

export interface StoreLayerOptions {
  /** Aborts the store: the stream is dropped and the temporary directory removed. */
  readonly signal?: AbortSignal;
  /** Called as the stream's own bytes arrive (before decompression), with the count so far. */
  readonly onBytes?: (received: number) => void;
  /** A registry blob this layer was pulled as, remembered so that a push can skip or mount it. */
  readonly source?: LayerSource;
}

export interface LayerSource {
  /** The blob's digest (compressed) and the repositories (`registry/name`) that have it. */
  readonly digest: string;
  readonly repository: string;
}

export interface StoredLayer {
  readonly diffId: string;
  /** Bytes of the uncompressed tar. */
  readonly size: number;
  /** The layer was in the store already; the stream was read to its end and nothing was written. */
  readonly existed: boolean;
}

export interface LayerMeta {
  readonly size: number;
  /** Compressed blobs known to have this layer's content, by digest, with the repositories that hold them. */
  readonly blobs?: Readonly<Record<string, readonly string[]>>;
}

/** Digests berth checks: `sha256:<64 hex>` and the two longer SHA-2s; anything else (`..`, odd algorithms) refused. */
const DIGEST = /^(sha256:[0-9a-f]{64}|sha384:[0-9a-f]{96}|sha512:[0-9a-f]{128})$/;

export function isDigest(value: unknown): value is string {
  return typeof value === 'string' && DIGEST.test(value);
}

/** A diff id names a layer's directory: sha256 only. */
export function isDiffId(value: unknown): value is string {
  return typeof value === 'string' && /^sha256:[0-9a-f]{64}$/.test(value);
}

/** What a removed layer's directory is renamed to under the engine's tmp/ before it is deleted. */
const TRASH_PREFIX = 'trash-';

export class LayerStore {
  /** Layers being stored now, by diff id, so that two pulls of one layer unpack it once. */
  private readonly inflight = new Map<string, Promise<StoredLayer>>();
  /** Deletions under way in the background. */
  private readonly removals = new Set<Promise<void>>();

  constructor(
    private readonly layout: Layout,
    /** The berth-whiteouts helper: `.wh.` files become overlayfs whiteouts. */
    private readonly whiteouts: string,
    /** How tar is started: through the engine's spawner, so that a pull does not fork the engine once per layer. */
    private readonly startFilter: (argv: readonly string[]) => Promise<FilterProcess> = localFilter,
  ) {}

  has(diffId: string): boolean {
    return isDiffId(diffId) && existsSync(this.layout.layerMeta(diffId.slice(7)));
  }

  meta(diffId: string): LayerMeta | undefined {
    return isDiffId(diffId) ? readJsonFile<LayerMeta>(this.layout.layerMeta(diffId.slice(7))) : undefined;
  }

  /** The blob a layer was stored from, as it arrived; undefined for a layer stored before berth kept them. */
  archive(diffId: string): { path: string; gzip: boolean } | undefined {
    if (!isDiffId(diffId)) return undefined;
    const gzip = this.layout.layerGzip(diffId.slice(7));
    if (existsSync(gzip)) return { path: gzip, gzip: true };
    const tar = this.layout.layerTar(diffId.slice(7));
    return existsSync(tar) ? { path: tar, gzip: false } : undefined;
  }

  /** The layer's uncompressed tar (its diff id's bytes), decompressed as it is read. */
  openTar(diffId: string): Readable | undefined {
    const archive = this.archive(diffId);
    if (!archive) return undefined;
    const file = createReadStream(archive.path, { highWaterMark: 1 << 20 });
    if (!archive.gzip) return file;
    const gunzip = createGunzip({ chunkSize: 1 << 20 });
    file.on('error', (error) => gunzip.destroy(error));
    gunzip.on('close', () => file.destroy());
    return file.pipe(gunzip);
  }

  /**
   * Removes a layer (by its directory's name, the diff id's hex): its directory is renamed into the trash under tmp/
   * at once, so no reader finds it any more, and deleted in the background: deleting the files of a large image
   * takes long enough (about half a second for 100 MB) to stall every other request if done in the event loop.
   */
  remove(diffHex: string): void {
    const trash = join(this.layout.tmp, `${TRASH_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      renameSync(dirname(this.layout.layer(diffHex)), trash);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    this.discard(trash);
  }

  /** Finishes, in the background, the deletions an engine stopped in the middle of (trash left under tmp/). */
  emptyTrash(): void {
    if (!existsSync(this.layout.tmp)) return;
    for (const name of readdirSync(this.layout.tmp)) if (name.startsWith(TRASH_PREFIX)) this.discard(join(this.layout.tmp, name));
  }

  /** Resolves once every background deletion has finished. */
  async settled(): Promise<void> {
    while (this.removals.size > 0) await Promise.all(this.removals);
  }

  private discard(path: string): void {
    // A failure leaves the trash for the next start to finish.
    const removal: Promise<void> = rm(path, { recursive: true, force: true, maxRetries: 3 })
      .catch(() => undefined)
      .finally(() => this.removals.delete(removal));
    this.removals.add(removal);
  }

  /** Remembers that `repository` holds this layer as the blob `digest` (after a pull or a push). */
  recordBlob(diffId: string, source: LayerSource): void {
    const meta = this.meta(diffId);
    if (!meta) return;
    const known = meta.blobs?.[source.digest] ?? [];
    if (known.includes(source.repository)) return;
    writeJsonAtomic(this.layout.layerMeta(diffId.slice(7)), { ...meta, blobs: { ...meta.blobs, [source.digest]: [...known, source.repository] } });
  }

  /**
   * Stores one layer from a stream of its bytes (a registry blob, a tar entry of an archive, a file): the bytes are
   * hashed and kept as they arrive, decompressed and unpacked by GNU tar (which strips leading `/`,
   * refuses `..` members and creates symlinks that point outside only after everything else), all in one pass into
   * a temporary directory; the layer is renamed into the store only when every digest matched. A layer already in
   * the store is not written again (the stream is drained).
   */
  async storeFromStream(input: Readable, expected: LayerExpectation, options: StoreLayerOptions = {}): Promise<StoredLayer> {
    if (expected.digest !== undefined && !isDigest(expected.digest)) throw invalid(`invalid layer digest ${JSON.stringify(expected.digest).slice(0, 100)}`);
    if (expected.diffId !== undefined && !isDiffId(expected.diffId)) throw invalid(`invalid layer diff id ${JSON.stringify(expected.diffId).slice(0, 100)}`);
    const known = expected.diffId;
    if (known) {
      const running = this.inflight.get(known);
      if (running) await running.catch(() => undefined);
      if (this.has(known)) return this.alreadyStored(input, known, options);
      const storing = this.unpack(input, expected, options);
      this.inflight.set(known, storing);
      try {
        return await storing;
      } finally {
        this.inflight.delete(known);
      }
    }
    return this.unpack(input, expected, options);
  }

  private async alreadyStored(input: Readable, diffId: string, options: StoreLayerOptions): Promise<StoredLayer> {
    input.resume();
    await once(input, 'end').catch(() => undefined);
    if (options.source) this.recordBlob(diffId, options.source);
    return { diffId, size: this.meta(diffId)?.size ?? 0, existed: true };
  }

  private async unpack(input: Readable, expected: LayerExpectation, options: StoreLayerOptions): Promise<StoredLayer> {
    const work = join(this.layout.tmp, `layer-${randomBytes(8).toString('hex')}`);
    mkdirSync(join(work, 'fs'), { recursive: true });
    let unpacker: FilterProcess | undefined;
    let kept: WriteStream | undefined;
    try {
      const compression = expected.compression === 'gzip' || expected.compression === 'none' ? expected.compression : detectCompression(await peek(input, 4));
      const blob = new BlobCheck(expected, options.onBytes);
      kept = createWriteStream(join(work, compression === 'gzip' ? LAYER_ARCHIVES.gzip : LAYER_ARCHIVES.none), { highWaterMark: 1 << 20 });
      unpacker = await this.startFilter(['tar', '-x', '--numeric-owner', '--same-owner', '-p', '--xattrs', '-C', join(work, 'fs'), '-f', '-']);
      const sink = new LayerSink(unpacker);
      const stages: NodeJS.ReadWriteStream[] = [blob, new KeepCopy(kept)];
      // zlib's default 16 KiB output chunks cost a round trip to libuv's pool each: a few times the CPU of 1 MiB ones.
      if (compression === 'gzip') stages.push(createGunzip({ chunkSize: 1 << 20 }));
      await pipeline([input, ...stages, sink], options.signal ? { signal: options.signal } : {});
      blob.verify();
      const diffId = `sha256:${sink.digest()}`;
      if (expected.diffId && diffId !== expected.diffId) throw invalid(`layer content is ${diffId}, the image config says ${expected.diffId}`);
      // The helper walks the whole tree: a layer none of whose bytes spell `.wh.` has no whiteout for it to convert.
      if (sink.mayHaveWhiteouts) {
        const whiteouts = await run(this.whiteouts, [join(work, 'fs')]);
        if (whiteouts.code !== 0) throw invalid(`invalid layer ${diffId}: ${whiteouts.stderr.trim().split(`${work}/fs`).join('')}`);
      }
      const meta: LayerMeta = { size: sink.bytes, ...(options.source ? { blobs: { [options.source.digest]: [options.source.repository] } } : {}) };
      // Not flushed: the unpacked files beside it are not either (nor are they by dockerd), so a flush here would
      // block the event loop (and every other layer streaming in) for no guarantee.
      writeJsonAtomic(join(work, 'meta.json'), meta, { durable: false });
      return this.moveIntoPlace(work, diffId, sink.bytes, options.source);
    } catch (error) {
      // tar is gone, and the kept file closed, before the directory is removed: a tar still writing into it, or a
      // file whose open completes after the removal read the directory, would make the removal fail (ENOTEMPTY).
      if (unpacker) await unpacker.kill();
      if (kept) await closed(kept);
      throw layerError(error, work);
    } finally {
      rmSync(work, { recursive: true, force: true, maxRetries: 3 });
    }
  }

  private moveIntoPlace(work: string, diffId: string, size: number, source: LayerSource | undefined): StoredLayer {
    const target = dirname(this.layout.layer(diffId.slice(7)));
    mkdirSync(dirname(target), { recursive: true });
    if (this.has(diffId)) {
      if (source) this.recordBlob(diffId, source);
      return { diffId, size, existed: true };
    }
    // A directory without meta.json is what an older engine left when it died unpacking: it never was a layer.
    rmSync(target, { recursive: true, force: true });
    try {
      renameSync(work, target);
    } catch (error) {
      // Another store of the same content won the rename: that layer is the same one.
      if (!this.has(diffId)) throw error;
    }
    return { diffId, size, existed: false };
  }
}

/** Hashes and counts a blob's own bytes as they pass, and cuts off one that outgrows its descriptor's size. */
class BlobCheck extends Transform {
  private readonly hash: Hash | undefined;
  private received = 0;

  constructor(
    private readonly expected: LayerExpectation,
    private readonly onBytes: ((received: number) => void) | undefined,
  ) {
    super();
    this.hash = expected.digest ? createHash(expected.digest.slice(0, expected.digest.indexOf(':'))) : undefined;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.received += chunk.length;
    if (this.expected.size !== undefined && this.received > this.expected.size) {
      callback(invalid(`layer ${this.expected.digest ?? ''} is larger than the ${this.expected.size} bytes its descriptor says`.replace('  ', ' ')));
      return;
    }
    this.hash?.update(chunk);
    this.onBytes?.(this.received);
    callback(null, chunk);
  }

  verify(): void {
    const { digest, size } = this.expected;
    if (size !== undefined && this.received < size) throw invalid(`layer ${digest ?? ''} is truncated: ${this.received} of ${size} bytes arrived`.replace('  ', ' '));
    if (digest && this.hash) {
      const actual = `${digest.slice(0, digest.indexOf(':'))}:${this.hash.digest('hex')}`;
      if (actual !== digest) throw invalid(`layer digest mismatch: the content is ${actual}, expected ${digest}`);
    }
  }
}

/** Writes what passes to a file as well (the blob as it arrived), and ends once the file is closed. */
class KeepCopy extends Transform {
  constructor(private readonly file: WriteStream) {
    super({ highWaterMark: 1 << 20 });
    file.on('error', (error) => this.destroy(error));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    if (this.file.write(chunk)) callback(null, chunk);
    else this.file.once('drain', () => callback(null, chunk));
  }

  override _flush(callback: TransformCallback): void {
    this.file.end();
    this.file.once('close', () => callback());
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.file.destroy();
    callback(error);
  }
}

const WHITEOUT = Buffer.from('.wh.');

/** Feeds the uncompressed tar to the unpacking tar's stdin, hashing it (the diff id) and looking for whiteouts. */
class LayerSink extends Writable {
  private readonly hash = createHash('sha256');
  bytes = 0;
  /** Some bytes spell `.wh.` (every whiteout's name does, in a header or a long-name record); usually none do. */
  mayHaveWhiteouts = false;
  private tail = Buffer.alloc(0);
  /** How tar ended, once it has. */
  private ended: { code: number; stderr: string } | undefined;

  constructor(private readonly unpacker: FilterProcess) {
    super({ highWaterMark: 1 << 20 });
    // tar may stop reading (a fatal error): what it says is reported, not the EPIPE that follows.
    unpacker.stdin.on('error', () => undefined);
    void unpacker.exited.then((result) => (this.ended = result));
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    if (!this.mayHaveWhiteouts) {
      // The word may straddle two chunks: the last three bytes of the one before are looked at with this one's start.
      // Chunks shorter than that (a slow or hostile sender) carry the tail of the ones before them along.
      const seam = Buffer.concat([this.tail, chunk.subarray(0, 3)]);
      this.mayHaveWhiteouts = chunk.includes(WHITEOUT) || seam.includes(WHITEOUT);
      this.tail = Buffer.from(chunk.length >= 3 ? chunk.subarray(chunk.length - 3) : seam.subarray(Math.max(0, seam.length - 3)));
    }
    // A tar that failed makes the layer fail at once, not after the rest has been downloaded. One that finished well
    // has read the end-of-archive blocks: what follows (padding) is only hashed, as it is part of the diff id.
    if (this.ended && this.ended.code !== 0) return callback(tarError(this.ended.stderr, this.ended.code));
    const stdin = this.unpacker.stdin;
    if (this.ended || stdin.destroyed || stdin.write(chunk)) callback();
    else Promise.race([once(stdin, 'drain'), this.unpacker.exited]).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.unpacker.stdin.end();
    this.unpacker.exited
      .then((result) => {
        if (result.code !== 0) callback(tarError(result.stderr, result.code));
        else callback();
      })
      .catch(callback);
  }

  digest(): string {
    return this.hash.digest('hex');
  }
}

/** The first `count` bytes of a stream (fewer if it ends), put back so that the stream still starts with them. */
async function peek(input: Readable, count: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < count) {
    const chunk = input.read() as Buffer | null;
    if (chunk !== null) {
      chunks.push(chunk);
      size += chunk.length;
      continue;
    }
    if (input.readableEnded || input.destroyed) break;
    const ended = once(input, 'end').then(() => true);
    const readable = once(input, 'readable').then(() => false);
    if (await Promise.race([ended, readable])) break;
  }
  const head = Buffer.concat(chunks);
  if (head.length > 0) input.unshift(head);
  return head;
}

function detectCompression(head: Buffer): 'gzip' | 'none' {
  if (head[0] === 0x1f && head[1] === 0x8b) return 'gzip';
  if (head.readUInt32LE?.(0) === 0xfd2fb528 && head.length >= 4) throw new EngineError('unsupported', 'zstd-compressed layers are not supported by berth\'s engine (only gzip and uncompressed)');
  if (head[0] === 0x42 && head[1] === 0x5a && head[2] === 0x68) throw new EngineError('unsupported', 'bzip2-compressed layers are not supported by berth\'s engine (only gzip and uncompressed)');
  if (head[0] === 0xfd && head[1] === 0x37 && head[2] === 0x7a && head[3] === 0x58) throw new EngineError('unsupported', 'xz-compressed layers are not supported by berth\'s engine (only gzip and uncompressed)');
  return 'none';
}

function tarError(stderr: string, code: number): EngineError {
  const lines = stderr.split('\n').filter((line) => line.startsWith('tar: ') && !/Exiting with failure|Error is not recoverable/.test(line));
  const text = lines.map((line) => line.slice(5)).join('; ') || `tar exited with ${code}`;
  if (/No space left on device/.test(text)) return new EngineError('internal', 'no space left on device while unpacking a layer');
  return invalid(`invalid layer archive: ${text}`);
}

/** Errors of a layer store as clients see them: the temporary directory's path is not theirs to know. */
function layerError(error: unknown, work: string): unknown {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (code === 'ENOSPC') return new EngineError('internal', 'no space left on device while storing a layer');
  if (code === 'Z_DATA_ERROR' || code === 'Z_BUF_ERROR') return invalid(`invalid gzip data in layer: ${(error as Error).message}`);
  if (error instanceof Error && error.name === 'AbortError') return new EngineError('invalid', 'layer store aborted');
  if (error instanceof Error && !(error instanceof EngineError) && error.message.includes(work)) return new EngineError('internal', error.message.split(work).join('<layer>'));
  return error;
}

function run(program: string, args: readonly string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(program, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, stderr }));
  });
}

/** Destroys a file stream and resolves once its descriptor is closed (an open still under way completes first). */
function closed(file: WriteStream): Promise<void> {
  if (file.closed) return Promise.resolve();
  return new Promise((resolve) => {
    file.once('close', () => resolve());
    file.destroy();
  });
}
