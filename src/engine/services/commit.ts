// `docker commit` and `docker diff`: a container's changes (its overlay upper directory) as a new image layer on
// top of its image, and as a list of paths added, changed and deleted.
import { createHash, randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import { closeSync, constants, createReadStream, existsSync, mkdirSync, openSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError, unsupported } from '../errors.js';
import type { RuncDriver } from '../runtime/runc.js';
import { mustRun } from '../runtime/tools.js';
import type { Tools } from '../runtime/tools.js';
import { at, hostless, isCode, lstatOrUndefined, PathError, RootDir } from '../store/in-root.js';
import type { Layout } from '../store/layout.js';
import type { ContainerService } from './containers.js';
import type { EventBus } from './events.js';
import type { ImageService } from './images.js';

export interface CommitOptions {
  readonly reference?: string;
  readonly comment?: string;
  readonly author?: string;
  readonly pause: boolean;
  readonly changes: readonly string[];
}

export interface CommitServices {
  readonly layout: Layout;
  readonly tools: Tools;
  readonly images: ImageService;
  readonly containers: ContainerService;
  readonly runtime: RuncDriver;
  readonly events: EventBus;
}

export async function commitContainer(services: CommitServices, containerRef: string, options: CommitOptions): Promise<string> {
  const { images, containers } = services;
  if (options.changes.length > 0) throw unsupported('commit --change');
  const record = containers.get(containerRef);
  const image = images.resolve(record.imageId);
  const layer = await containerLayer(services, record.id, options.pause);
  try {
    const created = new Date().toISOString();
    const base = image.config;
    const { Env, Cmd, Entrypoint, WorkingDir, User, Labels, ExposedPorts, StopSignal } = record.config;
    const config = {
      ...base,
      created,
      ...(options.author ? { author: options.author } : {}),
      config: { ...base.config, Env, Cmd, Entrypoint, WorkingDir, User, Labels, ExposedPorts, StopSignal },
      rootfs: { type: 'layers', diff_ids: [...base.rootfs.diff_ids, layer.diffId] },
      history: [...(base.history ?? []), { created, created_by: [record.path, ...record.args].join(' '), ...(options.comment ? { comment: options.comment } : {}) }],
    };
    const reference = options.reference ? (options.reference.lastIndexOf(':') > options.reference.lastIndexOf('/') ? options.reference : `${options.reference}:latest`) : undefined;
    const id = await images.storeNew(Buffer.from(JSON.stringify(config)), [layer.tar], reference ? [reference] : []);
    services.events.emit('container', 'commit', record.id, { ...record.config.Labels, name: record.name, image: record.image });
    return id;
  } finally {
    layer.remove();
  }
}

/**
 * What the container changed (its overlay upper directory, less what the runtime put there), as a layer tar in
 * the image store's format, with its diff id; `remove` deletes the temporary files.
 */
export async function containerLayer(services: CommitServices, containerRef: string, pause: boolean): Promise<{ tar: string; diffId: string; remove: () => void }> {
  const { layout, tools, images, containers, runtime } = services;
  const record = containers.get(containerRef);
  const image = images.resolve(record.imageId);
  const stage = join(layout.tmp, `commit-${randomBytes(6).toString('hex')}`);
  mkdirSync(stage, { recursive: true });
  const remove = (): void => rmSync(stage, { recursive: true, force: true });
  try {
    const paused = pause && record.state.status === 'running';
    if (paused) await runtime.pause(record.id);
    try {
      await copyUpper(layout.upper(record.id), join(stage, 'layer'));
    } finally {
      if (paused) await runtime.resume(record.id);
    }
    removeRuntimePaths(join(stage, 'layer'), images.layerDirs(image));
    await mustRun(tools.whiteouts, ['--to-layer', join(stage, 'layer')]);
    return { ...(await tarLayer(join(stage, 'layer'), join(stage, 'layer.tar'))), remove };
  } catch (error) {
    remove();
    throw error;
  }
}

/** A directory as a layer tar (numeric owners, as the store keeps them), with the tar's digest: its diff id. */
export async function tarLayer(dir: string, tar: string): Promise<{ tar: string; diffId: string }> {
  await mustRun('tar', ['-c', '--numeric-owner', '-f', tar, '-C', dir, '.']);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(tar)) hash.update(chunk as Buffer);
  return { tar, diffId: `sha256:${hash.digest('hex')}` };
}

/**
 * A copy of a container's upper directory, whiteouts and overlay attributes kept. GNU tar walks it from a
 * descriptor the engine holds, opening each entry relative to its directory without following links, so a running
 * container (commit --pause=false) that swaps a link in cannot make the copy read the host.
 */
