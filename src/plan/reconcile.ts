// reconcile(project, observed, options) -> Plan: pure. The rules are compose's: networks and volumes first (created
// when missing, recreated when their config hash changed), then each service in dependency order (scale down,
// recreate what diverged, start what is stopped, scale up), then orphans.
import { buildGraph, edgesOf } from '../model/dependencies.js';
import { dependencyOrder } from '../graph/graph.js';
import type { ServiceGraph } from '../model/dependencies.js';
import { BerthError } from '../model/errors.js';
import { durationSeconds } from '../model/duration.js';
import { networkConfigHash, serviceConfigHash, volumeConfigHash } from '../model/hash.js';
import type { Dict } from '../model/tree.js';
import type { Project, ServiceConfig } from '../model/types.js';
import type { ObservedContainer, ObservedState } from '../observe/observe.js';
import { serviceImage } from '../observe/observe.js';
import { PlanBuilder } from './builder.js';
import { containerName } from '../model/labels.js';
import { addHooks } from './hooks.js';
import type { Plan, StopContainer } from './types.js';

export type RecreatePolicy = 'diverged' | 'force' | 'never';

export interface ReconcileOptions {
  /** Services named on the command line (empty: all). */
  readonly services?: readonly string[];
  readonly recreate?: RecreatePolicy;
  readonly recreateDependencies?: RecreatePolicy;
  /** Keep anonymous volumes of replaced containers (false with `-V`). */
  readonly inherit?: boolean;
  readonly removeOrphans?: boolean;
  readonly scale?: Readonly<Record<string, number>>;
  readonly timeout?: number;
  readonly compatibility?: boolean;
  /** Volumes whose config changed that the user agreed to recreate (their data is lost). */
  readonly recreateVolumes?: ReadonlySet<string>;
  /** Every service of the files (when the project was narrowed to some): containers of others are orphans. */
  readonly knownServices?: readonly string[];
}

export function reconcile(project: Project, observed: ObservedState, options: ReconcileOptions = {}): Plan {
  return new Reconciler(project, observed, options).run();
}

/** The number of containers a service should have: `--scale`, else `scale`, else `deploy.replicas`, else 1. */
export function desiredScale(service: ServiceConfig, options: ReconcileOptions): number {
  const deploy = service.deploy as Dict | undefined;
  const scale = options.scale?.[service.name] ?? service.scale ?? (deploy?.replicas as number | undefined) ?? 1;
  if (scale > 1 && service.container_name) {
    throw new BerthError(
      `services.${service.name}: container_name "${service.container_name}" is set, so the service cannot be scaled to ${scale} (container names must be unique)`,
      { path: ['services', service.name, 'container_name'] },
    );
  }
  return scale;
}

/** `service:x` references resolved to the containers they stand for, as compose hashes and creates them. */
export function resolveServiceReferences(service: ServiceConfig, containersByService: Readonly<Record<string, readonly { id: string }[]>>): ServiceConfig {
  const resolved: Record<string, unknown> = { ...service };
  for (const key of ['network_mode', 'ipc', 'pid'] as const) {
    const mode = service[key];
    if (typeof mode === 'string' && mode.startsWith('service:')) {
      const target = containersByService[mode.slice('service:'.length)]?.[0];
      if (target) resolved[key] = `container:${target.id}`;
    }
  }
  if (Array.isArray(service.volumes_from)) {
    resolved.volumes_from = service.volumes_from.map((entry) => {
      if (entry.startsWith('container:')) return entry;
      const [name = '', mode] = entry.split(':');
      const target = containersByService[name]?.[0];
      return target ? `container:${target.id}${mode ? `:${mode}` : ''}` : entry;
    });
  }
  return resolved as ServiceConfig;
}

/**
 * Seconds a container of the service gets to stop before it is killed: `-t`, else its stop_grace_period (read as
 * compose reads it: whole seconds, truncated); undefined leaves it to the container's own stop timeout.
 */
export function stopTimeout(project: Pick<Project, 'services'>, service: string, timeout: number | undefined): number | undefined {
  if (timeout !== undefined) return timeout;
  const grace = project.services[service]?.stop_grace_period;
  return grace === undefined || grace === null ? undefined : durationSeconds(grace, ['services', service, 'stop_grace_period']);
}

