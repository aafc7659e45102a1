// A container as the engine keeps it: the create request (merged with its image's defaults) and its state. Also
// the one place that decides which parts of a create request the engine can honour; the rest is refused.
import { invalid, unsupported } from '../errors.js';
import type { HealthConfig, HealthState } from './health.js';

export interface CreateConfig {
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, object> | null;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[] | null;
  Cmd?: string[] | string | null;
  Healthcheck?: HealthConfig | null;
  Image?: string;
  Volumes?: Record<string, object> | null;
  WorkingDir?: string;
  Entrypoint?: string[] | string | null;
  NetworkDisabled?: boolean;
  Labels?: Record<string, string> | null;
  StopSignal?: string;
  StopTimeout?: number | null;
  HostConfig?: HostConfig;
  NetworkingConfig?: { EndpointsConfig?: Record<string, unknown> | null } | null;
}

export interface HostConfig {
  Binds?: string[] | null;
  NetworkMode?: string;
  PortBindings?: Record<string, unknown> | null;
  RestartPolicy?: { Name?: string; MaximumRetryCount?: number } | null;
  AutoRemove?: boolean;
  Mounts?: Array<{ Type?: string; Source?: string; Target?: string; ReadOnly?: boolean; BindOptions?: { Propagation?: string } }> | null;
  CapAdd?: string[] | null;
  CapDrop?: string[] | null;
  Dns?: string[] | null;
  DnsOptions?: string[] | null;
  DnsSearch?: string[] | null;
  ExtraHosts?: string[] | null;
  IpcMode?: string;
  PidMode?: string;
  Privileged?: boolean;
  PublishAllPorts?: boolean;
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[] | null;
  Tmpfs?: Record<string, string> | null;
  UTSMode?: string;
  ShmSize?: number;
  Sysctls?: Record<string, string> | null;
  Init?: boolean | null;
  Memory?: number;
  MemoryReservation?: number;
  MemorySwap?: number;
  CpuShares?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  NanoCpus?: number;
  CpusetCpus?: string;
  PidsLimit?: number | null;
  Ulimits?: Array<{ Name: string; Soft: number; Hard: number }> | null;
  OomScoreAdj?: number;
  LogConfig?: { Type?: string; Config?: Record<string, string> } | null;
  VolumesFrom?: string[] | null;
  Links?: string[] | null;
  Devices?: unknown[] | null;
  [key: string]: unknown;
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
}

export interface BindMount {
  readonly source: string;
  readonly target: string;
  readonly readOnly: boolean;
  readonly propagation?: string;
}

export interface ContainerRecord {
  readonly id: string;
  name: string;
  readonly created: string;
  /** The image as the request named it, and the id it resolved to. */
  readonly image: string;
  readonly imageId: string;
  /** Config with the image's defaults filled in (Env, Cmd, Entrypoint, WorkingDir, User, Labels...). */
  readonly config: Omit<CreateConfig, 'HostConfig' | 'NetworkingConfig'> & { Env: string[]; Labels: Record<string, string> };
  readonly hostConfig: HostConfig;
  readonly path: string;
  readonly args: string[];
  readonly hostname: string;
  readonly binds: readonly BindMount[];
  state: ContainerState;
  restartCount: number;
  /** Stopped by a client (stop, kill): restart policies other than `always` leave it stopped. */
  manuallyStopped?: boolean;
}

const EMPTY = (value: unknown): boolean =>
  value === undefined || value === null || value === false || value === '' || value === 0 || (Array.isArray(value) && value.length === 0) || (typeof value === 'object' && Object.keys(value as object).length === 0);

/** The create body's fields have the types the API says, or the request is a 400 naming the field. */
export function checkTypes(config: CreateConfig): void {
  const fail = (field: string, type: string): never => {
    throw invalid(`invalid type for ${field}: expected ${type}`);
  };
  const isStringList = (value: unknown): boolean => Array.isArray(value) && value.every((item) => typeof item === 'string');
  const stringOrList = (value: unknown): boolean => typeof value === 'string' || isStringList(value);
  if (typeof config.Image !== 'string') fail('Image', 'a string');
  for (const field of ['Hostname', 'Domainname', 'User', 'WorkingDir', 'StopSignal'] as const) {
    if (config[field] !== undefined && typeof config[field] !== 'string') fail(field, 'a string');
  }
  for (const field of ['Cmd', 'Entrypoint'] as const) {
    if (config[field] !== undefined && config[field] !== null && !stringOrList(config[field])) fail(field, 'a string or a list of strings');
  }
  if (config.Env !== undefined && config.Env !== null && !isStringList(config.Env)) fail('Env', 'a list of strings');
  if (config.Labels !== undefined && config.Labels !== null) {
    if (typeof config.Labels !== 'object' || Array.isArray(config.Labels) || !Object.values(config.Labels).every((value) => typeof value === 'string')) fail('Labels', 'a map of strings');
  }
  const host = config.HostConfig;
  if (host !== undefined && host !== null) {
    if (typeof host !== 'object' || Array.isArray(host)) fail('HostConfig', 'an object');
    if (host.NetworkMode !== undefined && typeof host.NetworkMode !== 'string') fail('HostConfig.NetworkMode', 'a string');
    if (host.Binds !== undefined && host.Binds !== null && !isStringList(host.Binds)) fail('HostConfig.Binds', 'a list of strings');
    for (const field of ['Memory', 'NanoCpus', 'CpuShares', 'ShmSize', 'PidsLimit'] as const) {
      if (host[field] !== undefined && host[field] !== null && typeof host[field] !== 'number') fail(`HostConfig.${field}`, 'a number');
    }
  }
}

