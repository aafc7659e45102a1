// Starting a project, planned: each service's stopped containers started (and their post_start hooks run) after what
// it needs has started, and after that is healthy or has completed when its depends_on says so (one wait per
// dependency container). Services the
// convergence could not bring up are left out; so are what requires them (the convergence blocked those too).
import { buildGraph } from '../model/dependencies.js';
import { dependencyOrder } from '../graph/graph.js';
import type { Dict } from '../model/tree.js';
import type { Project } from '../model/types.js';
import type { ObservedContainer } from '../observe/observe.js';
import { PlanBuilder } from './builder.js';
import { addHooks } from './hooks.js';
import type { ContainerRef, Plan } from './types.js';

/** A container as the start plan needs it: what it is and whether it runs. */
export type StartCandidate = ContainerRef & Pick<ObservedContainer, 'state'>;

export function planStart(project: Pick<Project, 'services'>, containers: readonly StartCandidate[], blocked: Readonly<Record<string, string>> = {}): Plan {
  const graph = buildGraph(project.services as Record<string, Dict>);
  const byService = new Map<string, StartCandidate[]>();
  for (const container of [...containers].sort((a, b) => a.number - b.number)) byService.set(container.service, [...(byService.get(container.service) ?? []), container]);
  const plan = new PlanBuilder();
  const started = new Map<string, readonly number[]>();
  const waits = new Map<string, number>();
  for (const service of dependencyOrder(graph)) {
    if (service in blocked) continue;
    const after: number[] = [];
    for (const [dependency, edge] of [...graph.nodes.get(service)!.dependencies].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (dependency in blocked) continue;
      const ready = started.get(dependency) ?? [];
      after.push(...ready);
      if (edge.condition !== 'service_healthy' && edge.condition !== 'service_completed_successfully') continue;
      for (const container of byService.get(dependency) ?? []) {
        const key = `${container.id} ${edge.condition} ${edge.required}`;
        if (!waits.has(key)) {
          const wait = plan.add(
            { kind: 'wait-container', resource: `service:${dependency}:${container.number}`, cause: `${service} depends on it`, container, condition: edge.condition, required: edge.required },
            ready,
          );
          waits.set(key, wait);
        }
        after.push(waits.get(key)!);
      }
    }
    // A container counts as started once its post_start hooks have run.
    const starts = (byService.get(service) ?? [])
      .filter((container) => container.state !== 'running' && container.state !== 'paused')
      .flatMap((container) => {
        const start = plan.add({ kind: 'start-container', resource: `service:${service}:${container.number}`, cause: `${container.state}, not running`, container }, after);
        return addHooks(plan, project, container, 'post_start', [start]);
      });
    started.set(service, starts.length > 0 ? starts : after);
  }
  return plan.build();
}
