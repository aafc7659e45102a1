// `docker commit` and `docker diff`: a container's changes (its overlay upper directory) as a new image layer on
// top of its image, and as a list of paths added, changed and deleted.
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, lstatSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { unsupported } from '../errors.js';
import type { RuncDriver } from '../runtime/runc.js';
import { mustRun } from '../runtime/tools.js';
import type { Tools } from '../runtime/tools.js';
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
      await mustRun('cp', ['-a', layout.upper(record.id), join(stage, 'layer')]);
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

/** What runc and the engine put in every container (mount points, the engine's /etc files): never a change of it. */
const RUNTIME_PATHS = ['/dev', '/proc', '/sys', '/etc/hostname', '/etc/hosts', '/etc/resolv.conf', '/.dockerenv'];

function isRuntimePath(path: string): boolean {
  return RUNTIME_PATHS.some((runtime) => path === runtime || path.startsWith(`${runtime}/`));
}

/**
 * Directories the image lacked and that hold only runtime paths (runc made /etc for /etc/hosts) are not changes;
 * an empty new directory is one (`mkdir /tmp`).
 */
function onlyRuntime(upper: string, path: string, inLower: (path: string) => boolean): boolean {
  if (inLower(path)) return false;
  const info = lstatSync(join(upper, path));
  if (!info.isDirectory()) return isRuntimePath(path);
  const names = readdirSync(join(upper, path));
  return names.length > 0 && names.every((name) => {
    const child = `${path}/${name}`;
    return isRuntimePath(child) || onlyRuntime(upper, child, inLower);
  });
}

function removeRuntimePaths(upper: string, lowers: readonly string[]): void {
  const inLower = (path: string): boolean => lowers.some((dir) => existsSync(join(dir, path)));
  // Decided while the runtime's files are still there: a directory that held only those goes too.
  const runtimeOnly = readdirSync(upper).filter((name) => onlyRuntime(upper, `/${name}`, inLower));
  for (const path of RUNTIME_PATHS) rmSync(join(upper, path), { recursive: true, force: true });
  for (const name of runtimeOnly) rmSync(join(upper, name), { recursive: true, force: true });
}

/** Paths the container changed: Kind 0 modified, 1 added, 2 deleted (an overlay whiteout). */
export function containerChanges(services: Pick<CommitServices, 'layout' | 'images' | 'containers'>, containerRef: string): Array<{ Path: string; Kind: number }> {
  const record = services.containers.get(containerRef);
  const lowers = services.images.layerDirs(services.images.resolve(record.imageId));
  const upper = services.layout.upper(record.id);
  const out: Array<{ Path: string; Kind: number }> = [];
  if (!existsSync(upper)) return out;
  const inLower = (path: string): boolean => lowers.some((dir) => existsSync(join(dir, path)));
  const walk = (relative: string): void => {
    for (const name of readdirSync(join(upper, relative)).sort()) {
      const path = `${relative}/${name}`;
      if (isRuntimePath(path) || onlyRuntime(upper, path, inLower)) continue;
      const info = lstatSync(join(upper, path));
      if (info.isCharacterDevice() && info.rdev === 0) {
        out.push({ Path: path, Kind: 2 });
        continue;
      }
      out.push({ Path: path, Kind: inLower(path) ? 0 : 1 });
      if (info.isDirectory()) walk(path);
    }
  };
  walk('');
  return out;
}
