// Containers over the Engine API: plain data in and out.
import type { IncomingMessage } from 'node:http';
import { Readable, Writable } from 'node:stream';
import type { Duplex } from 'node:stream';
import { statusOf } from './transport.js';
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
  attach(id: string, options: { stdin?: boolean; logs?: boolean }): Promise<Duplex>;
  /** Unpacks a tar archive into the container at `path` (`docker cp`'s upload). */
  putArchive(id: string, path: string, tar: Buffer): Promise<void>;
  /** Runs a process in the running container; resolves with its exit code and its output (stdout and stderr). */
  exec(id: string, options: ExecOptions): Promise<{ exitCode: number; output: string }>;
}

export interface ExecOptions {
  readonly command: readonly string[];
  readonly user?: string;
  readonly privileged?: boolean;
  readonly workingDir?: string;
  readonly env?: readonly string[];
}

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
      return transport.hijack(`/containers/${encodeURIComponent(id)}/attach`, {
        query: { stream: true, stdout: true, stderr: true, stdin: options.stdin ?? false, logs: options.logs ?? false },
      });
    },
    async putArchive(id, target, tar) {
      await request('PUT', `/containers/${encodeURIComponent(id)}/archive`, { query: { path: target }, upload: Readable.from([tar]) });
    },
    async exec(id, options) {
      const created = await request<{ Id: string }>('POST', `/containers/${encodeURIComponent(id)}/exec`, {
        body: {
          Cmd: options.command,
          AttachStdout: true,
          AttachStderr: true,
          ...(options.user ? { User: options.user } : {}),
          ...(options.privileged ? { Privileged: true } : {}),
          ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
          ...(options.env?.length ? { Env: options.env } : {}),
        },
      });
      const stream = await transport.stream('POST', `/exec/${created.Id}/start`, { body: { Detach: false, Tty: false } });
      let output = '';
      const collect = new Writable({
        write(chunk: Buffer, _encoding, done) {
          output += chunk.toString();
          done();
        },
      });
      const ended = new Promise<void>((resolve, reject) => {
        stream.on('end', resolve);
        stream.on('close', resolve);
        stream.on('error', reject);
      });
      transport.demux(stream, collect, collect);
      await ended;
      const inspected = await request<{ ExitCode: number | null }>('GET', `/exec/${created.Id}/json`);
      return { exitCode: inspected.ExitCode ?? 0, output };
    },
  };
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
