// volumes -> pod volumes and claims. A named volume becomes a PersistentVolumeClaim shared by the services that
// mount it (or, for a StatefulSet, a claim template: one claim per pod); an anonymous volume an emptyDir, as it
// lives and dies with the container; tmpfs a memory emptyDir. Bind mounts name host paths that cluster nodes do not
// have: each is reported, never silently dropped.
import { isDict } from '../model/tree.js';
import type { ServiceConfig, VolumeMount as ComposeMount } from '../model/types.js';
import { parseBytes } from '../model/bytes.js';
import type { ConvertContext } from './context.js';
import { DEFAULT_VOLUME_SIZE } from './context.js';
import type { KubernetesObject, Volume, VolumeMount } from './manifest.js';
import { projectLabels } from './manifest.js';
import { memoryQuantity } from './resources.js';

export const SIZE_LABEL = 'kompose.volume.size';
export const STORAGE_CLASS_LABEL = 'kompose.volume.storage-class-name';

export interface PodStorage {
  readonly volumes: Volume[];
  readonly mounts: VolumeMount[];
  /** Named volumes this service mounts through a shared claim (compose names). */
  readonly claimed: string[];
  /** For a StatefulSet: one claim template per named volume. */
  readonly claimTemplates: KubernetesObject[];
}

/** Whether the service mounts a named volume the project defines (what makes it stateful). */
export function mountsNamedVolume(service: ServiceConfig, ctx: ConvertContext): boolean {
  return (service.volumes ?? []).some((mount) => namedVolume(mount, ctx) !== undefined);
}

export function podStorage(service: ServiceConfig, ctx: ConvertContext, statefulSet: boolean): PodStorage {
  const out: PodStorage = { volumes: [], mounts: [], claimed: [], claimTemplates: [] };
  const names = new Set<string>();
  const unique = (base: string): string => {
    let name = base;
    for (let n = 2; names.has(name); n += 1) name = `${base}-${n}`;
    names.add(name);
    return name;
  };
  const byVolume = new Map<string, string>();
  let anonymous = 0;
  for (const mount of service.volumes ?? []) {
    const readOnly = mount.read_only === true ? { readOnly: true } : {};
    if (mount.type === 'volume') {
      const named = namedVolume(mount, ctx);
      if (named === undefined) {
        const name = unique(`anonymous-${(anonymous += 1)}`);
        out.volumes.push({ name, emptyDir: {} });
        out.mounts.push({ name, mountPath: mount.target, ...readOnly, ...subPath(mount) });
        continue;
      }
      let podName = byVolume.get(named);
      if (podName === undefined) {
        podName = unique(ctx.claims.name(named));
        byVolume.set(named, podName);
        if (statefulSet && ctx.project.volumes[named]?.external !== true) {
          out.claimTemplates.push(claim(named, podName, ctx));
        } else {
          out.claimed.push(named);
          out.volumes.push({ name: podName, persistentVolumeClaim: { claimName: claimName(named, ctx) } });
        }
      }
      out.mounts.push({ name: podName, mountPath: mount.target, ...readOnly, ...subPath(mount) });
      if (mount.volume?.nocopy === true) ctx.warn('service', service.name, `volumes: nocopy of ${mount.target} is not converted (a new claim starts empty)`);
    } else if (mount.type === 'tmpfs') {
      const name = unique(`tmpfs-${out.volumes.filter((volume) => volume.name.startsWith('tmpfs-')).length + 1}`);
      const size = mount.tmpfs?.size === undefined ? undefined : parseBytes(mount.tmpfs.size);
      out.volumes.push({ name, emptyDir: { medium: 'Memory', ...(size ? { sizeLimit: memoryQuantity(size) } : {}) } });
      out.mounts.push({ name, mountPath: mount.target, ...readOnly });
      if (mount.tmpfs?.mode !== undefined) ctx.warn('service', service.name, `volumes: the mode of tmpfs ${mount.target} is not converted`);
    } else {
      const what = mount.type === 'bind' ? `bind mount ${mount.source ?? ''}:${mount.target}` : `${mount.type} mount ${mount.target}`;
      ctx.warn('service', service.name, `volumes: ${what} is not converted (cluster nodes do not have this path; use a config or a named volume)`);
    }
  }
  for (const target of tmpfsTargets(service.tmpfs)) {
    const [path = target, options] = target.split(':', 2);
    const name = unique(`tmpfs-${out.volumes.filter((volume) => volume.name.startsWith('tmpfs-')).length + 1}`);
    out.volumes.push({ name, emptyDir: { medium: 'Memory' } });
    out.mounts.push({ name, mountPath: path });
    if (options !== undefined) ctx.warn('service', service.name, `tmpfs options of ${path} are not converted`);
  }
  if (service.shm_size !== undefined && service.shm_size !== null) {
    const name = unique('shm');
    out.volumes.push({ name, emptyDir: { medium: 'Memory', sizeLimit: memoryQuantity(parseBytes(service.shm_size)) } });
    out.mounts.push({ name, mountPath: '/dev/shm' });
  }
  return out;
}

/** The compose name of a project volume a mount uses; undefined for an anonymous one. */
function namedVolume(mount: ComposeMount, ctx: ConvertContext): string | undefined {
  if (mount.type !== 'volume' || mount.source === undefined || mount.source === '') return undefined;
  return Object.hasOwn(ctx.project.volumes, mount.source) ? mount.source : undefined;
}

function subPath(mount: ComposeMount): { subPath?: string } {
  return mount.volume?.subpath ? { subPath: mount.volume.subpath } : {};
}

function tmpfsTargets(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** The claim a named volume is mounted from: the project's, or an existing one for an external volume. */
function claimName(volume: string, ctx: ConvertContext): string {
  const config = ctx.project.volumes[volume] ?? {};
  if (config.external === true) return ctx.claims.name(typeof config.name === 'string' ? config.name : volume);
  return ctx.claims.name(volume);
}

/** The claim of a named volume: its size and storage class from kompose's labels, else the default size. */
export function claim(volume: string, name: string, ctx: ConvertContext): KubernetesObject {
  const labels = ctx.project.volumes[volume]?.labels ?? {};
  const size = labels[SIZE_LABEL] ?? ctx.options.defaultVolumeSize ?? DEFAULT_VOLUME_SIZE;
  const storageClass = labels[STORAGE_CLASS_LABEL];
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, labels: projectLabels(ctx.project.name, name) },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: size } },
      ...(storageClass ? { storageClassName: storageClass } : {}),
    },
  };
}

/** One claim per named volume used by a Deployment or DaemonSet; external volumes are reported instead. */
export function writeClaims(used: ReadonlySet<string>, ctx: ConvertContext): void {
  for (const volume of [...used].sort()) {
    const config = ctx.project.volumes[volume] ?? {};
    if (config.external === true) {
      ctx.warn('volume', volume, `external: the PersistentVolumeClaim "${claimName(volume, ctx)}" must exist in the namespace`);
      continue;
    }
    if (config.driver !== undefined && config.driver !== 'local') ctx.warn('volume', volume, `driver ${config.driver} is not converted (use a StorageClass: label ${STORAGE_CLASS_LABEL})`);
    if (isDict(config.driver_opts) && Object.keys(config.driver_opts).length > 0) ctx.warn('volume', volume, 'driver_opts are not converted');
    ctx.add(claim(volume, ctx.claims.name(volume), ctx));
  }
}
