// Engine records -> the JSON shapes dockerd answers with (container and image inspect and list entries).
import type { ContainerRecord, Endpoint } from '../services/container-record.js';
import type { ImageRecord, ImageService } from '../services/images.js';
import type { Layout } from '../store/layout.js';

/** Go's units.HumanDuration, which `docker ps` uses for "Up 5 seconds". */
export function humanDuration(seconds: number): string {
  if (seconds < 1) return 'Less than a second';
  if (seconds < 2) return '1 second';
  if (seconds < 60) return `${Math.floor(seconds)} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(seconds / 3600);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(hours / 24 / 365)} years`;
}

export function statusText(record: ContainerRecord, now = Date.now()): string {
  const { state } = record;
  if (state.status === 'running' || state.status === 'paused') {
    const up = `Up ${humanDuration((now - Date.parse(state.startedAt)) / 1000)}`;
    if (state.status === 'paused') return `${up} (Paused)`;
    if (state.health) return `${up} (${state.health.Status === 'starting' ? 'health: starting' : state.health.Status})`;
    return up;
  }
  if (state.status === 'restarting') return `Restarting (${state.exitCode}) ${humanDuration((now - Date.parse(state.finishedAt)) / 1000)} ago`;
  if (state.status === 'exited') return `Exited (${state.exitCode}) ${humanDuration((now - Date.parse(state.finishedAt)) / 1000)} ago`;
  if (state.status === 'created') return 'Created';
  return state.status.charAt(0).toUpperCase() + state.status.slice(1);
}

/** NetworkSettings.Networks: an entry per network (addresses while the container runs), or host / none. */
function networksOf(record: ContainerRecord): Record<string, unknown> {
  const entries = Object.entries(record.networks ?? {});
  const mode = record.hostConfig.NetworkMode ?? 'default';
  if (entries.length === 0) {
    if (mode.startsWith('container:')) return {};
    return { [mode === 'host' ? 'host' : 'none']: endpointJson(record, undefined, '') };
  }
  return Object.fromEntries(entries.map(([name, endpoint]) => [name, endpointJson(record, endpoint, name)]));
}

function endpointJson(record: ContainerRecord, endpoint: Endpoint | undefined, network: string): Record<string, unknown> {
  const userDefined = network !== '' && network !== 'bridge';
  return {
    IPAMConfig: endpoint?.ipamIPv4 ? { IPv4Address: endpoint.ipamIPv4 } : null,
    Links: endpoint?.links.length ? endpoint.links : null,
    Aliases: endpoint?.aliases.length ? endpoint.aliases : null,
    MacAddress: endpoint?.mac ?? '',
    DriverOpts: endpoint?.driverOpts ?? null,
    NetworkID: endpoint?.networkId ?? '',
    EndpointID: endpoint?.endpointId ?? '',
    Gateway: endpoint?.gateway ?? '',
    IPAddress: endpoint?.ipAddress ?? '',
    IPPrefixLen: endpoint?.prefixLen ?? 0,
    IPv6Gateway: '',
    GlobalIPv6Address: '',
    GlobalIPv6PrefixLen: 0,
    DNSNames: userDefined ? [record.name, record.id.slice(0, 12), ...(endpoint?.aliases ?? [])] : null,
  };
}

/** The top-level address fields of NetworkSettings, which describe the default bridge network only. */
function defaultBridgeFields(record: ContainerRecord): Record<string, unknown> {
  const bridge = record.networks?.bridge;
  return { Gateway: bridge?.gateway ?? '', IPAddress: bridge?.ipAddress ?? '', IPPrefixLen: bridge?.prefixLen ?? 0, MacAddress: bridge?.mac ?? '', EndpointID: bridge?.endpointId ?? '' };
}

/** NetworkSettings.Ports: every exposed or published port, with its host bindings while running (else null). */
function portsOf(record: ContainerRecord): Record<string, Array<{ HostIp: string; HostPort: string }> | null> {
  const ports: Record<string, Array<{ HostIp: string; HostPort: string }> | null> = {};
  for (const key of Object.keys(record.config.ExposedPorts ?? {})) ports[key.includes('/') ? key : `${key}/tcp`] = null;
  for (const port of record.state.ports ?? []) {
    const key = `${port.containerPort}/${port.protocol}`;
    ports[key] = [...(ports[key] ?? []), { HostIp: port.hostIp || '0.0.0.0', HostPort: String(port.boundPort) }];
  }
  return ports;
}

/** The list's Ports: published ones with their host side, exposed ones without. */
function portList(record: ContainerRecord): unknown[] {
  const list: unknown[] = (record.state.ports ?? []).map((port) => ({ IP: port.hostIp || '0.0.0.0', PrivatePort: port.containerPort, PublicPort: port.boundPort, Type: port.protocol }));
  for (const key of Object.keys(record.config.ExposedPorts ?? {})) {
    const [port = '', protocol = 'tcp'] = key.split('/');
    if (!(record.state.ports ?? []).some((bound) => String(bound.containerPort) === port && bound.protocol === protocol)) list.push({ PrivatePort: Number(port), Type: protocol });
  }
  return list;
}

function mountsOf(record: ContainerRecord): unknown[] {
  return record.mounts.map((mount) =>
    mount.type === 'volume'
      ? { Type: 'volume', Name: mount.name, Source: mount.source, Destination: mount.target, Driver: 'local', Mode: mount.readOnly ? 'ro' : 'z', RW: !mount.readOnly, Propagation: '' }
      : { Type: 'bind', Source: mount.source, Destination: mount.target, Mode: mount.readOnly ? 'ro' : '', RW: !mount.readOnly, Propagation: mount.propagation ?? 'rprivate' },
  );
}