class Reconciler {
  private readonly plan = new PlanBuilder();
  private readonly networkNodes = new Map<string, number>();
  private readonly volumeNodes = new Map<string, number>();
  private readonly serviceNodes = new Map<string, number>();
  private readonly stopped = new Map<string, number>();
  private readonly recreated = new Set<string>();
  private readonly graph: ServiceGraph;
  private readonly byService: Record<string, ObservedContainer[]> = {};

  constructor(
    private readonly project: Project,
    private readonly observed: ObservedState,
    private readonly options: ReconcileOptions,
  ) {
    this.graph = buildGraph(project.services as Record<string, Dict>);
    for (const container of observed.containers) {
      if (container.oneoff) continue;
      (this.byService[container.service] ??= []).push(container);
    }
  }

  run(): Plan {
    this.reconcileNetworks();
    this.reconcileVolumes();
    this.reconcileContainers();
    this.reconcileOrphans();
    return this.plan.build();
  }

  private usedNetworks(): string[] {
    const used = new Set<string>();
    for (const service of Object.values(this.project.services)) for (const key of Object.keys(service.networks ?? {})) used.add(key);
    return [...used].sort();
  }

  private usedVolumes(): string[] {
    const used = new Set<string>();
    for (const service of Object.values(this.project.services)) {
      for (const mount of service.volumes ?? []) if (mount.type === 'volume' && mount.source && mount.source in this.project.volumes) used.add(mount.source);
    }
    return [...used].sort();
  }

  private reconcileNetworks(): void {
    for (const key of this.usedNetworks()) {
      const network = this.project.networks[key];
      if (!network) continue;
      const found = this.observed.networks[key];
      const name = network.name ?? `${this.project.name}_${key}`;
      if (network.external) {
        if (!found) this.block(this.servicesUsingNetwork(key), `network ${name} declared as external, but could not be found`);
        continue;
      }
      if (!found) {
        this.networkNodes.set(key, this.plan.add({ kind: 'create-network', resource: `network:${key}`, cause: 'not found', key, name }));
        continue;
      }
      if (found.project !== this.project.name) {
        this.plan.warn(
          found.project === ''
            ? `a network with name ${name} exists but was not created by compose; set \`external: true\` to use an existing network`
            : `a network with name ${name} exists but was created for project "${found.project}"; set \`external: true\` to use an existing network`,
        );
        continue;
      }
      if (found.configHash !== '' && found.configHash !== networkConfigHash(network as Dict)) this.recreateNetwork(key, found.id, name);
    }
  }

  /** Containers on a changed network are stopped and disconnected, the network replaced, then they are reconnected. */
  private recreateNetwork(key: string, id: string, name: string): void {
    const attached = this.observed.containers.filter((container) => Object.keys(container.networks).includes(name));
    const disconnects: number[] = [];
    for (const container of attached) {
      const stop = this.stopOnce(container, `network ${key} config changed`);
      disconnects.push(this.plan.add({ kind: 'disconnect-network', resource: `network:${key}`, cause: `network ${key} recreate`, name, container }, [stop]));
    }
    const remove = this.plan.add({ kind: 'remove-network', resource: `network:${key}`, cause: 'config hash diverged', id, name }, disconnects);
    const create = this.plan.add({ kind: 'create-network', resource: `network:${key}`, cause: 'recreate after config change', key, name }, [remove]);
    this.networkNodes.set(key, create);
    for (const container of attached) {
      this.plan.add({ kind: 'connect-network', resource: `network:${key}`, cause: `network ${key} recreate`, name, container }, [create]);
    }
  }

  private reconcileVolumes(): void {
    for (const key of this.usedVolumes()) {
      const volume = this.project.volumes[key]!;
      const found = this.observed.volumes[key];
      const name = volume.name ?? `${this.project.name}_${key}`;
      if (volume.external) {
        if (!found) this.block(this.servicesUsingVolume(key), `external volume "${name}" not found`);
        continue;
      }
      if (!found) {
        this.volumeNodes.set(key, this.plan.add({ kind: 'create-volume', resource: `volume:${key}`, cause: 'not found', key, name }));
        continue;
      }
      if (found.project !== this.project.name) {
        this.plan.warn(
          found.project === ''
            ? `volume "${name}" already exists but was not created by berth or compose; use \`external: true\` to use an existing volume`
            : `volume "${name}" already exists but was created for project "${found.project}" (expected "${this.project.name}"); use \`external: true\` to use an existing volume`,
        );
        continue;
      }
      if (found.configHash === '' || found.configHash === volumeConfigHash(volume as Dict)) continue;
      if (!this.options.recreateVolumes?.has(key)) {
        this.plan.warn(`volume "${name}" exists but does not match its configuration in the compose files; it is kept as it is (recreating it loses its data: run with -y to agree)`);
        continue;
      }
      this.recreateVolume(key, name);
    }
  }

