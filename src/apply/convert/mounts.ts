// volumes, tmpfs, volumes_from, volume_driver, file secrets and configs -> Binds, Mounts, Tmpfs, VolumesFrom.
//
// Like compose, a mount goes through the old `Binds` strings whenever they can say it, and through the `Mounts` API
// only for what Binds cannot: a bind that must NOT create its missing host path, bind propagation or recursion
// options, volume nocopy/subpath/labels, anonymous volumes, tmpfs, npipe and image mounts. Binds stay preferred
// because the Mounts API refuses a missing host path instead of creating it (moby/moby#43483).
import { isAbsolute, resolve } from 'node:path';
import { BerthError } from '../../model/errors.js';
import { isDict } from '../../model/tree.js';
import type { Dict, TreePath } from '../../model/tree.js';
import type { ServiceConfig } from '../../model/types.js';
import { API, apiAtLeast } from './api-version.js';
import { parseBytes } from '../../model/bytes.js';
import type { ContainerPlanContext, InheritedMount } from './context.js';
import type { MountBody } from '../../engine-api/index.js';
import type { Fragment, Warn } from './fragment.js';
import { serviceWarning } from './fragment.js';
import { CONTAINER_PREFIX, serviceContainerId } from './references.js';
import { fileObjectMounts } from './secrets.js';
import { compact, isPresent, servicePath, toBoolean, toStringMap, toStringOrList, toText } from './scalars.js';

const MOUNT_TYPES = ['bind', 'volume', 'tmpfs', 'npipe', 'cluster', 'image'] as const;
type MountType = (typeof MOUNT_TYPES)[number];

/** The option block each mount type may carry; any other block on it is ignored with a warning, as compose does. */
const OPTION_BLOCK: Readonly<Record<string, MountType>> = { bind: 'bind', volume: 'volume', tmpfs: 'tmpfs', image: 'image' };

/** One service volume, read from its canonical long form. */
interface VolumeEntry {
  readonly type: MountType;
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
  readonly consistency?: string;
  readonly bind?: Dict;
  readonly volume?: Dict;
  readonly tmpfs?: Dict;
  readonly image?: Dict;
  readonly path: TreePath;
}

/** A mount decided either way: a Binds string or a Mounts entry. */
type Decided = { readonly bind: string } | { readonly mount: MountBody };

function readEntry(raw: unknown, path: TreePath): VolumeEntry {
  if (!isDict(raw)) throw new BerthError('expected the canonical long form of a volume', { path });
  const type = toText(raw['type'], [...path, 'type']);
  if (!(MOUNT_TYPES as readonly string[]).includes(type)) {
    throw new BerthError(`unsupported volume type ${JSON.stringify(type)}`, { path: [...path, 'type'] });
  }
  const block = (key: string): Dict | undefined => {
    const value = raw[key];
    if (!isPresent(value)) return undefined;
    if (!isDict(value)) throw new BerthError('expected a mapping', { path: [...path, key] });
    return value;
  };
  return {
    type: type as MountType,
    source: isPresent(raw['source']) ? toText(raw['source'], [...path, 'source']) : '',
    target: toText(raw['target'], [...path, 'target']),
    readOnly: isPresent(raw['read_only']) ? toBoolean(raw['read_only'], [...path, 'read_only']) : false,
    consistency: isPresent(raw['consistency']) ? toText(raw['consistency'], [...path, 'consistency']) : undefined,
    bind: block('bind'),
    volume: block('volume'),
    tmpfs: block('tmpfs'),
    image: block('image'),
    path,
  };
}

function optionalText(block: Dict | undefined, key: string, path: TreePath): string | undefined {
  const value = block?.[key];
  return isPresent(value) && value !== '' ? toText(value, [...path, key]) : undefined;
}

function optionalFlag(block: Dict | undefined, key: string, path: TreePath): boolean {
  const value = block?.[key];
  return isPresent(value) ? toBoolean(value, [...path, key]) : false;
}

/** `rw`/`ro`, then the SELinux relabel flag: what a Binds string can carry besides source and target. */
function bindString(source: string, entry: VolumeEntry): string {
  const options = [entry.readOnly ? 'ro' : 'rw'];
  const selinux = optionalText(entry.bind, 'selinux', [...entry.path, 'bind']);
  if (selinux !== undefined) options.push(selinux);
  return `${source}:${entry.target}:${options.join(',')}`;
}

type Propagation = NonNullable<NonNullable<MountBody['BindOptions']>['Propagation']>;

function bindOptions(entry: VolumeEntry): MountBody['BindOptions'] {
  const at = [...entry.path, 'bind'];
  const recursive = optionalText(entry.bind, 'recursive', at);
  const createHostPath = entry.bind?.['create_host_path'];
  return compact({
    // Passed on as written: the engine refuses a propagation it does not know, naming the field.
    Propagation: optionalText(entry.bind, 'propagation', at) as Propagation | undefined,
    CreateMountpoint: isPresent(createHostPath) && toBoolean(createHostPath, [...at, 'create_host_path']) ? true : undefined,
    NonRecursive: recursive === 'disabled' ? true : undefined,
    ReadOnlyNonRecursive: recursive === 'writable' ? true : undefined,
    ReadOnlyForceRecursive: recursive === 'readonly' ? true : undefined,
  });
}