async function copyUpper(upper: string, copy: string): Promise<void> {
  mkdirSync(copy);
  await RootDir.with(upper, async (root) => {
    const xattrs = ['--xattrs', '--xattrs-include=*'];
    const reader = spawn('tar', ['-c', '--numeric-owner', ...xattrs, '-C', '/proc/self/fd/3', '.'], { stdio: ['ignore', 'pipe', 'pipe', root.fd] });
    const writer = spawn('tar', ['-x', '--numeric-owner', '--same-owner', '-p', ...xattrs, '-C', copy], { stdio: ['pipe', 'ignore', 'pipe'] });
    reader.stdout!.pipe(writer.stdin!);
    writer.stdin!.on('error', () => {}); // the writer gone: its exit says why
    const exit = (child: ReturnType<typeof spawn>): Promise<number> =>
      new Promise((resolve) => {
        child.on('error', () => resolve(127));
        child.on('close', (code) => resolve(code ?? 1));
      });
    const [read, written] = await Promise.all([exit(reader), exit(writer)]);
    // (GNU tar exits 1 when a file changed while it was read: a running container's, expected.)
    if (read > 1 || written !== 0) throw new EngineError('internal', 'could not copy the container\'s changes');
  });
}

/** What runc and the engine put in every container (mount points, the engine's /etc files): never a change of it. */
const RUNTIME_PATHS = ['/dev', '/proc', '/sys', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/.dockerenv'];

function isRuntimePath(path: string): boolean {
  return RUNTIME_PATHS.some((runtime) => path === runtime || path.startsWith(`${runtime}/`));
}

/** The image's layers, open, to ask whether a path is in one of them (looked up inside each). */
function lowerLayers(lowers: readonly string[]): { has: (path: string) => boolean; close: () => void } {
  const roots = lowers.filter((dir) => existsSync(dir)).map((dir) => RootDir.open(dir));
  const has = (path: string): boolean =>
    roots.some((root) => {
      try {
        return root.with(path, {}, (location) => location.exists);
      } catch (error) {
        if (error instanceof PathError) return false;
        throw error;
      }
    });
  return { has, close: () => roots.forEach((root) => root.close()) };
}

/**
 * Directories the image lacked and that hold only runtime paths (runc made /etc for /etc/hosts) are not changes;
 * an empty new directory is one (`mkdir /tmp`). `name` is in the directory held by `dirFd`.
 */
function onlyRuntime(dirFd: number, name: string, path: string, inLower: (path: string) => boolean): boolean {
  if (inLower(path)) return false;
  const info = lstatOrUndefined(at(dirFd, name));
  if (!info) return false;
  if (!info.isDirectory()) return isRuntimePath(path);
  return withDirectory(dirFd, name, (fd) => {
    const names = readdirSync(at(fd, ''));
    return names.length > 0 && names.every((child) => isRuntimePath(`${path}/${child}`) || onlyRuntime(fd, child, `${path}/${child}`, inLower));
  }) ?? false;
}

/** `use` with the directory `name` in `dirFd` open (not through a link); undefined when it is not one any more. */
function withDirectory<T>(dirFd: number, name: string, use: (fd: number) => T): T | undefined {
  let fd: number;
  try {
    fd = openSync(at(dirFd, name), constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  } catch (error) {
    if (isCode(error, 'ELOOP', 'ENOTDIR', 'ENOENT')) return undefined;
    throw hostless(error);
  }
  try {
    return use(fd);
  } finally {
    closeSync(fd);
  }
}

/** Takes the runtime's paths out of a copy of the upper directory, each found inside it (never through a link). */
function removeRuntimePaths(upper: string, lowers: readonly string[]): void {
  const lower = lowerLayers(lowers);
  try {
    RootDir.withSync(upper, (root) => {
      // Decided while the runtime's files are still there: a directory that held only those goes too.
      const runtimeOnly = readdirSync(at(root.fd, '')).filter((name) => onlyRuntime(root.fd, name, `/${name}`, lower.has));
      for (const path of [...RUNTIME_PATHS, ...runtimeOnly.map((name) => `/${name}`)]) {
        try {
          root.with(path, {}, (location) => location.exists && location.remove());
        } catch (error) {
          if (!(error instanceof PathError)) throw error;
        }
      }
    });
  } finally {
    lower.close();
  }
}

/** Paths the container changed: Kind 0 modified, 1 added, 2 deleted (an overlay whiteout). */
export function containerChanges(services: Pick<CommitServices, 'layout' | 'images' | 'containers'>, containerRef: string): Array<{ Path: string; Kind: number }> {
  const record = services.containers.get(containerRef);
  const upper = services.layout.upper(record.id);
  const out: Array<{ Path: string; Kind: number }> = [];
  if (!existsSync(upper)) return out;
  const lower = lowerLayers(services.images.layerDirs(services.images.resolve(record.imageId)));
  // The upper directory of a running container: walked through descriptors, links never followed.
  const walk = (dirFd: number, relative: string): void => {
    for (const name of readdirSync(at(dirFd, '')).sort()) {
      const path = `${relative}/${name}`;
      if (isRuntimePath(path) || onlyRuntime(dirFd, name, path, lower.has)) continue;
      const info = lstatOrUndefined(at(dirFd, name));
      if (!info) continue;
      if (info.isCharacterDevice() && info.rdev === 0) {
        out.push({ Path: path, Kind: 2 });
        continue;
      }
      out.push({ Path: path, Kind: lower.has(path) ? 0 : 1 });
      if (info.isDirectory()) withDirectory(dirFd, name, (fd) => walk(fd, path));
    }
  };
  try {
    RootDir.withSync(upper, (root) => walk(root.fd, ''));
  } finally {
    lower.close();
  }
  return out;
}