  private recreateVolume(key: string, name: string): void {
    const users = this.observed.containers.filter((container) => container.mounts.some((mount) => mount.type === 'volume' && mount.name === name));
    const removals = users.map((container) => {
      const stop = this.stopOnce(container, 'mounted volume config changed');
      return this.plan.add({ kind: 'remove-container', resource: this.resourceOf(container), cause: 'mounted volume config changed', container, volumes: false }, [stop]);
    });
    const remove = this.plan.add({ kind: 'remove-volume', resource: `volume:${key}`, cause: 'config hash diverged', name }, removals);
    this.volumeNodes.set(key, this.plan.add({ kind: 'create-volume', resource: `volume:${key}`, cause: 'recreate after config change', key, name }, [remove]));
    // Their containers are gone: the services create new ones.
    for (const container of users) {
      this.byService[container.service] = (this.byService[container.service] ?? []).filter((other) => other.id !== container.id);
    }
  }

  private servicesUsingNetwork(key: string): string[] {
    return Object.values(this.project.services).filter((service) => key in (service.networks ?? {})).map((service) => service.name);
  }

  private servicesUsingVolume(key: string): string[] {
    return Object.values(this.project.services)
      .filter((service) => (service.volumes ?? []).some((mount) => mount.type === 'volume' && mount.source === key))
      .map((service) => service.name);
  }

  /** These services cannot run; nor can services that require them. Others go on. */
  private block(services: readonly string[], why: string): void {
    const queue = [...services];
    for (const service of services) this.plan.block(service, why);
    while (queue.length > 0) {
      const name = queue.shift()!;
      for (const dependent of this.graph.nodes.get(name)?.dependents ?? []) {
        const edge = this.graph.nodes.get(dependent)?.dependencies.get(name);
        if (!edge?.required || this.plan.isBlocked(dependent)) continue;
        this.plan.block(dependent, `dependency ${name} failed: ${this.plan.blockedBecause(name)}`);
        queue.push(dependent);
      }
    }
  }

  private reconcileContainers(): void {
    for (const name of dependencyOrder(this.graph)) if (!this.plan.isBlocked(name)) this.reconcileService(this.project.services[name]!);
  }

  private containersByService(): Record<string, ObservedContainer[]> {
    const out: Record<string, ObservedContainer[]> = {};
    for (const [service, containers] of Object.entries(this.byService)) out[service] = [...containers].sort((a, b) => (a.name < b.name ? -1 : 1));
    return out;
  }

