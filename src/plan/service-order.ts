// Operations on containers, service by service in dependency order: a service's operations come after those of the
// services it needs (reversed: after those of the services that need it, as stopping and removing go). A service
// with nothing to do passes its prerequisites on, so the order holds across it. Containers of services the project
// does not know (orphans) come first when reversed, last otherwise.
import { buildGraph } from '../model/dependencies.js';
import { dependencyOrder } from '../graph/graph.js';
import type { Dict } from '../model/tree.js';
import type { Project } from '../model/types.js';
import type { ContainerRef } from './types.js';

/**
 * Calls `add` for each container with the nodes it must come after; `add` returns the nodes that stand for that
 * container being done (none when it adds nothing).
 */
export function inServiceOrder<C extends ContainerRef>(
  project: Pick<Project, 'services'>,
  containers: readonly C[],
  reverse: boolean,
  add: (container: C, after: readonly number[]) => readonly number[],
): void {
  const graph = buildGraph(project.services as Record<string, Dict>);
  const byService = new Map<string, C[]>();
  for (const container of containers) byService.set(container.service, [...(byService.get(container.service) ?? []), container]);
  const orphans = [...byService.keys()].filter((service) => !graph.nodes.has(service)).sort();
  const addAll = (list: readonly C[], after: readonly number[]): number[] => list.flatMap((container) => [...add(container, after)]);

  const orphanNodes = reverse ? orphans.flatMap((service) => addAll(byService.get(service)!, [])) : [];
  const done = new Map<string, readonly number[]>();
  const order = dependencyOrder(graph);
  for (const service of reverse ? order.reverse() : order) {
    const node = graph.nodes.get(service)!;
    const prerequisites = reverse ? [...node.dependents] : [...node.dependencies.keys()];
    const after = [...orphanNodes, ...prerequisites.flatMap((name) => done.get(name) ?? [])];
    const own = addAll(byService.get(service) ?? [], after);
    done.set(service, own.length > 0 ? own : after);
  }
  if (!reverse) {
    const all = [...done.values()].flat();
    for (const service of orphans) addAll(byService.get(service)!, all);
  }
}
