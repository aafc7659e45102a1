// A one-off container (`berth run`) as compose makes it: the service's configuration with the command line's
// overrides on top, no restart policy, one replica, its ports published only when asked (-p, --service-ports), named
// `<project>-<service>-run-<12 hex of the slug>` unless `--name` or `container_name` say otherwise. Pure: the CLI
// brings the flags already read and the slug already drawn.
import { isAbsolute, resolve } from 'node:path';
import type { Dict } from '../model/tree.js';
import type { PortConfig, ServiceConfig, VolumeMount } from '../model/types.js';
import { PlanBuilder } from './builder.js';
import { hookOperations } from './hooks.js';
import type { ContainerRef, Plan } from './types.js';

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

export interface OneOffPlanOptions {
  /** The one-off's configuration (oneOffService). */
  readonly config: ServiceConfig;
  readonly name: string;
  readonly slug: string;
  /** -d: started and left running. */
  readonly detach: boolean;
  /** --rm. */
  readonly autoRemove: boolean;
  readonly interactive: boolean;
  readonly useAliases: boolean;
}

/**
 * The one-off itself, after its dependencies' plans: created, started (attached unless -d), its post_start hooks
 * run once it has started (beside the attached wait, as compose runs them on the start event), followed until it
 * exits, and with --rm seen gone. `run` has no pre_stop: nothing stops a one-off but its own end (or the user).
 */
export function planOneOff(options: OneOffPlanOptions): Plan {
  const service = options.config.name;
  const container: ContainerRef = { id: options.name, name: options.name, service, number: 1 };
  const resource = `service:${service}:run`;
  const plan = new PlanBuilder();
  const create = plan.add({
    kind: 'create-one-off',
    resource,
    cause: 'berth run',
    container,
    config: options.config,
    slug: options.slug,
    autoRemove: options.autoRemove,
    interactive: options.interactive,
    useAliases: options.useAliases,
  });
  const attach = !options.detach;
  const start = plan.add({ kind: 'start-one-off', resource, cause: attach ? 'berth run' : 'berth run -d', container, attach, autoRemove: options.autoRemove }, [create]);
  let last = start;
  for (const hook of hookOperations({ services: { [service]: options.config } }, container, 'post_start')) last = plan.add({ ...hook, resource }, [last]);
  if (!attach) return plan.build();
  const wait = plan.add({ kind: 'wait-one-off', resource, cause: 'its exit code is the command\'s', container }, [start]);
  if (options.autoRemove) plan.add({ kind: 'remove-one-off', resource, cause: '--rm', container }, [wait, last]);
  return plan.build();
}