  private reconcileService(service: ServiceConfig): void {
    const expected = desiredScale(service, this.options);
    const targeted = !this.options.services?.length || this.options.services.includes(service.name);
    const policy = (targeted ? this.options.recreate : this.options.recreateDependencies) ?? 'diverged';
    const expectedHash = serviceConfigHash(resolveServiceReferences(service, this.containersByService()) as unknown as Dict);
    const imageDigest = this.observed.images[serviceImage(this.project.name, service)] ?? '';
    const parentRecreated = this.parentRecreated(service);
    const infra = this.infrastructureDeps(service);

    const causeOf = (container: ObservedContainer): string | undefined => {
      if (policy === 'never') return undefined;
      if (policy === 'force') return 'forced';
      if (parentRecreated) return 'a service it shares namespaces or volumes with is recreated';
      if (container.configHash !== expectedHash) return 'configuration changed';
      if (imageDigest !== '' && container.imageDigest !== imageDigest) return 'image changed';
      if (container.state === 'running' && this.networkMismatch(service, container)) return 'networks changed';
      if (this.volumeMismatch(service, container)) return 'volumes changed';
      return undefined;
    };
    const containers = [...(this.byService[service.name] ?? [])];
    const causes = new Map(containers.map((container) => [container.id, causeOf(container)]));
    // Up-to-date containers and low numbers are kept; obsolete and high numbers go first when scaling down.
    containers.sort((a, b) => {
      const obsoleteA = causes.get(a.id) !== undefined;
      const obsoleteB = causes.get(b.id) !== undefined;
      if (obsoleteA !== obsoleteB) return obsoleteA ? 1 : -1;
      if (a.number !== b.number) return a.number - b.number;
      return b.created - a.created;
    });

    let last: number | undefined;
    const keptNumbers = new Set<number>();
    containers.forEach((container, index) => {
      if (index >= expected) {
        const stop = this.stopOnce(container, 'scale down');
        last = this.plan.add({ kind: 'remove-container', resource: this.resourceOf(container), cause: 'scale down', container, volumes: false }, [stop]);
        return;
      }
      keptNumbers.add(container.number);
      const cause = causes.get(container.id);
      if (cause !== undefined) {
        last = this.recreateContainer(service, container, cause, infra);
        this.recreated.add(service.name);
        return;
      }
      // Created and exited containers are started with the rest, after convergence.
      if (container.state === 'paused') {
        last = this.plan.add({ kind: 'unpause-container', resource: this.resourceOf(container), cause: 'paused', container }, infra);
      } else if (!['running', 'created', 'restarting', 'exited'].includes(container.state)) {
        const start = this.plan.add({ kind: 'start-container', resource: this.resourceOf(container), cause: `${container.state}, not running`, container }, infra);
        last = addHooks(this.plan, this.project, container, 'post_start', [start])[0];
      }
    });
    // Scale up, filling the lowest free numbers. A new container waits only for what its create names: its networks
    // and volumes, and the containers it references (links, service: namespaces, volumes_from); depends_on orders
    // the starts, not the creates, so a cold chain's creates all go at once.
    const createAfter = this.infrastructureDeps(service, this.referencedServices(service));
    let number = 1;
    for (let i = containers.length; i < expected; i++) {
      while (keptNumbers.has(number)) number++;
      keptNumbers.add(number);
      const name = this.nameOf(service, number);
      last = this.plan.add({ kind: 'create-container', resource: `service:${service.name}:${number}`, cause: 'no existing container', service: service.name, number, name }, createAfter);
    }
    if (last !== undefined) this.serviceNodes.set(service.name, last);
  }

  private nameOf(service: ServiceConfig, number: number): string {
    return containerName(this.project.name, service.name, number, {
      ...(service.container_name ? { containerName: service.container_name } : {}),
      compatibility: this.options.compatibility ?? false,
    });
  }

  private resourceOf(container: ObservedContainer): string {
    return `service:${container.service}:${container.number}`;
  }

  private stopOnce(container: ObservedContainer, cause: string): number {
    const existing = this.stopped.get(container.id);
    if (existing !== undefined) return existing;
    const id = this.plan.add(this.stopOperation(container, cause), this.preStop(container, []));
    this.stopped.set(container.id, id);
    return id;
  }

  /** Create under a temporary name, stop and remove the old one, then rename: the new container exists first. */
  private recreateContainer(service: ServiceConfig, old: ObservedContainer, cause: string, infra: readonly number[]): number {
    const resource = this.resourceOf(old);
    const group = `recreate:${service.name}:${old.number}`;
    const finalName = this.nameOf(service, old.number);
    const dependentStops = this.stopRestartingDependents(service);
    const create = this.plan.add(
      {
        kind: 'create-container',
        resource,
        cause,
        service: service.name,
        number: old.number,
        name: `${old.id.slice(0, 12)}_${finalName}`,
        replaces: old,
        ...(this.options.inherit !== false ? { inherited: old } : {}),
      },
      [...infra, ...dependentStops],
      group,
    );
    const alreadyStopped = this.stopped.has(old.id);
    const stop = alreadyStopped ? this.stopped.get(old.id)! : this.plan.add(this.stopOperation(old, `replaced by #${create}`), this.preStop(old, [create]), group);
    this.stopped.set(old.id, stop);
    const remove = this.plan.add({ kind: 'remove-container', resource, cause: `replaced by #${create}`, container: old, volumes: false }, alreadyStopped ? [stop, create] : [stop], group);
    return this.plan.add({ kind: 'rename-container', resource, cause: 'finalize recreate', name: finalName, createNode: create, service: service.name }, [remove], group);
  }

