// Walks a plan's graph: each operation one Engine API call, as many at once as the graph and the parallelism
// limit allow. No decisions here: the plan made them. A failed operation stops what depends on it; the rest goes on.
import { readFileSync } from 'node:fs';
import type { Engine } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import { serviceConfigHash } from '../model/hash.js';
import type { Dict } from '../model/tree.js';
import type { Project, ServiceConfig } from '../model/types.js';
import type { ObservedContainer, ObservedState } from '../observe/observe.js';
import { serviceImage } from '../observe/observe.js';
import { containerLabels } from '../plan/labels.js';
import { resolveServiceReferences } from '../plan/reconcile.js';
import type { Operation, Plan, PlanNode } from '../plan/types.js';
import { progressEvent } from '../progress/events.js';
import type { ProgressSink, Status } from '../progress/events.js';
import { buildContainerCreateRequest } from './convert/index.js';
import type { ContainerRef } from './convert/context.js';
import { networkCreateBody, volumeCreateBody } from './resources.js';

export interface ApplyContext {
  readonly engine: Engine;
  readonly project: Project;
  readonly observed: ObservedState;
  readonly sink: ProgressSink;
  /** How many operations at once (`--parallel`, COMPOSE_PARALLEL_LIMIT); 0 or less: no limit. */
  readonly parallel: number;
  readonly version: string;
  readonly envFiles?: readonly string[];
  readonly warn: (message: string) => void;
  readonly signal?: AbortSignal;
}

export interface ApplyResult {
  /** Operations that failed, with the engine's message. */
  readonly failures: ReadonlyArray<{ readonly resource: string; readonly message: string }>;
}

export async function executePlan(plan: Plan, ctx: ApplyContext): Promise<ApplyResult> {
  const executor = new Executor(plan, ctx);
  return executor.run();
}

class Executor {
  private readonly done = new Set<number>();
  private readonly failed = new Set<number>();
  private readonly running = new Set<number>();
  private readonly createdIds = new Map<number, string>();
  private readonly containersByService: Record<string, ContainerRef[]> = {};
  private readonly failures: Array<{ resource: string; message: string }> = [];
  private readonly imageVolumes = new Map<string, readonly string[]>();

  constructor(
    private readonly plan: Plan,
    private readonly ctx: ApplyContext,
  ) {
    for (const container of ctx.observed.containers) {
      if (!container.oneoff) (this.containersByService[container.service] ??= []).push({ id: container.id, name: container.name });
    }
  }

