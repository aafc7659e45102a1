// A container record from a create request and its image's defaults: the command line, environment, labels and
// the rest of the config merged as dockerd merges them. Pure: the mounts and endpoints come in already made.
import { invalid } from '../../errors.js';
import type { ContainerRecord, CreateConfig, Endpoint, MountPoint } from '../container-record.js';
import type { ContainerDefaults } from '../images.js';

export interface CommandLine {
  /** The entrypoint kept in the config (empty when there is none). */
  readonly entrypoint: string[];
  readonly cmd: string[];
  /** What runs: entrypoint then command. */
  readonly argv: string[];
}

const list = (value: string[] | string | null | undefined): string[] | undefined =>
  value === undefined || value === null ? undefined : typeof value === 'string' ? [value] : value;

/** An entrypoint in the request replaces the image's and drops the image's command, as docker does. */
export function commandLine(request: Pick<CreateConfig, 'Entrypoint' | 'Cmd'>, defaults: Pick<ContainerDefaults, 'Entrypoint' | 'Cmd'>): CommandLine {
  const requestEntrypoint = list(request.Entrypoint);
  const entrypoint = requestEntrypoint ?? defaults.Entrypoint ?? [];
  const cmd = list(request.Cmd) ?? (requestEntrypoint !== undefined ? [] : (defaults.Cmd ?? []));
  const argv = [...entrypoint.filter((part) => part !== ''), ...cmd];
  if (argv.length === 0) throw invalid('No command specified');
  return { entrypoint, cmd, argv };
}

/** The image's environment with the request's entries over it, by variable name, in first-seen order. */
export function mergeEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const byKey = new Map<string, string>();
  for (const entry of [...base, ...overrides]) byKey.set(entry.split('=')[0]!, entry);
  return [...byKey.values()];
}

export interface NewContainer {
  readonly id: string;
  readonly name: string;
  /** ISO time of creation. */
  readonly created: string;
  readonly request: CreateConfig;
  readonly image: { readonly id: string; readonly defaults: ContainerDefaults };
  readonly command: CommandLine;
  readonly mounts: MountPoint[];
  /** tmpfs mounts: target -> options (from `Tmpfs` and tmpfs `Mounts`). */
  readonly tmpfs: Record<string, string>;
  readonly networks: Record<string, Endpoint>;
}

export function buildRecord(input: NewContainer): ContainerRecord {
  const { id, request, command } = input;
  const defaults = input.image.defaults;
  const host = { ...request.HostConfig, Tmpfs: input.tmpfs };
  const { HostConfig: _host, NetworkingConfig: _networking, ...config } = request;
  return {
    id,
    name: input.name,
    created: input.created,
    image: request.Image!,
    imageId: input.image.id,
    config: {
      ...config,
      Env: mergeEnv(defaults.Env ?? [], request.Env ?? []),
      Cmd: command.cmd,
      Entrypoint: command.entrypoint.length > 0 ? command.entrypoint : null,
      WorkingDir: request.WorkingDir || defaults.WorkingDir || '',
      User: request.User || defaults.User || '',
      Labels: { ...(defaults.Labels ?? {}), ...(request.Labels ?? {}) },
      ExposedPorts: { ...(defaults.ExposedPorts ?? {}), ...(request.ExposedPorts ?? {}) },
      StopSignal: request.StopSignal || defaults.StopSignal || 'SIGTERM',
      Hostname: request.Hostname || id.slice(0, 12),
      Image: request.Image,
    },
    hostConfig: { NetworkMode: host.NetworkMode ?? 'default', ...host },
    path: command.argv[0]!,
    args: command.argv.slice(1),
    hostname: request.Hostname || id.slice(0, 12),
    mounts: input.mounts,
    networks: input.networks,
    state: { status: 'created', pid: 0, exitCode: 0, startedAt: '0001-01-01T00:00:00Z', finishedAt: '0001-01-01T00:00:00Z', oomKilled: false, error: '' },
    restartCount: 0,
  };
}
