// Volumes of the `local` driver: a directory under the engine root per volume (its record and `_data`), created by
// name or anonymously, mounted into containers, removed only when no container uses it. Driver options mount
// something else at `_data` the first time a container uses the volume, as Docker's local driver does.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join, normalize } from 'node:path';
import type { VolumeCreateBody } from '../../engine-api/volumes.js';
import { conflict, invalid, notFound, unsupported } from '../errors.js';
import { isMountPoint, mustRun } from '../runtime/tools.js';
import { readJsonFile, writeJsonAtomic } from '../store/files.js';
import type { Layout } from '../store/layout.js';
import type { EventBus } from './events.js';

export interface VolumeRecord {
  readonly name: string;
  readonly driver: 'local';
  readonly createdAt: string;
  readonly labels: Record<string, string>;
  readonly options: Record<string, string>;
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

  adopt(): void {
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
   * directory inside it (`subpath`, which must exist and stay inside the volume).
   */
  async prepare(name: string, subpath?: string): Promise<string> {
    const record = this.get(name);
    const data = this.mountpoint(name);
    if (record.options.type && !isMountPoint(data)) {
      const { type, o = '', device = '' } = record.options;
      const bind = o.split(',').includes('bind');
      const args = bind ? ['--bind', device, data] : ['-t', type!, ...(o ? ['-o', o] : []), type === 'tmpfs' && !device ? 'tmpfs' : device, data];
      await mustRun('mount', args).catch((error: Error) => {
        throw invalid(`error while mounting volume '${data}': ${error.message}`);
      });
    }
    if (!subpath) return data;
    const inside = normalize(subpath);
    if (isAbsolute(inside) || inside === '..' || inside.startsWith('../')) throw invalid(`subpath "${subpath}" must be a relative path within the volume`);
    const path = join(data, inside);
    if (!existsSync(path)) throw invalid(`cannot access path ${path}: no such file or directory (volume subpath)`);
    return path;
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