  /** A running container's pre_stop hooks, after `after`: what its stop must wait for. */
  private preStop(container: ObservedContainer, after: readonly number[]): readonly number[] {
    return container.state === 'running' ? addHooks(this.plan, this.project, container, 'pre_stop', after) : after;
  }

  private stopOperation(container: ObservedContainer, cause: string): StopContainer {
    const timeout = stopTimeout(this.project, container.service, this.options.timeout);
    return { kind: 'stop-container', resource: this.resourceOf(container), cause, container, ...(timeout !== undefined ? { timeout } : {}) };
  }

  /** Services with `depends_on: {x: {restart: true}}` are stopped while x is recreated, and started again after. */
  private stopRestartingDependents(service: ServiceConfig): number[] {
    const stops: number[] = [];
    for (const dependent of [...(this.graph.nodes.get(service.name)?.dependents ?? [])].sort()) {
      const edge = this.graph.nodes.get(dependent)?.dependencies.get(service.name);
      if (!edge?.restart) continue;
      for (const container of this.byService[dependent] ?? []) stops.push(this.stopOnce(container, `dependency ${service.name} being recreated`));
    }
    return stops;
  }

  private parentRecreated(service: ServiceConfig): boolean {
    for (const key of ['network_mode', 'ipc', 'pid'] as const) {
      const mode = service[key];
      if (typeof mode === 'string' && mode.startsWith('service:') && this.recreated.has(mode.slice('service:'.length))) return true;
    }
    return (service.volumes_from ?? []).some((entry) => !entry.startsWith('container:') && this.recreated.has(entry.split(':')[0]!));
  }

  /** The services whose containers this one's create request names. */
  private referencedServices(service: ServiceConfig): Set<string> {
    const referenced = new Set<string>();
    for (const { target, edge } of edgesOf(service.name, service as unknown as Dict)) if (edge.kind !== 'depends_on') referenced.add(target);
    return referenced;
  }

  /** The service's networks and volumes being made, and what its dependencies (or only `among` them) do first. */
  private infrastructureDeps(service: ServiceConfig, among?: ReadonlySet<string>): number[] {
    const deps: number[] = [];
    for (const key of Object.keys(service.networks ?? {}).sort()) {
      const node = this.networkNodes.get(key);
      if (node !== undefined) deps.push(node);
    }
    for (const mount of service.volumes ?? []) {
      const node = mount.type === 'volume' && mount.source ? this.volumeNodes.get(mount.source) : undefined;
      if (node !== undefined) deps.push(node);
    }
    for (const dependency of [...(this.graph.nodes.get(service.name)?.dependencies.keys() ?? [])].sort()) {
      if (among && !among.has(dependency)) continue;
      const node = this.serviceNodes.get(dependency);
      if (node !== undefined) deps.push(node);
    }
    return deps;
  }

  private networkMismatch(service: ServiceConfig, container: ObservedContainer): boolean {
    const connected = new Set(Object.values(container.networks));
    return Object.keys(service.networks ?? {}).some((key) => {
      const expected = this.observed.networks[key];
      // A network this plan creates: the container cannot be on it yet. One it recreates: the plan reconnects it.
      if (!expected) return this.networkNodes.has(key);
      if (this.networkNodes.has(key)) return false;
      return !connected.has(expected.id);
    });
  }

  private volumeMismatch(service: ServiceConfig, container: ObservedContainer): boolean {
    return (service.volumes ?? []).some((mount) => {
      if (mount.type !== 'volume' || !mount.source) return false;
      const expected = this.observed.volumes[mount.source];
      if (!expected) return false;
      return !container.mounts.some((existing) => existing.type === 'volume' && existing.name === expected.name);
    });
  }

  private reconcileOrphans(): void {
    const known = new Set([...Object.keys(this.project.services), ...this.project.disabledServices, ...(this.options.knownServices ?? [])]);
    const orphans = this.observed.containers.filter((container) => !container.oneoff && !known.has(container.service));
    if (orphans.length === 0) return;
    if (!this.options.removeOrphans) {
      this.plan.warn(
        `Found orphan containers (${orphans.map((container) => container.name).join(', ')}) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`,
      );
      return;
    }
    for (const container of orphans) {
      const stop = this.stopOnce(container, 'orphaned container');
      this.plan.add({ kind: 'remove-container', resource: this.resourceOf(container), cause: 'orphaned container', container, volumes: false }, [stop]);
    }
  }
}
