// A container as the engine keeps it: the create request (merged with its image's defaults) and its state. Also
// the one place that decides which parts of a create request the engine can honour; the rest is refused.
import { existsSync } from 'node:fs';
import type { ContainerCreateBody, EndpointSettingsBody, HostConfigBody, MountBody } from '../../engine-api/index.js';
import { invalid, unsupported } from '../errors.js';
import type { HealthState } from './health.js';
import type { BoundPort, PortBinding } from './port-proxy.js';

/** The create body, checked at the engine's door against its description in src/engine-api/. */
export type CreateConfig = ContainerCreateBody;
export type HostConfig = HostConfigBody;
/** An entry of `NetworkingConfig.EndpointsConfig` (and the endpoint of a network connect). */
export type EndpointRequest = EndpointSettingsBody;
/** One entry of `HostConfig.Mounts`. */
export type MountRequest = MountBody;

/** The container on one network: what was asked, and while it runs, its address there. */
export interface Endpoint {
  networkId: string;
  aliases: string[];
  links: string[];
  ipamIPv4?: string;
  macAddress?: string;
  driverOpts?: Record<string, string>;
  endpointId?: string;
  ipAddress?: string;
  prefixLen?: number;
  gateway?: string;
  mac?: string;
  interfaceName?: string;
}

export interface ContainerState {
  status: 'created' | 'running' | 'paused' | 'restarting' | 'exited' | 'dead' | 'removing';
  pid: number;
  exitCode: number;
  startedAt: string;
  finishedAt: string;
  oomKilled: boolean;
  error: string;
  health?: HealthState;
  /** Published ports as bound while the container runs. */
  ports?: BoundPort[];
}

/** A mount of a container: a host path (bind) or a volume (by name; `source` is its data on the host). */
export interface MountPoint {
  readonly type: 'bind' | 'volume';
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
  readonly propagation?: string;
  readonly name?: string;
  /** A directory inside the volume mounted instead of all of it. */
  readonly subpath?: string;
  /** A `Binds` entry: a missing host path is made (a directory), as dockerd does; Mounts refuse it instead. */
  readonly createHostPath?: boolean;
}

/** A volume mount as asked, before the volume is looked up or created (an empty name: a new anonymous volume). */
export interface VolumeMountRequest {
  readonly name: string;
  readonly target: string;
  readonly readOnly: boolean;
  readonly noCopy: boolean;
  readonly subpath?: string;
  readonly labels?: Record<string, string>;
  readonly driver?: { name?: string; options?: Record<string, string> };
}

export interface ContainerRecord {
  readonly id: string;
  name: string;
  readonly created: string;
  /** The image as the request named it, and the id it resolved to. */
  readonly image: string;
  readonly imageId: string;
  /** Config with the image's defaults filled in (Env, Cmd, Entrypoint, WorkingDir, User, Labels...). */
  readonly config: Omit<CreateConfig, 'HostConfig' | 'NetworkingConfig' | 'Entrypoint'> & { Env: string[]; Labels: Record<string, string>; Entrypoint?: string[] | null };
  readonly hostConfig: HostConfig;
  readonly path: string;
  readonly args: string[];
  readonly hostname: string;
  readonly mounts: readonly MountPoint[];
  /** By network name. */
  readonly networks: Record<string, Endpoint>;
  state: ContainerState;
  restartCount: number;
  /** Stopped by a client (stop, kill): restart policies other than `always` leave it stopped. */
  manuallyStopped?: boolean;
  /** Present until its create completes: a record that still has it after a crash was never acknowledged. */
  creating?: {
    /** Volumes it fills from the image (empty before; emptied again if the create is abandoned). */
    readonly copyUps: readonly string[];
    /** Anonymous volumes it made (removed with it if the create is abandoned). */
    readonly anonymous: readonly string[];
  };
}

const EMPTY = (value: unknown): boolean =>
  value === undefined || value === null || value === false || value === '' || value === 0 || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && Object.keys(value as object).length === 0);

