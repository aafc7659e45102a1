// A one-off container (`berth run`) as compose makes it: the service's configuration with the command line's
// overrides on top, no restart policy, one replica, its ports published only when asked (-p, --service-ports), named
// `<project>-<service>-run-<12 hex of the slug>` unless `--name` or `container_name` say otherwise. Pure: the CLI
// brings the flags already read and the slug already drawn.
import { isAbsolute, resolve } from 'node:path';
import type { Dict } from '../model/tree.js';
import type { PortConfig, ServiceConfig, VolumeMount } from '../model/types.js';

export interface OneOffOptions {
  /** Replaces the service's command when not empty. */
  readonly command: readonly string[];
  readonly entrypoint?: readonly string[];
  /** KEY=VALUE entries, over the service's environment. */
  readonly environment: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly user?: string;
  readonly workingDir?: string;
  /** Long-form mounts from -v, relative sources already resolved. */
  readonly volumes: readonly Dict[];
  /** --service-ports: the service's own ports are published. */
  readonly servicePorts: boolean;
  /** -p: ports published in any case. */
  readonly publish: readonly PortConfig[];
  readonly capAdd: readonly string[];
  readonly capDrop: readonly string[];
  readonly tty: boolean;
  readonly interactive: boolean;
}

export function oneOffService(service: ServiceConfig, options: OneOffOptions): ServiceConfig {
  const environment: Record<string, string | null> = { ...service.environment };
  for (const entry of options.environment) {
    const equals = entry.indexOf('=');
    environment[entry.slice(0, equals)] = entry.slice(equals + 1);
  }
  const { restart: _restart, scale: _scale, ...rest } = service;
  const deploy = service.deploy ? { ...service.deploy, restart_policy: undefined, replicas: 1 } : undefined;
  return {
    ...rest,
    ...(deploy ? { deploy } : {}),
    ...(options.command.length > 0 ? { command: options.command } : {}),
    ...(options.entrypoint ? { entrypoint: options.entrypoint } : {}),
    environment,
    labels: { ...service.labels, ...options.labels },
    ...(options.user ? { user: options.user } : {}),
    ...(options.workingDir ? { working_dir: options.workingDir } : {}),
    volumes: mergeVolumes(service.volumes ?? [], options.volumes as unknown as VolumeMount[]),
    ports: [...(options.servicePorts ? (service.ports ?? []) : []), ...options.publish],
    ...(options.capAdd.length > 0 ? { cap_add: [...((service['cap_add'] as string[] | undefined) ?? []), ...options.capAdd] } : {}),
    ...(options.capDrop.length > 0 ? { cap_drop: [...((service['cap_drop'] as string[] | undefined) ?? []), ...options.capDrop] } : {}),
    tty: options.tty,
    stdin_open: options.interactive,
  };
}

/** A -v mount replaces one of the service's at the same target. */
function mergeVolumes(own: readonly VolumeMount[], added: readonly VolumeMount[]): VolumeMount[] {
  const targets = new Set(added.map((mount) => mount.target));
  return [...own.filter((mount) => !targets.has(mount.target)), ...added];
}

/** `<project>-<service>-run-<first 12 hex of the slug>` (`_` between the parts with --compatibility). */
export function oneOffName(project: string, service: string, slug: string, separator = '-'): string {
  return [project, service, 'run', slug.slice(0, 12)].join(separator);
}

/** A bind source written relative (`./data`, `../x`, `~` is left to the loader's rules) is taken from the working dir. */
export function resolveMountSource(mount: Dict, workingDir: string): Dict {
  const source = mount['source'];
  if (mount['type'] !== 'bind' || typeof source !== 'string' || isAbsolute(source)) return mount;
  return { ...mount, source: resolve(workingDir, source) };
}
