// Containers over the Engine API: plain data in and out.
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import type { Duplex } from 'node:stream';
import type { PathStat } from '../engine-api/archive.js';
import { BerthError } from '../model/errors.js';
import { compareVersions, statusOf } from './transport.js';
import { execs } from './exec.js';
import type { ExecOptions as ProcessOptions } from './exec.js';
import type { Transport } from './transport.js';

export type Filters = Readonly<Record<string, readonly string[]>>;

export interface MountSummary {
  readonly type: string;
  readonly name?: string;
  readonly source: string;
  readonly destination: string;
  readonly rw: boolean;
}

export interface ContainerSummary {
  readonly id: string;
  /** Without the leading slash. */
  readonly name: string;
  readonly image: string;
  readonly imageId: string;
  readonly command: string;
  /** Seconds since the epoch. */
  readonly created: number;
  readonly state: string;
  readonly status: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly mounts: readonly MountSummary[];
  /** Network name -> network id. */
  readonly networks: Readonly<Record<string, string>>;
  readonly ports: ReadonlyArray<{ readonly ip?: string; readonly privatePort: number; readonly publicPort?: number; readonly type: string }>;
}

export interface ContainerState {
  readonly status: string;
  readonly running: boolean;
  readonly exitCode: number;
  readonly health?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly oomKilled: boolean;
}

export interface ContainerDetails {
  readonly id: string;
  readonly name: string;
  readonly image: string;
  readonly state: ContainerState;
  readonly labels: Readonly<Record<string, string>>;
  readonly tty: boolean;
  readonly openStdin: boolean;
  readonly mounts: readonly MountSummary[];
  readonly networks: Readonly<Record<string, { readonly networkId: string; readonly aliases: readonly string[] }>>;
  readonly restartPolicy: string;
}

interface RawMount {
  Type?: string;
  Name?: string;
  Source?: string;
  Destination?: string;
  RW?: boolean;
}

const mount = (raw: RawMount): MountSummary => ({
  type: raw.Type ?? '',
  ...(raw.Name ? { name: raw.Name } : {}),
  source: raw.Source ?? '',
  destination: raw.Destination ?? '',
  rw: raw.RW !== false,
});

export interface Containers {
  list(filters: Filters, all?: boolean): Promise<ContainerSummary[]>;
  /** undefined when there is no such container. */
  inspect(id: string): Promise<ContainerDetails | undefined>;
  create(name: string, body: unknown, platform?: string): Promise<{ id: string; warnings: string[] }>;
  start(id: string): Promise<void>;
  stop(id: string, timeoutSeconds?: number, signal?: string): Promise<void>;
  restart(id: string, timeoutSeconds?: number): Promise<void>;
  kill(id: string, signal?: string): Promise<void>;
  remove(id: string, options?: { force?: boolean; volumes?: boolean }): Promise<void>;
  rename(id: string, name: string): Promise<void>;
  pause(id: string): Promise<void>;
  unpause(id: string): Promise<void>;
  /** Resolves with the exit code once the condition holds. */
  wait(id: string, condition?: 'not-running' | 'next-exit' | 'removed', signal?: AbortSignal): Promise<number>;
  logs(id: string, options: LogOptions): Promise<IncomingMessage>;
  /** A hijacked connection to the container's streams: output (multiplexed unless it has a tty), and stdin if asked. */
  attach(id: string, options: AttachOptions): Promise<Duplex>;
  /** The size of the container's terminal. */
  resize(id: string, rows: number, columns: number): Promise<void>;
  /** Unpacks a tar archive into the container at `path` (`docker cp`'s upload). */
  putArchive(id: string, path: string, tar: Buffer | NodeJS.ReadableStream, options?: PutArchiveOptions): Promise<void>;
  /** What is at `path` in the container (links not followed); undefined when nothing is. */
  statPath(id: string, path: string): Promise<PathStat | undefined>;
  /** A tar archive of what is at `path` in the container (`docker cp`'s download), with its stat. */
  getArchive(id: string, path: string): Promise<{ stat: PathStat; content: IncomingMessage }>;
  /** Runs a process in the running container; resolves with its exit code and its output (stdout, then stderr). */
  exec(id: string, options: ExecOptions): Promise<{ exitCode: number; output: string }>;
}

export interface AttachOptions {
  readonly stdin?: boolean;
  /** Replays the output the container has already written. */
  readonly logs?: boolean;
  readonly detachKeys?: string;
}