function baseMount(entry: VolumeEntry, source: string | undefined): MountBody {
  return compact({
    Type: entry.type,
    Source: source === '' ? undefined : source,
    Target: entry.target,
    ReadOnly: entry.readOnly ? true : undefined,
    Consistency: entry.consistency,
  });
}

function decideBind(entry: VolumeEntry, ctx: ContainerPlanContext): Decided {
  // The model resolves relative sources against the project directory; this only guards a tree that did not.
  const source = isAbsolute(entry.source) || ctx.workingDir === undefined ? entry.source : resolve(ctx.workingDir, entry.source);
  const at = [...entry.path, 'bind'];
  const createHostPath = entry.bind?.['create_host_path'];
  // Without a bind block, or with create_host_path left at its default, the Binds string creates the host path.
  const needsMountApi =
    entry.bind !== undefined &&
    ((isPresent(createHostPath) && !toBoolean(createHostPath, [...at, 'create_host_path'])) ||
      optionalText(entry.bind, 'propagation', at) !== undefined ||
      optionalText(entry.bind, 'recursive', at) !== undefined);
  if (!needsMountApi) return { bind: bindString(source, entry) };
  const options = bindOptions(entry);
  return { mount: compact({ ...baseMount(entry, source), BindOptions: options && Object.keys(options).length > 0 ? options : undefined }) };
}

function decideVolume(entry: VolumeEntry, ctx: ContainerPlanContext): Decided {
  const at = [...entry.path, 'volume'];
  const engineName = entry.source === '' ? undefined : ctx.volumeNames[entry.source];
  const labels = isPresent(entry.volume?.['labels']) ? toStringMap(entry.volume?.['labels'], [...at, 'labels']) : undefined;
  const options = compact({
    NoCopy: optionalFlag(entry.volume, 'nocopy', at) ? true : undefined,
    Subpath: optionalText(entry.volume, 'subpath', at),
    Labels: labels !== undefined && Object.keys(labels).length > 0 ? labels : undefined,
  });
  const needsMountApi = Object.keys(options).length > 0;
  // A project volume without advanced options keeps the Binds form; anonymous volumes need Mounts.
  if (engineName !== undefined && !needsMountApi) return { bind: bindString(engineName, entry) };
  return { mount: compact({ ...baseMount(entry, engineName ?? entry.source), VolumeOptions: needsMountApi ? options : undefined }) };
}

function decideTmpfs(entry: VolumeEntry): Decided {
  const at = [...entry.path, 'tmpfs'];
  const size = isPresent(entry.tmpfs?.['size']) ? parseBytes(entry.tmpfs?.['size'], [...at, 'size']) : 0;
  const mode = isPresent(entry.tmpfs?.['mode']) ? fileMode(entry.tmpfs?.['mode'], [...at, 'mode']) : 0;
  const options = compact({ SizeBytes: size !== 0 ? size : undefined, Mode: mode !== 0 ? mode : undefined });
  return { mount: compact({ ...baseMount(entry, undefined), TmpfsOptions: Object.keys(options).length > 0 ? options : undefined }) };
}

/** A tmpfs mode: a number as YAML gave it, or a string read as octal ("1777", "0o755"). */
function fileMode(value: unknown, path: TreePath): number {
  if (typeof value === 'number' && Number.isInteger(value) && value >= 0) return value;
  const text = typeof value === 'string' ? value.trim().replace(/^0o/i, '') : '';
  if (!/^[0-7]+$/.test(text)) throw new BerthError(`invalid file mode ${JSON.stringify(value)}`, { path });
  return Number.parseInt(text, 8);
}

function decideImage(entry: VolumeEntry, ctx: ContainerPlanContext): Decided {
  if (!apiAtLeast(ctx.apiVersion, API.imageMounts)) {
    throw new BerthError(`volumes of type image require Engine API ${API.imageMounts} or later (this engine speaks ${ctx.apiVersion})`, {
      kind: 'engine',
      path: entry.path,
    });
  }
  const subpath = optionalText(entry.image, 'subpath', [...entry.path, 'image']);
  return { mount: compact({ ...baseMount(entry, entry.source), ImageOptions: subpath === undefined ? undefined : { Subpath: subpath } }) };
}

const DECIDE: Readonly<Record<MountType, (entry: VolumeEntry, ctx: ContainerPlanContext) => Decided>> = {
  bind: decideBind,
  volume: decideVolume,
  tmpfs: decideTmpfs,
  image: decideImage,
  npipe: (entry) => ({ mount: baseMount(entry, entry.source) }),
  cluster: (entry) => ({ mount: baseMount(entry, entry.source) }),
};

