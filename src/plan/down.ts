// `down`, planned: the project's containers stopped (dependents first) and each removed once stopped (one-offs too;
// orphans only when asked), then its networks; its volumes with -v, its images with --rmi. Only what carries the project's label is
// touched: external networks and volumes never are.
import type { Project } from '../model/types.js';
import type { ObservedState } from '../observe/observe.js';
import { serviceImage } from '../observe/observe.js';
import { PlanBuilder } from './builder.js';
import { addHooks } from './hooks.js';
import { stopTimeout } from './reconcile.js';
import { inServiceOrder } from './service-order.js';
import type { Plan } from './types.js';

export interface DownOptions {
  /** Only these services' containers (and nothing else). */
  readonly services?: readonly string[];
  readonly removeOrphans: boolean;
  /** `-v`: named volumes, and the containers' anonymous ones. */
  readonly volumes: boolean;
  /** `--rmi local`: the images berth named itself; `all`: every service's image. */
  readonly rmi?: 'local' | 'all';
  readonly timeout?: number;
}

export function planDown(project: Project, observed: ObservedState, options: DownOptions): Plan {
  const plan = new PlanBuilder();
  const known = new Set([...Object.keys(project.services), ...project.disabledServices]);
  const targeted = options.services && options.services.length > 0 ? new Set(options.services) : undefined;
  const chosen = observed.containers.filter((container) => !targeted || targeted.has(container.service));
  const orphans = chosen.filter((container) => !known.has(container.service));
  if (orphans.length > 0 && !options.removeOrphans) {
    plan.warn(
      `Found orphan containers (${orphans.map((container) => container.name).join(', ')}) for this project. If you removed or renamed this service in your compose file, you can run this command with the --remove-orphans flag to clean it up.`,
    );
  }
  const removed: number[] = [];
  const removalOf = new Map<number, number>();
  const containers = chosen.filter((container) => known.has(container.service) || options.removeOrphans);
  inServiceOrder(project, containers, true, (container, after) => {
    const resource = `service:${container.service}:${container.number}`;
    const cause = known.has(container.service) ? 'down' : 'orphaned container';
    const timeout = stopTimeout(project, container.service, options.timeout);
    const hooks = container.state === 'running' ? addHooks(plan, project, container, 'pre_stop', after) : after;
    const stop = plan.add({ kind: 'stop-container', resource, cause, container, ...(timeout !== undefined ? { timeout } : {}) }, hooks);
    // Removed once stopped and once the dependents are removed (a volumes_from dependent holds its anonymous volumes).
    const remove = plan.add({ kind: 'remove-container', resource, cause, container, volumes: options.volumes }, [stop, ...after.map((node) => removalOf.get(node) ?? node)]);
    removalOf.set(stop, remove);
    removed.push(remove);
    // The services it needs wait for its stop, not its removal: removes run beside the next stops, off their chain.
    return [stop];
  });
  if (targeted) return plan.build();

  const ours = <T extends { project: string; name: string }>(resources: Readonly<Record<string, T>>): Array<[string, T]> =>
    Object.entries(resources)
      .filter(([, resource]) => resource.project === project.name)
      .sort(([, a], [, b]) => (a.name < b.name ? -1 : 1));
  for (const [key, network] of ours(observed.networks)) {
    plan.add({ kind: 'remove-network', resource: `network:${key}`, cause: 'down', id: network.id, name: network.name }, removed);
  }
  if (options.volumes) {
    for (const [key, volume] of ours(observed.volumes)) plan.add({ kind: 'remove-volume', resource: `volume:${key}`, cause: 'down -v', name: volume.name }, removed);
  }
  if (options.rmi) {
    const references = new Set<string>();
    for (const service of Object.values(project.services)) {
      // "local": only the images berth names itself (<project>-<service>), never one the files name.
      if (options.rmi === 'local' && service.image) continue;
      references.add(serviceImage(project.name, service));
    }
    for (const reference of [...references].sort()) {
      if (reference in observed.images) plan.add({ kind: 'remove-image', resource: `image:${reference}`, cause: `down --rmi ${options.rmi}`, reference }, removed);
    }
  }
  return plan.build();
}