export interface PutArchiveOptions {
  /** Owners from the archive, not root (`docker cp -a`). */
  readonly copyUIDGID?: boolean;
  /** A directory is not replaced by a file or the reverse. */
  readonly noOverwriteDirNonDir?: boolean;
}

export type { PathStat };

/** A process run without input or a terminal (hooks, watch's sync+exec). */
export type ExecOptions = Pick<ProcessOptions, 'command' | 'user' | 'privileged' | 'workingDir' | 'env'>;

export interface LogOptions {
  readonly follow?: boolean;
  readonly tail?: string;
  readonly since?: string;
  readonly until?: string;
  readonly timestamps?: boolean;
  readonly signal?: AbortSignal;
}

export function containers(transport: Transport): Containers {
  const { request } = transport;
  const processes = execs(transport, (version) => compareVersions(transport.apiVersion, version) >= 0);
  const encodeFilters = (filters: Filters): string => JSON.stringify(filters);
  return {
    async list(filters, all = true) {
      const raw = await request<RawSummary[]>('GET', '/containers/json', { query: { all, filters: encodeFilters(filters) } });
      return raw.map(summary);
    },
    async inspect(id) {
      try {
        return details(await request<RawDetails>('GET', `/containers/${encodeURIComponent(id)}/json`));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async create(name, body, platform) {
      const created = await request<{ Id: string; Warnings?: string[] | null }>('POST', '/containers/create', { query: { name, platform }, body });
      return { id: created.Id, warnings: created.Warnings ?? [] };
    },
    async start(id) {
      await request('POST', `/containers/${encodeURIComponent(id)}/start`, { accept: [304] });
    },
    async stop(id, timeoutSeconds, signal) {
      await request('POST', `/containers/${encodeURIComponent(id)}/stop`, { query: { t: timeoutSeconds, signal }, accept: [304] });
    },
    async restart(id, timeoutSeconds) {
      await request('POST', `/containers/${encodeURIComponent(id)}/restart`, { query: { t: timeoutSeconds } });
    },
    async kill(id, signal) {
      await request('POST', `/containers/${encodeURIComponent(id)}/kill`, { query: { signal } });
    },
    async remove(id, options = {}) {
      await request('DELETE', `/containers/${encodeURIComponent(id)}`, { query: { force: options.force, v: options.volumes } });
    },
    async rename(id, name) {
      await request('POST', `/containers/${encodeURIComponent(id)}/rename`, { query: { name } });
    },
    async pause(id) {
      await request('POST', `/containers/${encodeURIComponent(id)}/pause`);
    },
    async unpause(id) {
      await request('POST', `/containers/${encodeURIComponent(id)}/unpause`);
    },
    async wait(id, condition = 'not-running', signal) {
      const result = await request<{ StatusCode: number }>('POST', `/containers/${encodeURIComponent(id)}/wait`, {
        query: { condition },
        ...(signal ? { signal } : {}),
      });
      return result.StatusCode;
    },
    logs(id, options) {
      return transport.stream('GET', `/containers/${encodeURIComponent(id)}/logs`, {
        query: {
          stdout: true,
          stderr: true,
          follow: options.follow,
          tail: options.tail,
          since: options.since,
          until: options.until,
          timestamps: options.timestamps,
        },
        ...(options.signal ? { signal: options.signal } : {}),
      });
    },
    attach(id, options) {
      const query = { stream: true, stdout: true, stderr: true, stdin: options.stdin ?? false, logs: options.logs ?? false, detachKeys: options.detachKeys };
      // A body as dockerode sends (the query again): without one the modem leaves a chunked upgrade request open,
      // which dockerd answers by hanging up.
      return transport.hijack(`/containers/${encodeURIComponent(id)}/attach`, { query, body: Object.fromEntries(Object.entries(query).filter(([, value]) => value !== undefined)) });
    },
    async resize(id, rows, columns) {
      await request('POST', `/containers/${encodeURIComponent(id)}/resize`, { query: { h: rows, w: columns } });
    },
    async putArchive(id, target, tar, options = {}) {
      await request('PUT', `/containers/${encodeURIComponent(id)}/archive`, {
        query: { path: target, copyUIDGID: options.copyUIDGID || undefined, noOverwriteDirNonDir: options.noOverwriteDirNonDir || undefined },
        upload: Buffer.isBuffer(tar) ? Readable.from([tar]) : tar,
      });
    },
    async statPath(id, path) {
      try {
        const response = await transport.stream('HEAD', `/containers/${encodeURIComponent(id)}/archive`, { query: { path } });
        response.resume();
        return pathStat(response);
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async getArchive(id, path) {
      const content = await transport.stream('GET', `/containers/${encodeURIComponent(id)}/archive`, { query: { path } });
      return { stat: pathStat(content), content };
    },
    async exec(id, options) {
      const result = await processes.run(id, options);
      return { exitCode: result.exitCode, output: result.stdout + result.stderr };
    },
  };
}

function pathStat(response: IncomingMessage): PathStat {
  const header = response.headers['x-docker-container-path-stat'];
  const text = typeof header === 'string' ? Buffer.from(header, 'base64').toString('utf8') : '';
  try {
    const raw = JSON.parse(text) as { name?: string; size?: number; mode?: number; mtime?: string; linkTarget?: string };
    return { name: raw.name ?? '', size: raw.size ?? 0, mode: raw.mode ?? 0, mtime: raw.mtime ?? '', linkTarget: raw.linkTarget ?? '' };
  } catch {
    throw new BerthError('the engine sent no readable X-Docker-Container-Path-Stat header', { kind: 'engine' });
  }
}

interface RawSummary {
  Id: string;
  Names?: string[];
  Image?: string;
  ImageID?: string;
  Command?: string;
  Created?: number;
  State?: string;
  Status?: string;
  Labels?: Record<string, string> | null;
  Mounts?: RawMount[] | null;
  NetworkSettings?: { Networks?: Record<string, { NetworkID?: string }> | null } | null;
  Ports?: Array<{ IP?: string; PrivatePort: number; PublicPort?: number; Type: string }> | null;
}

function summary(raw: RawSummary): ContainerSummary {
  const networks: Record<string, string> = {};
  for (const [name, network] of Object.entries(raw.NetworkSettings?.Networks ?? {})) networks[name] = network.NetworkID ?? '';
  return {
    id: raw.Id,
    name: (raw.Names?.[0] ?? '').replace(/^\//, ''),
    image: raw.Image ?? '',
    imageId: raw.ImageID ?? '',
    command: raw.Command ?? '',
    created: raw.Created ?? 0,
    state: raw.State ?? '',
    status: raw.Status ?? '',
    labels: raw.Labels ?? {},
    mounts: (raw.Mounts ?? []).map(mount),
    networks,
    ports: (raw.Ports ?? []).map((port) => ({
      ...(port.IP ? { ip: port.IP } : {}),
      privatePort: port.PrivatePort,
      ...(port.PublicPort ? { publicPort: port.PublicPort } : {}),
      type: port.Type,
    })),
  };
}

interface RawDetails {
  Id: string;
  Name?: string;
  Image?: string;
  State?: {
    Status?: string;
    Running?: boolean;
    ExitCode?: number;
    Health?: { Status?: string } | null;
    StartedAt?: string;
    FinishedAt?: string;
    OOMKilled?: boolean;
  };
  Config?: { Labels?: Record<string, string> | null; Tty?: boolean; OpenStdin?: boolean };
  HostConfig?: { RestartPolicy?: { Name?: string } };
  Mounts?: RawMount[] | null;
  NetworkSettings?: { Networks?: Record<string, { NetworkID?: string; Aliases?: string[] | null }> | null };
}

function details(raw: RawDetails): ContainerDetails {
  const networks: Record<string, { networkId: string; aliases: string[] }> = {};
  for (const [name, network] of Object.entries(raw.NetworkSettings?.Networks ?? {})) {
    networks[name] = { networkId: network.NetworkID ?? '', aliases: network.Aliases ?? [] };
  }
  const state = raw.State ?? {};
  return {
    id: raw.Id,
    name: (raw.Name ?? '').replace(/^\//, ''),
    image: raw.Image ?? '',
    state: {
      status: state.Status ?? '',
      running: state.Running ?? false,
      exitCode: state.ExitCode ?? 0,
      ...(state.Health?.Status ? { health: state.Health.Status } : {}),
      startedAt: state.StartedAt ?? '',
      finishedAt: state.FinishedAt ?? '',
      oomKilled: state.OOMKilled ?? false,
    },
    labels: raw.Config?.Labels ?? {},
    tty: raw.Config?.Tty ?? false,
    openStdin: raw.Config?.OpenStdin ?? false,
    mounts: (raw.Mounts ?? []).map(mount),
    networks,
    restartPolicy: raw.HostConfig?.RestartPolicy?.Name ?? '',
  };
}