/**
 * The rules of a create request that tie fields together (the field table, at the server's door, has refused what
 * the engine cannot honour field by field).
 */
export function refuseUnsupported(config: CreateConfig): void {
  const host = config.HostConfig ?? {};
  const restart = host.RestartPolicy?.Name ?? '';
  if (restart !== 'on-failure' && (host.RestartPolicy?.MaximumRetryCount ?? 0) > 0) throw invalid(`maximum retry count cannot be used with restart policy '${restart}'`);
  if (restart !== '' && restart !== 'no' && host.AutoRemove) throw invalid(`can't create 'AutoRemove' container with restart policy`);
  const mode = host.NetworkMode ?? '';
  if ((mode === 'none' || mode.startsWith('container:')) && (!EMPTY(host.PortBindings) || host.PublishAllPorts)) {
    throw invalid(`conflicting options: port publishing and the container type network mode`);
  }
  if (host.MemorySwap && host.MemorySwap !== -1 && !host.Memory) throw invalid('You should always set the Memory limit when using Memoryswap limit');
  if (host.Memory && host.MemorySwap && host.MemorySwap !== -1 && host.MemorySwap < host.Memory) throw invalid('Minimum memoryswap limit should be larger than memory limit, see usage');
  if (host.NanoCpus && (host.CpuPeriod || host.CpuQuota)) throw invalid('Conflicting options: Nano CPUs and CPU Period/Quota cannot both be set');
}

/**
 * `PortBindings` (`"80/tcp": [{HostIp, HostPort}]`, HostPort a number, a range or empty for any) and, with
 * `PublishAllPorts`, every exposed port on a free host port.
 */
export function portBindings(host: HostConfig, exposed: Readonly<Record<string, unknown>>): PortBinding[] {
  const bindings: PortBinding[] = [];
  const parse = (key: string): { port: number; protocol: 'tcp' | 'udp' } => {
    const match = /^(\d+)(?:\/(tcp|udp|sctp))?$/.exec(key);
    if (!match) throw invalid(`invalid port specification: "${key}"`);
    if (match[2] === 'sctp') throw unsupported('SCTP ports');
    return { port: Number(match[1]), protocol: (match[2] ?? 'tcp') as 'tcp' | 'udp' };
  };
  for (const [key, list] of Object.entries(host.PortBindings ?? {})) {
    const { port, protocol } = parse(key);
    for (const entry of list ?? [{}]) {
      const text = entry.HostPort ?? '';
      const range = /^(\d+)(?:-(\d+))?$/.exec(text);
      if (text !== '' && !range) throw invalid(`invalid host port: "${text}"`);
      const hostPort = range ? Number(range[1]) : 0;
      const hostPortEnd = range?.[2] ? Number(range[2]) : undefined;
      if (hostPort > 65535 || (hostPortEnd ?? 0) > 65535 || (hostPortEnd !== undefined && hostPortEnd < hostPort)) throw invalid(`invalid host port: "${text}"`);
      bindings.push({ containerPort: port, protocol, hostIp: entry.HostIp ?? '', hostPort, ...(hostPortEnd !== undefined ? { hostPortEnd } : {}) });
    }
  }
  if (host.PublishAllPorts) {
    for (const key of Object.keys(exposed)) {
      const { port, protocol } = parse(key);
      if (!bindings.some((binding) => binding.containerPort === port && binding.protocol === protocol)) bindings.push({ containerPort: port, protocol, hostIp: '', hostPort: 0 });
    }
  }
  return bindings;
}

/** Everything a create request mounts: host paths, and volumes still to be looked up or created. */
export interface RequestedMounts {
  readonly binds: MountPoint[];
  readonly volumes: VolumeMountRequest[];
  /** tmpfs mounts: target -> mount options. */
  readonly tmpfs: Record<string, string>;
}

/**
 * `Binds` (`/host:/target:ro`, `name:/target:nocopy`), `Mounts` (bind, volume, tmpfs), `Tmpfs`, and anonymous
 * volumes for the paths in `Config.Volumes` and the image's VOLUMEs that nothing else mounts. Two mounts on one
 * target are a 400, as in dockerd.
 */