export function containerSummary(record: ContainerRecord): Record<string, unknown> {
  return {
    Id: record.id,
    Names: [`/${record.name}`],
    Image: record.image,
    ImageID: record.imageId,
    Command: [record.path, ...record.args].join(' '),
    Created: Math.floor(Date.parse(record.created) / 1000),
    Ports: portList(record),
    Labels: record.config.Labels,
    State: record.state.status,
    Status: statusText(record),
    HostConfig: { NetworkMode: record.hostConfig.NetworkMode ?? 'default' },
    NetworkSettings: { Networks: networksOf(record) },
    Mounts: mountsOf(record),
  };
}

export function containerInspect(record: ContainerRecord, layout: Layout, execIds: readonly string[] | null = null): Record<string, unknown> {
  const { state } = record;
  return {
    Id: record.id,
    Created: record.created,
    Path: record.path,
    Args: record.args,
    State: {
      Status: state.status,
      Running: state.status === 'running' || state.status === 'paused',
      Paused: state.status === 'paused',
      Restarting: state.status === 'restarting',
      OOMKilled: state.oomKilled,
      Dead: state.status === 'dead',
      Pid: state.pid,
      ExitCode: state.exitCode,
      Error: state.error,
      StartedAt: state.startedAt,
      FinishedAt: state.finishedAt,
      ...(state.health ? { Health: state.health } : {}),
    },
    Image: record.imageId,
    ResolvConfPath: `${layout.container(record.id)}/resolv.conf`,
    HostnamePath: `${layout.container(record.id)}/hostname`,
    HostsPath: `${layout.container(record.id)}/hosts`,
    LogPath: layout.log(record.id),
    Name: `/${record.name}`,
    RestartCount: record.restartCount,
    Driver: 'overlay2',
    Platform: 'linux',
    MountLabel: '',
    ProcessLabel: '',
    AppArmorProfile: '',
    ExecIDs: execIds,
    HostConfig: {
      Binds: null,
      NetworkMode: 'default',
      PortBindings: {},
      RestartPolicy: { Name: 'no', MaximumRetryCount: 0 },
      AutoRemove: false,
      LogConfig: { Type: 'json-file', Config: {} },
      Privileged: false,
      ReadonlyRootfs: false,
      ...record.hostConfig,
    },
    GraphDriver: {
      Name: 'overlay2',
      Data: { MergedDir: layout.rootfs(record.id), UpperDir: layout.upper(record.id), WorkDir: layout.work(record.id) },
    },
    Mounts: mountsOf(record),
    Config: {
      Hostname: record.hostname,
      Domainname: record.config.Domainname ?? '',
      User: record.config.User ?? '',
      AttachStdin: record.config.AttachStdin ?? false,
      AttachStdout: record.config.AttachStdout ?? false,
      AttachStderr: record.config.AttachStderr ?? false,
      ExposedPorts: record.config.ExposedPorts ?? null,
      Tty: record.config.Tty ?? false,
      OpenStdin: record.config.OpenStdin ?? false,
      ...(record.config.Healthcheck ? { Healthcheck: record.config.Healthcheck } : {}),
      StdinOnce: record.config.StdinOnce ?? false,
      Env: record.config.Env,
      Cmd: record.config.Cmd ?? null,
      Image: record.image,
      Volumes: null,
      WorkingDir: record.config.WorkingDir ?? '',
      Entrypoint: record.config.Entrypoint ?? null,
      OnBuild: null,
      Labels: record.config.Labels,
      StopSignal: record.config.StopSignal,
      ...(record.config.StopTimeout !== undefined && record.config.StopTimeout !== null ? { StopTimeout: record.config.StopTimeout } : {}),
    },
    NetworkSettings: {
      Bridge: '',
      SandboxID: '',
      HairpinMode: false,
      Ports: portsOf(record),
      SandboxKey: Object.keys(record.networks ?? {}).length > 0 && record.state.pid ? `/run/netns/berth-${record.id.slice(0, 12)}` : '',
      ...defaultBridgeFields(record),
      Networks: networksOf(record),
    },
  };
}

export function imageSummary(image: ImageRecord, images: ImageService): Record<string, unknown> {
  return {
    Id: image.id,
    ParentId: '',
    RepoTags: images.tagsOf(image.id),
    RepoDigests: images.digestsOf(image.id),
    Created: image.config.created ? Math.floor(Date.parse(image.config.created) / 1000) : 0,
    Size: image.size,
    SharedSize: -1,
    VirtualSize: image.size,
    Labels: image.config.config?.Labels ?? null,
    Containers: -1,
  };
}

export function imageInspect(image: ImageRecord, images: ImageService, layout: Layout): Record<string, unknown> {
  const config = image.config;
  return {
    Id: image.id,
    RepoTags: images.tagsOf(image.id),
    RepoDigests: images.digestsOf(image.id),
    Parent: '',
    Comment: '',
    Created: config.created ?? '0001-01-01T00:00:00Z',
    Container: '',
    ContainerConfig: {},
    DockerVersion: '',
    Author: config.author ?? '',
    Config: config.config ?? {},
    Architecture: config.architecture ?? 'amd64',
    Os: config.os ?? 'linux',
    Size: image.size,
    VirtualSize: image.size,
    GraphDriver: {
      Name: 'overlay2',
      Data: { LowerDir: config.rootfs.diff_ids.map((id) => layout.layer(id.slice(7))).reverse().join(':') },
    },
    RootFS: { Type: 'layers', Layers: config.rootfs.diff_ids },
    Metadata: { LastTagTime: images.lastTagTime(image.id) },
  };
}
