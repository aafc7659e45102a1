// Volumes of the `local` driver: a directory under the engine root per volume (its record and `_data`), created by
// name or anonymously, mounted into containers, removed only when no container uses it. Driver options mount
// something else at `_data` the first time a container uses the volume, as Docker's local driver does.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fstatSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import type { VolumeCreateBody } from '../../engine-api/volumes.js';
import { conflict, invalid, notFound, unsupported } from '../errors.js';
import { isMountPoint, mustRun } from '../runtime/tools.js';
import { readJsonFile, writeJsonAtomic } from '../store/files.js';
import { O_PATH, PathError, RootDir } from '../store/in-root.js';
import { pinnedMount, releaseLeftovers } from '../runtime/pinned-mount.js';
import type { Layout } from '../store/layout.js';
import type { EventBus } from './events.js';

export interface VolumeRecord {
  readonly name: string;
  readonly driver: 'local';
  readonly createdAt: string;
  readonly labels: Record<string, string>;
  readonly options: Record<string, string>;
}

/** A volume's host path for a mount; `release` once the container's mounts are made. */
export interface PreparedMount {
  readonly source: string;
  release(): Promise<void>;
}

/** The body of a volume create, as src/engine-api/ describes it. */
export type VolumeRequest = VolumeCreateBody;

/** The label dockerd puts on the volumes it creates for a container's anonymous mounts. */
export const ANONYMOUS_LABEL = 'com.docker.volume.anonymous';
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
/** The local driver's options: a filesystem type, mount options and a device (`type=none,o=bind,device=/path`). */
const LOCAL_OPTIONS = new Set(['type', 'o', 'device']);

export class VolumeService {
  private readonly records = new Map<string, VolumeRecord>();

  constructor(
    private readonly layout: Layout,
    private readonly events: EventBus,
  ) {}

  /** Volumes back from disk; subpath mount points an engine that died left behind are taken down. */
  async adopt(): Promise<void> {
    await releaseLeftovers(this.layout.tmp);
    if (!existsSync(this.layout.volumes)) return;
    for (const name of readdirSync(this.layout.volumes)) {
      const record = readJsonFile<VolumeRecord>(this.layout.volumeRecord(name));
      if (record) this.records.set(name, record);
    }
  }

  /** Creates the volume, or returns the one of that name (as dockerd does). Without a name, an anonymous one. */
  create(request: VolumeRequest, anonymous = false): VolumeRecord {
    const name = request.Name || randomBytes(32).toString('hex');
    const existing = this.records.get(name);
    if (existing) return existing;
    if (!NAME.test(name)) throw invalid(`create ${name}: "${name}" includes invalid characters for a local volume name, only "[a-zA-Z0-9][a-zA-Z0-9_.-]" are allowed. If you intended to pass a host directory, use absolute path`);
    const driver = request.Driver || 'local';
    if (driver !== 'local') throw unsupported(`volume driver "${driver}" (only "local")`);
    const options = { ...request.DriverOpts };
    for (const key of Object.keys(options)) if (!LOCAL_OPTIONS.has(key)) throw invalid(`invalid option key: "${key}"`);
    if (Object.keys(options).length > 0 && !options.type) throw invalid('missing required option: "type"');
    if (options.type && options.type !== 'tmpfs' && !options.device) throw invalid('missing required option: "device"');
    const record: VolumeRecord = {
      name,
      driver: 'local',
      createdAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      labels: { ...request.Labels, ...(anonymous ? { [ANONYMOUS_LABEL]: '' } : {}) },
      options,
    };
    mkdirSync(this.layout.volumeData(name), { recursive: true });
    writeJsonAtomic(this.layout.volumeRecord(name), record);
    this.records.set(name, record);
    this.events.emit('volume', 'create', name, { driver: 'local' });
    return record;
  }

  get(name: string): VolumeRecord {
    const record = this.records.get(name);
    if (!record) throw notFound(`get ${name}: no such volume`);
    return record;
  }

  has(name: string): boolean {
    return this.records.has(name);
  }

  list(): VolumeRecord[] {
    return [...this.records.values()];
  }

  mountpoint(name: string): string {
    return this.layout.volumeData(name);
  }

  isAnonymous(record: VolumeRecord): boolean {
    return ANONYMOUS_LABEL in record.labels;
  }

  /**
   * The host path to mount for a container: the volume's data (with its driver options mounted there first), or a
   * directory or file inside it (`subpath`), resolved inside the volume (a link in the volume to /etc is the
   * volume's /etc) and pinned: the source runc gets is a bind mount of the engine's own descriptor of it (see
   * pinned-mount.ts), so that a link swapped in before the mount cannot redirect it. `release` when runc is done.
   */
  async prepare(name: string, subpath?: string): Promise<PreparedMount> {
    const record = this.get(name);
    const data = this.mountpoint(name);
    if (record.options.type && !isMountPoint(data)) {
      const { type, o = '', device = '' } = record.options;
      const bind = o.split(',').includes('bind');
      const args = bind ? ['--bind', device, data] : ['-t', type!, ...(o ? ['-o', o] : []), type === 'tmpfs' && !device ? 'tmpfs' : device, data];
      await mustRun('mount', args).catch((error: Error) => {
        throw invalid(`error while mounting volume '${name}': ${error.message.replaceAll(data, name)}`);
      });
    }
    if (!subpath) return { source: data, release: async () => {} };
    const inside = normalize(subpath);
    if (isAbsolute(inside) || inside === '..' || inside.startsWith('../')) throw invalid(`subpath "${subpath}" must be a relative path within the volume`);
    const fd = RootDir.withSync(data, (root) => {
      const missing = invalid(`subpath "${subpath}" does not exist in volume "${name}"`);
      let location;
      try {
        location = root.find(inside, { follow: true });
      } catch (error) {
        if (error instanceof PathError) throw error.code === 'ENOENT' || error.code === 'ENOTDIR' ? missing : invalid(`subpath "${subpath}": ${error.message}`);
        throw error;
      }
      try {
        if (!location.exists) throw missing;
        const pinned = location.openFile(O_PATH);
        // (O_PATH with O_NOFOLLOW holds a link itself: one swapped in since the walk is refused.)
        if (fstatSync(pinned).isSymbolicLink()) {
          closeSync(pinned);
          throw conflict(`subpath "${subpath}" of volume "${name}" changed while it was being mounted`);
        }
        return pinned;
      } finally {
        location.close();
      }
    });
    return pinnedMount(fd, this.layout.tmp);
  }

  /** Whether the volume holds nothing yet (so that an image's files may be copied into it). */
  isEmpty(name: string): boolean {
    return readdirSync(this.mountpoint(name)).length === 0;
  }

  async remove(name: string, usedBy: readonly string[], force = false): Promise<void> {
    if (!this.records.has(name)) {
      if (force) return;
      throw notFound(`get ${name}: no such volume`);
    }
    if (usedBy.length > 0) throw conflict(`remove ${name}: volume is in use - [${usedBy.join(', ')}]`);
    const data = this.mountpoint(name);
    if (isMountPoint(data)) await mustRun('umount', ['-l', data]);
    rmSync(this.layout.volume(name), { recursive: true, force: true });
    this.records.delete(name);
    this.events.emit('volume', 'destroy', name, { driver: 'local' });
  }

  /** Bytes under the volume's data directory (for prune's SpaceReclaimed and `system df`). */
  size(name: string): number {
    return directorySize(this.mountpoint(name));
  }
}

function directorySize(path: string): number {
  let total = 0;
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) total += directorySize(child);
    else if (entry.isFile()) total += statSync(child).size;
  }
  return total;
}