export function requestedMounts(host: HostConfig, volumes: readonly string[]): RequestedMounts {
  const binds: MountPoint[] = [];
  const named: VolumeMountRequest[] = [];
  const tmpfs: Record<string, string> = { ...host.Tmpfs };
  const targets = new Set<string>(Object.keys(tmpfs));
  const claim = (target: string): void => {
    if (!target.startsWith('/')) throw invalid(`invalid mount config: mount path must be absolute: ${target}`);
    const clean = target.length > 1 ? target.replace(/\/+$/, '') : target;
    if (targets.has(clean)) throw invalid(`Duplicate mount point: ${clean}`);
    targets.add(clean);
  };
  for (const entry of host.Binds ?? []) {
    const parts = entry.split(':');
    if (parts.length < 2 || parts.length > 3) throw invalid(`invalid volume specification: '${entry}'`);
    const [source = '', target = '', options = ''] = parts;
    if (source === '') throw invalid(`invalid volume specification: '${entry}'`);
    claim(target);
    const flags = options.split(',').filter(Boolean);
    for (const flag of flags) {
      if (!/^(ro|rw|z|Z|nocopy|r?(private|shared|slave))$/.test(flag)) throw invalid(`invalid mode: ${flag}`);
    }
    const readOnly = flags.includes('ro');
    if (source.startsWith('/')) {
      const propagation = flags.find((flag) => /^r?(private|shared|slave)$/.test(flag));
      binds.push({ type: 'bind', source, target, readOnly, createHostPath: true, ...(propagation ? { propagation } : {}) });
    } else {
      named.push({ name: source, target, readOnly, noCopy: flags.includes('nocopy') });
    }
  }
  for (const mount of host.Mounts ?? []) {
    const target = mount.Target ?? '';
    claim(target);
    if (mount.Type === 'bind') {
      if (!mount.Source?.startsWith('/')) throw invalid('invalid mount config for type "bind": the Source of a bind mount must be an absolute path');
      if (!existsSync(mount.Source) && !mount.BindOptions?.CreateMountpoint) throw invalid(`invalid mount config for type "bind": bind source path does not exist: ${mount.Source}`);
      const propagation = mount.BindOptions?.Propagation;
      binds.push({ type: 'bind', source: mount.Source, target, readOnly: Boolean(mount.ReadOnly), createHostPath: Boolean(mount.BindOptions?.CreateMountpoint), ...(propagation ? { propagation } : {}) });
    } else if (mount.Type === 'volume') {
      const options = mount.VolumeOptions ?? {};
      const driver = options.DriverConfig;
      named.push({
        name: mount.Source ?? '',
        target,
        readOnly: Boolean(mount.ReadOnly),
        noCopy: Boolean(options.NoCopy),
        ...(options.Subpath ? { subpath: options.Subpath } : {}),
        ...(options.Labels ? { labels: options.Labels } : {}),
        ...(driver ? { driver: { ...(driver.Name ? { name: driver.Name } : {}), ...(driver.Options ? { options: driver.Options } : {}) } } : {}),
      });
    } else if (mount.Type === 'tmpfs') {
      if (mount.Source) throw invalid('invalid mount config for type "tmpfs": Source must not be specified');
      const options = [mount.ReadOnly ? 'ro' : ''];
      if (mount.TmpfsOptions?.SizeBytes) options.push(`size=${mount.TmpfsOptions.SizeBytes}`);
      if (mount.TmpfsOptions?.Mode) options.push(`mode=${mount.TmpfsOptions.Mode.toString(8)}`);
      tmpfs[target] = options.filter(Boolean).join(',');
    }
  }
  for (const target of volumes) {
    if (!targets.has(target)) {
      targets.add(target);
      named.push({ name: '', target, readOnly: false, noCopy: false });
    }
  }
  return { binds, volumes: named, tmpfs };
}