  async run(): Promise<ApplyResult> {
    const pending = new Set(this.plan.nodes.map((node) => node.id));
    const limit = this.ctx.parallel > 0 ? this.ctx.parallel : Number.POSITIVE_INFINITY;
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        for (const id of [...pending]) {
          const node = this.plan.nodes[id - 1]!;
          if (node.dependsOn.some((dep) => this.failed.has(dep))) {
            pending.delete(id);
            this.failed.add(id);
            continue;
          }
          if (this.running.size >= limit) break;
          if (!node.dependsOn.every((dep) => this.done.has(dep))) continue;
          pending.delete(id);
          this.running.add(id);
          this.runNode(node)
            .then(() => this.done.add(id))
            .catch((error: unknown) => {
              this.failed.add(id);
              const message = error instanceof Error ? error.message : String(error);
              this.failures.push({ resource: node.operation.resource, message });
              this.ctx.sink.event(progressEvent(this.resourceName(node.operation), 'Error', message));
            })
            .finally(() => {
              this.running.delete(id);
              pump();
            });
        }
        if (this.running.size === 0) resolve();
      };
      pump();
    });
    return { failures: this.failures };
  }

  private resourceName(operation: Operation): string {
    if (operation.kind.endsWith('-network')) return `Network ${operation.name}`;
    if (operation.kind.endsWith('-volume')) return `Volume ${operation.name}`;
    if (operation.replaces) return `Container ${operation.replaces.name}`;
    if (operation.kind === 'rename-container') return `Container ${operation.name}`;
    return `Container ${operation.container?.name ?? operation.name}`;
  }

  private report(operation: Operation, status: Status, detail?: string): void {
    this.ctx.sink.event(progressEvent(this.resourceName(operation), status, detail));
  }

  private async runNode(node: PlanNode): Promise<void> {
    if (this.ctx.signal?.aborted) throw new BerthError('canceled', { kind: 'canceled' });
    const { engine, project } = this.ctx;
    const operation = node.operation;
    const recreating = node.group?.startsWith('recreate:') ?? false;
    switch (operation.kind) {
      case 'create-network': {
        this.report(operation, 'Creating');
        await engine.networks.create(networkCreateBody(project.name, operation.key!, project.networks[operation.key!]!, this.ctx.version));
        this.report(operation, 'Created');
        return;
      }
      case 'remove-network': {
        this.report(operation, 'Removing');
        await engine.networks.remove(operation.name!);
        this.report(operation, 'Removed');
        return;
      }
      case 'connect-network':
        await engine.networks.connect(operation.name!, operation.container!.id);
        return;
      case 'disconnect-network':
        await engine.networks.disconnect(operation.name!, operation.container!.id, true);
        return;
      case 'create-volume': {
        this.report(operation, 'Creating');
        await engine.volumes.create(volumeCreateBody(project.name, operation.key!, project.volumes[operation.key!]!, this.ctx.version));
        this.report(operation, 'Created');
        return;
      }
      case 'remove-volume': {
        this.report(operation, 'Removing');
        await engine.volumes.remove(operation.name!, true);
        this.report(operation, 'Removed');
        return;
      }
      case 'create-container':
        this.report(operation, recreating ? 'Recreate' : 'Creating');
        this.createdIds.set(node.id, await this.createContainer(operation));
        if (!recreating) this.report(operation, 'Created');
        return;
      case 'start-container': {
        const container = operation.container!;
        this.report(operation, 'Starting');
        if (container.state === 'paused') await engine.containers.unpause(container.id);
        else await engine.containers.start(container.id);
        this.report(operation, 'Started');
        return;
      }
      case 'stop-container': {
        if (!recreating) this.report(operation, 'Stopping');
        await engine.containers.stop(operation.container!.id, operation.timeout ?? this.stopTimeout(operation.container!));
        if (!recreating) this.report(operation, 'Stopped');
        return;
      }
      case 'remove-container': {
        const container = operation.container!;
        if (!recreating) this.report(operation, 'Removing');
        await engine.containers.remove(container.id, { force: true });
        const list = this.containersByService[container.service];
        if (list) this.containersByService[container.service] = list.filter((ref) => ref.id !== container.id);
        if (!recreating) this.report(operation, 'Removed');
        return;
      }
      case 'rename-container': {
        const id = this.createdIds.get(operation.createNode!);
        if (!id) throw new BerthError(`internal: rename #${node.id} has no created container`, { kind: 'internal' });
        await engine.containers.rename(id, operation.name!);
        const list = this.containersByService[operation.service!] ?? [];
        for (const ref of list) if (ref.id === id) Object.assign(ref, { name: operation.name! });
        this.ctx.sink.event(progressEvent(`Container ${operation.name}`, 'Recreated'));
        return;
      }
    }
  }

  private stopTimeout(container: ObservedContainer): number | undefined {
    const service = this.ctx.project.services[container.service];
    const grace = service?.stop_grace_period as string | undefined;
    if (!grace) return undefined;
    const match = /^(?:(\d+)h)?(?:(\d+)m)?(?:([\d.]+)s)?$/.exec(grace);
    if (!match) return undefined;
    return Number(match[1] ?? 0) * 3600 + Number(match[2] ?? 0) * 60 + Math.ceil(Number(match[3] ?? 0));
  }

  private async createContainer(operation: Operation): Promise<string> {
    const { engine, project, observed } = this.ctx;
    const original = project.services[operation.service!]!;
    const service = resolveServiceReferences(original, this.containersByService);
    const image = serviceImage(project.name, service);
    const inherited = operation.inherited;
    const labels = containerLabels({
      project: project.name,
      service: service.name,
      number: operation.number!,
      configHash: serviceConfigHash(service as unknown as Dict),
      imageDigest: observed.images[image] ?? '',
      workingDir: project.workingDir,
      configFiles: project.configFiles,
      ...(this.ctx.envFiles ? { envFiles: this.ctx.envFiles } : {}),
      version: this.ctx.version,
      dependsOn: dependsOnLabel(service),
      ...(operation.replaces ? { replaces: operation.replaces.name } : {}),
      ...(service.labels ? { userLabels: service.labels } : {}),
    });
    const request = buildContainerCreateRequest(service, {
      projectName: project.name,
      serviceName: service.name,
      containerName: operation.name!,
      number: operation.number!,
      labels,
      networkNames: Object.fromEntries(Object.entries(project.networks).map(([key, network]) => [key, network.name ?? `${project.name}_${key}`])),
      volumeNames: Object.fromEntries(Object.entries(project.volumes).map(([key, volume]) => [key, volume.name ?? `${project.name}_${key}`])),
      containersByService: this.containersByService,
      apiVersion: engine.apiVersion,
      image,
      useNetworkAliases: true,
      engineOs: engine.os,
      ...(inherited ? { inherited: { mounts: inherited.mounts, imageVolumes: await this.imageVolumesOf(image) } } : {}),
      readFile: (path) => readFileSync(path, 'utf8'),
      workingDir: project.workingDir,
    });
    for (const warning of request.warnings) this.ctx.warn(warning);
    const created = await engine.containers.create(request.name, request.body, request.platform);
    for (const warning of created.warnings) this.ctx.warn(warning);
    for (const extra of request.extraNetworks) await engine.networks.connect(extra.network, created.id, extra.endpointConfig);
    (this.containersByService[service.name] ??= []).push({ id: created.id, name: request.name });
    return created.id;
  }

  private async imageVolumesOf(image: string): Promise<readonly string[]> {
    if (!this.imageVolumes.has(image)) this.imageVolumes.set(image, (await this.ctx.engine.images.inspect(image))?.volumes ?? []);
    return this.imageVolumes.get(image)!;
  }
}

/** `db:service_healthy:false,...`: compose records each dependency on the container. */
export function dependsOnLabel(service: ServiceConfig): string[] {
  return Object.entries(service.depends_on ?? {})
    .map(([name, dependency]) => `${name}:${dependency.condition}:${dependency.restart ?? false}`)
    .sort();
}
