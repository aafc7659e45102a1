// Acting on the containers a project already has, service by service in dependency order (reverse order for
// stopping and removing): the verbs stop, restart, kill, pause, unpause, rm and down use these.
import type { ContainerSummary, Engine } from '../engine-client/index.js';
import { buildGraph } from '../graph/graph.js';
import { inDependencyOrder } from '../graph/traversal.js';
import type { Dict } from '../model/tree.js';
import { progressEvent } from '../progress/events.js';
import type { ProgressSink, Status } from '../progress/events.js';

export type ContainerAction = 'stop' | 'kill' | 'restart' | 'pause' | 'unpause' | 'start' | 'remove';

const STATUS: Record<ContainerAction, [Status, Status]> = {
  stop: ['Stopping', 'Stopped'],
  kill: ['Killing', 'Killed'],
  restart: ['Restarting', 'Restarted'],
  pause: ['Pausing', 'Paused'],
  unpause: ['Unpausing', 'Unpaused'],
  start: ['Starting', 'Started'],
  remove: ['Removing', 'Removed'],
};

export interface ActionOptions {
  readonly timeout?: number;
  readonly signal?: string;
  readonly removeVolumes?: boolean;
  readonly parallel?: number;
}

/**
 * Applies `action` to the containers of each service, services in dependency order (`reverse` for stop and
 * removal: dependents first). Services not in `services` but holding containers (orphans) are handled last.
 */
export async function actOnContainers(
  engine: Engine,
  services: Readonly<Record<string, Dict>>,
  containers: ReadonlyMap<string, readonly ContainerSummary[]>,
  action: ContainerAction,
  sink: ProgressSink,
  options: ActionOptions & { reverse: boolean },
): Promise<void> {
  const known = Object.fromEntries(Object.entries(services).filter(([name]) => containers.has(name) || name in services));
  const graph = buildGraph(known);
  const act = (container: ContainerSummary) => actOn(engine, container, action, sink, options);
  const orphans = [...containers.keys()].filter((service) => !(service in known)).sort();
  if (options.reverse) await Promise.all(orphans.flatMap((service) => (containers.get(service) ?? []).map(act)));
  await inDependencyOrder(graph, async (service) => {
    await Promise.all((containers.get(service) ?? []).map(act));
  }, { reverse: options.reverse, ...(options.parallel ? { concurrency: options.parallel } : {}) });
  if (!options.reverse) await Promise.all(orphans.flatMap((service) => (containers.get(service) ?? []).map(act)));
}

export async function actOn(engine: Engine, container: ContainerSummary, action: ContainerAction, sink: ProgressSink, options: ActionOptions): Promise<void> {
  const resource = `Container ${container.name}`;
  const [doing, done] = STATUS[action];
  sink.event(progressEvent(resource, doing));
  try {
    switch (action) {
      case 'stop':
        await engine.containers.stop(container.id, options.timeout);
        break;
      case 'kill':
        await engine.containers.kill(container.id, options.signal);
        break;
      case 'restart':
        await engine.containers.restart(container.id, options.timeout);
        break;
      case 'pause':
        await engine.containers.pause(container.id);
        break;
      case 'unpause':
        await engine.containers.unpause(container.id);
        break;
      case 'start':
        await engine.containers.start(container.id);
        break;
      case 'remove':
        await engine.containers.remove(container.id, { force: true, volumes: options.removeVolumes ?? false });
        break;
    }
  } catch (error) {
    sink.event(progressEvent(resource, 'Error', (error as Error).message));
    throw error;
  }
  sink.event(progressEvent(resource, done));
}
