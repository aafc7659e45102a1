// A container's mounts: made at create (volumes looked up or created, `VolumesFrom` copied from another container,
// a new volume filled from the image: Docker's copy-up), and readied before each start (host paths made, volume
// data and subpaths resolved).
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { invalid } from '../../errors.js';
import type { RuncDriver } from '../../runtime/runc.js';
import { mustRun } from '../../runtime/tools.js';
import type { ContainerRecord, HostConfig, MountPoint, VolumeMountRequest } from '../container-record.js';
import type { ImageService } from '../images.js';
import type { VolumeService } from '../volumes.js';

/**
 * `VolumesFrom` (`container[:ro|rw]`): the other container's mounts, read-only or read-write as asked, else as
 * they are there.
 */
export function mountsFrom(host: Pick<HostConfig, 'VolumesFrom'>, mountsOf: (reference: string) => readonly MountPoint[]): MountPoint[] {
  const mounts: MountPoint[] = [];
  for (const entry of host.VolumesFrom ?? []) {
    const [reference = '', mode = ''] = entry.split(':');
    if (!['', 'ro', 'rw'].includes(mode)) throw invalid(`invalid mode for volumes-from: ${mode}`);
    for (const mount of mountsOf(reference)) {
      if (mounts.some((existing) => existing.target === mount.target)) continue;
      mounts.push({ ...mount, readOnly: mode === '' ? mount.readOnly : mode === 'ro' });
    }
  }
  return mounts;
}

/** A volume to fill from the image at create. */
export interface CopyUp {
  readonly volume: string;
  readonly target: string;
}

/**
 * The requested volumes on targets nothing else mounts, each looked up or created (an empty name: a new anonymous
 * volume, listed in `anonymous`); a new volume is to be filled from the image unless `nocopy` or a subpath says
 * otherwise.
 */
export function attachVolumes(requests: readonly VolumeMountRequest[], taken: readonly MountPoint[], volumes: VolumeService): { mounts: MountPoint[]; copies: CopyUp[]; anonymous: string[] } {
  const mounts: MountPoint[] = [];
  const copies: CopyUp[] = [];
  const anonymous: string[] = [];
  for (const volume of requests) {
    if ([...taken, ...mounts].some((mount) => mount.target === volume.target)) continue;
    const driver = volume.driver ? { Driver: volume.driver.name ?? 'local', DriverOpts: volume.driver.options ?? null } : {};
    const created = volume.name ? volumes.create({ Name: volume.name, Labels: volume.labels ?? null, ...driver }) : volumes.create({ Labels: volume.labels ?? null, ...driver }, true);
    if (!volume.name) anonymous.push(created.name);
    mounts.push({ type: 'volume', name: created.name, source: volumes.mountpoint(created.name), target: volume.target, readOnly: volume.readOnly, ...(volume.subpath ? { subpath: volume.subpath } : {}) });
    if (!volume.noCopy && !volume.subpath) copies.push({ volume: created.name, target: volume.target });
  }
  return { mounts, copies, anonymous };
}

/** Whether the copy-up has something to do: the volume is empty, and the image has files at its target. */
export function copyUpNeeded(imageId: string, copy: CopyUp, deps: { images: ImageService; volumes: VolumeService }): boolean {
  const layers = deps.images.layerDirs(deps.images.resolve(imageId));
  return deps.volumes.isEmpty(copy.volume) && layers.some((layer) => hasEntries(join(layer, copy.target)));
}

/** A new volume gets what the image has at its target (Docker's copy-up), unless the volume holds files already. */
export async function copyUp(record: ContainerRecord, copy: CopyUp, deps: { images: ImageService; volumes: VolumeService; runtime: RuncDriver }): Promise<void> {
  if (!copyUpNeeded(record.imageId, copy, deps)) return;
  const layers = deps.images.layerDirs(deps.images.resolve(record.imageId));
  const rootfs = await deps.runtime.mountRootfs(record.id, layers);
  const from = join(rootfs, copy.target);
  if (!existsSync(from) || !statSync(from).isDirectory()) return;
  await mustRun('cp', ['-a', `${from}/.`, deps.volumes.mountpoint(copy.volume)]);
}

/** The mounts as runc gets them for a start: missing `Binds` host paths made, volumes at their data (or subpath). */
export async function readyMounts(record: ContainerRecord, volumes: VolumeService): Promise<MountPoint[]> {
  const mounts: MountPoint[] = [];
  for (const mount of record.mounts) {
    if (mount.type === 'bind' && mount.createHostPath && !existsSync(mount.source)) mkdirSync(mount.source, { recursive: true });
    mounts.push(mount.type === 'volume' ? { ...mount, source: await volumes.prepare(mount.name!, mount.subpath) } : mount);
  }
  return mounts;
}

/** Deletes what a directory holds, keeping the directory (a volume's data, put back as it was before a copy-up). */
export function emptyDirectory(directory: string): void {
  for (const entry of readdirSync(directory)) rmSync(join(directory, entry), { recursive: true, force: true });
}

function hasEntries(directory: string): boolean {
  try {
    return readdirSync(directory).length > 0;
  } catch {
    return false; // not in this layer, or not a directory: nothing to copy from it
  }
}