/**
 * What berth's engine cannot do yet (networks, volumes, ports, restart policies, healthchecks, TTYs and stdin come
 * in part 2 of the engine) is a 400 that names the field, never a silent success.
 */
export function refuseUnsupported(config: CreateConfig): void {
  const host = config.HostConfig ?? {};
  const mode = host.NetworkMode ?? 'default';
  if (!['none', 'host'].includes(mode) && !config.NetworkDisabled) {
    throw unsupported(`networking (NetworkMode "${mode}": use --network none or --network host)`);
  }
  if (!EMPTY(config.Volumes)) throw unsupported('anonymous volumes (Config.Volumes)');
  const restart = host.RestartPolicy?.Name ?? '';
  if (!['', 'no', 'always', 'unless-stopped', 'on-failure'].includes(restart)) throw invalid(`invalid restart policy "${restart}"`);
  if (restart !== 'on-failure' && (host.RestartPolicy?.MaximumRetryCount ?? 0) > 0) throw invalid(`maximum retry count cannot be used with restart policy '${restart}'`);
  if (restart !== '' && restart !== 'no' && host.AutoRemove) throw invalid(`can't create 'AutoRemove' container with restart policy`);
  if (host.LogConfig?.Type && host.LogConfig.Type !== 'json-file') throw unsupported(`log driver "${host.LogConfig.Type}"`);
  for (const [field, label] of [
    ['PortBindings', 'published ports'],
    ['PublishAllPorts', 'published ports'],
    ['Dns', 'DNS settings'],
    ['DnsOptions', 'DNS settings'],
    ['DnsSearch', 'DNS settings'],
    ['ExtraHosts', 'extra hosts'],
    ['VolumesFrom', 'volumes_from'],
    ['Links', 'links'],
    ['Devices', 'devices'],
  ] as const) {
    if (!EMPTY(host[field])) throw unsupported(label);
  }
  for (const mount of host.Mounts ?? []) {
    if (mount.Type !== 'bind' && mount.Type !== 'tmpfs') throw unsupported(`mounts of type ${mount.Type}`);
  }
  for (const bind of host.Binds ?? []) {
    const [source = ''] = bind.split(':');
    if (!source.startsWith('/')) throw unsupported(`named volumes (${bind})`);
  }
  if (host.UTSMode && host.UTSMode !== '') throw unsupported(`UTSMode "${host.UTSMode}"`);
  if (host.IpcMode && !['', 'private', 'shareable', 'host'].includes(host.IpcMode)) throw unsupported(`IpcMode "${host.IpcMode}"`);
  if (host.PidMode && !['', 'host'].includes(host.PidMode)) throw unsupported(`PidMode "${host.PidMode}"`);
}

/** `-v /host:/target:ro` and `--mount type=bind` -> bind mounts. */
export function bindMounts(host: HostConfig): BindMount[] {
  const binds: BindMount[] = [];
  for (const entry of host.Binds ?? []) {
    const [source = '', target = '', options = ''] = entry.split(':');
    if (!target.startsWith('/')) throw invalid(`invalid volume specification: '${entry}'`);
    const flags = options.split(',');
    const propagation = flags.find((flag) => /^r?(private|shared|slave)$/.test(flag));
    binds.push({ source, target, readOnly: flags.includes('ro'), ...(propagation ? { propagation } : {}) });
  }
  for (const mount of host.Mounts ?? []) {
    if (mount.Type !== 'bind') continue;
    if (!mount.Source?.startsWith('/') || !mount.Target?.startsWith('/')) throw invalid('bind mounts need absolute Source and Target');
    binds.push({ source: mount.Source, target: mount.Target, readOnly: Boolean(mount.ReadOnly), ...(mount.BindOptions?.Propagation ? { propagation: mount.BindOptions.Propagation } : {}) });
  }
  return binds;
}