function warnMisplacedOptions(entry: VolumeEntry, serviceName: string, warn: Warn): void {
  for (const [block, owner] of Object.entries(OPTION_BLOCK)) {
    if (owner !== entry.type && entry[block as keyof VolumeEntry] !== undefined) {
      warn(serviceWarning(serviceName, `volume ${entry.target}: a mount of type ${entry.type} should not define \`${block}\` options; they are ignored`));
    }
  }
}

/**
 * Mounts of the replaced container to carry over on recreate: anonymous volumes the service declares and volumes
 * the image declares, so that their data survives. Returns them by target, plus the targets they take over.
 */
function inheritedMounts(entries: readonly VolumeEntry[], ctx: ContainerPlanContext): Map<string, MountBody> {
  const kept = new Map<string, MountBody>();
  const imageVolumes = new Set(ctx.inherited?.imageVolumes ?? []);
  const anonymousTargets = new Set(entries.filter((e) => e.type === 'volume' && e.source === '').map((e) => e.target));
  for (const old of ctx.inherited?.mounts ?? []) {
    if (old.type === 'tmpfs') continue;
    if (!imageVolumes.has(old.destination) && !anonymousTargets.has(old.destination)) continue;
    kept.set(old.destination, inheritedMount(old));
  }
  return kept;
}

function inheritedMount(old: InheritedMount): MountBody {
  const source = old.type === 'volume' ? (old.name ?? old.source) : old.source;
  return compact({
    Type: old.type as MountBody['Type'],
    Source: source === '' ? undefined : source,
    Target: old.destination,
    ReadOnly: old.rw ? undefined : true,
  });
}

function volumesFrom(service: ServiceConfig, ctx: ContainerPlanContext): string[] | undefined {
  const raw: unknown = service['volumes_from'];
  if (!isPresent(raw)) return undefined;
  const path = servicePath(service.name, 'volumes_from');
  return toStringOrList(raw, path).map((spec, index) => {
    if (spec.startsWith(CONTAINER_PREFIX)) return spec.slice(CONTAINER_PREFIX.length);
    const [name = '', ...mode] = spec.split(':');
    const id = serviceContainerId(ctx, name, 'volume', [...path, index]);
    // Keep an explicit :ro/:rw (docker compose drops it, which silently makes a read-only share writable).
    return [id, ...mode].join(':');
  });
}

function tmpfsMap(service: ServiceConfig): Record<string, string> | undefined {
  const raw: unknown = service['tmpfs'];
  if (!isPresent(raw)) return undefined;
  const out: Record<string, string> = {};
  for (const spec of toStringOrList(raw, servicePath(service.name, 'tmpfs'))) {
    const colon = spec.indexOf(':');
    if (colon < 0) out[spec] = '';
    else out[spec.slice(0, colon)] = spec.slice(colon + 1);
  }
  return Object.keys(out).length === 0 ? undefined : out;
}

export function convertMounts(service: ServiceConfig, ctx: ContainerPlanContext, warn: Warn): Fragment {
  const raw: unknown = service.volumes;
  const volumesPath = servicePath(service.name, 'volumes');
  if (isPresent(raw) && !Array.isArray(raw)) throw new BerthError('expected a list', { path: volumesPath });
  const entries = ((raw ?? []) as unknown[]).map((item, index) => readEntry(item, [...volumesPath, index]));

  // One mount per target, the last declaration winning, in the order the service declares them.
  const byTarget = new Map<string, Decided>();
  const inherited = inheritedMounts(entries, ctx);
  for (const [target, mount] of inherited) byTarget.set(target, { mount });
  for (const entry of entries) {
    warnMisplacedOptions(entry, service.name, warn);
    if (entry.type === 'volume' && entry.source === '' && inherited.has(entry.target)) continue;
    byTarget.delete(entry.target);
    byTarget.set(entry.target, DECIDE[entry.type](entry, ctx));
  }
  for (const mount of fileObjectMounts(service, ctx, warn)) {
    byTarget.delete(mount.Target);
    byTarget.set(mount.Target, { mount });
  }

  const binds: string[] = [];
  const mounts: MountBody[] = [];
  for (const decided of byTarget.values()) {
    if ('bind' in decided) binds.push(decided.bind);
    else mounts.push(decided.mount);
  }
  const volumeDriver: unknown = service['volume_driver'];
  return {
    host: compact({
      Binds: binds.length > 0 ? binds : undefined,
      Mounts: mounts.length > 0 ? mounts : undefined,
      Tmpfs: tmpfsMap(service),
      VolumesFrom: volumesFrom(service, ctx),
      VolumeDriver: isPresent(volumeDriver) && volumeDriver !== '' ? toText(volumeDriver, servicePath(service.name, 'volume_driver')) : undefined,
    }),
  };
}
