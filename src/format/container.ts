// compose's ContainerContext (cmd/formatter/container.go): what `ps --format` templates see for each container,
// its `{{json .}}` shape and its column titles.
import type { ContainerSummary } from '../engine-client/index.js';
import { LABEL } from '../model/labels.js';
import { headerContext } from './formatter.js';
import { goQuote, GoMethod, GoStruct } from './template/index.js';
import type { GoMap, GoValue } from './template/index.js';
import { ellipsis, goTime, humanDuration } from './units.js';

export const DEFAULT_PS_TABLE = 'table {{.Name}}\\t{{.Image}}\\t{{.Command}}\\t{{.Service}}\\t{{.RunningFor}}\\t{{.Status}}\\t{{.Ports}}';

export const PS_HEADER: GoMap = headerContext({
  ID: 'CONTAINER ID',
  Name: 'NAME',
  Names: 'NAMES',
  Project: 'PROJECT',
  Service: 'SERVICE',
  Image: 'IMAGE',
  Command: 'COMMAND',
  CreatedAt: 'CREATED AT',
  RunningFor: 'CREATED',
  Ports: 'PORTS',
  State: 'STATE',
  Status: 'STATUS',
  Health: 'HEALTH',
  ExitCode: 'EXIT CODE',
  Publishers: 'PUBLISHERS',
  Size: 'SIZE',
  Labels: 'LABELS',
  Mounts: 'MOUNTS',
  LocalVolumes: 'LOCAL VOLUMES',
  Networks: 'NETWORKS',
});

export interface ContainerContextOptions {
  readonly project: string;
  /** `--no-trunc` turns it off: ids, commands and mount names cut short. */
  readonly trunc: boolean;
  readonly now: number;
}

/** The published ports as docker lists them: `0.0.0.0:8080->80/tcp, 443/tcp`. */
export function displayPorts(container: Pick<ContainerSummary, 'ports'>): string {
  return [...container.ports]
    .sort((a, b) => a.privatePort - b.privatePort || (a.publicPort ?? 0) - (b.publicPort ?? 0) || (a.ip ?? '').localeCompare(b.ip ?? ''))
    .map((port) => (port.publicPort ? `${hostIp(port.ip ?? '0.0.0.0')}:${port.publicPort}->${port.privatePort}/${port.type}` : `${port.privatePort}/${port.type}`))
    .join(', ');
}

const hostIp = (ip: string): string => (ip.includes(':') ? `[${ip}]` : ip);

export function containerContext(container: ContainerSummary, options: ContainerContextOptions): GoStruct {
  const labels = container.labels;
  const health = /\((healthy|unhealthy|health: starting)\)/.exec(container.status)?.[1]?.replace('health: ', '') ?? '';
  const publishers = [...container.ports]
    .sort((a, b) => a.privatePort - b.privatePort || (a.publicPort ?? 0) - (b.publicPort ?? 0))
    .map((port) => new GoStruct('api.PortPublisher', { URL: port.ip ?? '', TargetPort: port.privatePort, PublishedPort: port.publicPort ?? 0, Protocol: port.type }));
  const fields = {
    Command: goQuote(options.trunc ? ellipsis(container.command, 20) : container.command),
    CreatedAt: goTime(new Date(container.created * 1000)),
    ExitCode: Number(/Exited \((\d+)\)/.exec(container.status)?.[1] ?? 0),
    Health: health,
    ID: options.trunc ? container.id.slice(0, 12) : container.id,
    Image: container.image,
    Labels: Object.entries(labels).map(([key, value]) => `${key}=${value}`).sort().join(','),
    LocalVolumes: String(container.mounts.filter((mount) => mount.type === 'volume' && /^[0-9a-f]{64}$/.test(mount.name ?? '')).length),
    Mounts: container.mounts.map((mount) => (options.trunc ? ellipsis(mount.name || mount.source, 15) : mount.name || mount.source)).join(','),
    Name: container.name,
    Names: container.name,
    Networks: Object.keys(container.networks).sort().join(','),
    Ports: displayPorts(container),
    Project: labels[LABEL.project] ?? options.project,
    Publishers: publishers as GoValue,
    RunningFor: `${humanDuration(options.now - container.created * 1000)} ago`,
    Service: labels[LABEL.service] ?? '',
    Size: '0B',
    State: container.state,
    Status: container.status,
  };
  return new GoStruct(
    '*formatter.ContainerContext',
    { ...fields, Label: new GoMethod(['string'], (name) => labels[name as string] ?? '') },
    // docker marshals a context's methods by name, sorted; Label takes an argument, so it is left out.
    { json: () => fields },
  );
}
