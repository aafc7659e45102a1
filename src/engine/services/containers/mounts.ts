// A container's mounts: made at create (volumes looked up or created, `VolumesFrom` copied from another container,
// a new volume filled from the image: Docker's copy-up), and readied before each start (host paths made, volume
// data and subpaths resolved).
import { closeSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { invalid } from '../../errors.js';
import type { RuncDriver } from '../../runtime/runc.js';
import { at, isCode, PathError, removeAt, RootDir } from '../../store/in-root.js';
import { copyInto } from '../../store/root-archive.js';
import type { ContainerRecord, HostConfig, MountPoint, VolumeMountRequest } from '../container-record.js';
import type { ImageService } from '../images.js';
import type { PreparedMount, VolumeService } from '../volumes.js';

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
    const driver = volume.driver ? { Driver: volume.driver.name ?? 'local', ...(volume.driver.options ? { DriverOpts: volume.driver.options } : {}) } : {};
    const labels = volume.labels ? { Labels: volume.labels } : {};
    const created = volume.name ? volumes.create({ Name: volume.name, ...labels, ...driver }) : volumes.create({ ...labels, ...driver }, true);
    if (!volume.name) anonymous.push(created.name);
    mounts.push({ type: 'volume', name: created.name, source: volumes.mountpoint(created.name), target: volume.target, readOnly: volume.readOnly, ...(volume.subpath ? { subpath: volume.subpath } : {}) });
    if (!volume.noCopy && !volume.subpath) copies.push({ volume: created.name, target: volume.target });
  }
  return { mounts, copies, anonymous };
}

/** Whether the copy-up has something to do: the volume is empty, and the image has files at its target. */
export function copyUpNeeded(imageId: string, copy: CopyUp, deps: { images: ImageService; volumes: VolumeService }): boolean {
  const layers = deps.images.layerDirs(deps.images.resolve(imageId));
  return deps.volumes.isEmpty(copy.volume) && layers.some((layer) => mayHaveFiles(layer, copy.target));
}

/**
 * A new volume gets what the image has at its target (Docker's copy-up), unless the volume holds files already. The
 * target is resolved inside the container's root filesystem (a VOLUME that is a link in the image is followed in
 * the image, never on the host), and the files are copied through descriptors held on both sides.
 */
export async function copyUp(record: ContainerRecord, copy: CopyUp, deps: { images: ImageService; volumes: VolumeService; runtime: RuncDriver }): Promise<void> {
  if (!copyUpNeeded(record.imageId, copy, deps)) return;
  const layers = deps.images.layerDirs(deps.images.resolve(record.imageId));
  const rootfs = await deps.runtime.mountRootfs(record.id, layers);
  await RootDir.with(rootfs, async (root) => {
    let location;
    try {
      location = root.find(copy.target, { follow: true });
    } catch (error) {
      if (error instanceof PathError) return; // nothing there in the image: nothing to copy
      throw error;
    }
    try {
      if (location.entry.kind !== 'directory') return;
      await RootDir.with(deps.volumes.mountpoint(copy.volume), (volume) => copyInto(location, '.', volume, '/'));
    } finally {
      location.close();
    }
  });
}

/**
 * The mounts as runc gets them for a start: missing `Binds` host paths made, volumes at their data (or subpath,
 * pinned until `release`: call it once runc has made the mounts, or the start failed).
 */
export async function readyMounts(record: ContainerRecord, volumes: VolumeService): Promise<{ mounts: MountPoint[]; release: () => Promise<void> }> {
  const mounts: MountPoint[] = [];
  const prepared: PreparedMount[] = [];
  const release = async (): Promise<void> => {
    for (const mount of prepared.splice(0)) await mount.release();
  };
  try {
    for (const mount of record.mounts) {
      if (mount.type === 'bind' && mount.createHostPath && !existsSync(mount.source)) mkdirSync(mount.source, { recursive: true });
      if (mount.type !== 'volume') {
        mounts.push(mount);
        continue;
      }
      const volume = await volumes.prepare(mount.name!, mount.subpath);
      prepared.push(volume);
      mounts.push({ ...mount, source: volume.source });
    }
  } catch (error) {
    await release();
    throw error;
  }
  return { mounts, release };
}

/**
 * Deletes what a directory holds, keeping the directory (a volume's data, put back as it was before a copy-up),
 * through its descriptor: a link in it is removed, never followed.
 */
export function emptyDirectory(directory: string): void {
  RootDir.withSync(directory, (root) => {
    for (const entry of readdirSync(at(root.fd, ''))) removeAt(root.fd, entry);
  });
}

/**
 * Whether a layer may give the target files: a directory with entries there, or a link on the way (followed only
 * in the whole image, where another layer may have what it points to). Saves mounting the root filesystem when no
 * layer has anything at the target.
 */
function mayHaveFiles(layer: string, target: string): boolean {
  const parts = target.split('/').filter((part) => part !== '' && part !== '.');
  if (parts.includes('..')) return true;
  if (!existsSync(layer)) return false;
  try {
    return RootDir.withSync(layer, (root) => {
      for (let length = 1; length <= parts.length; length++) {
        const kind = root.with(parts.slice(0, length).join('/'), {}, (location) => {
          if (location.entry.kind !== 'directory' || length < parts.length) return location.entry.kind;
          const fd = location.openDirectory();
          try {
            return readdirSync(at(fd, '')).length > 0 ? 'files' : 'empty';
          } finally {
            closeSync(fd);
          }
        });
        if (kind === 'link' || kind === 'files') return true;
        if (kind !== 'directory') return false;
      }
      return false;
    });
  } catch (error) {
    if (error instanceof PathError || isCode(error, 'ENOENT')) return false; // not in this layer
    throw error;
  }
}
