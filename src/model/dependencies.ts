// Who needs whom, as the model declares it (depends_on, links, shared namespaces, volumes_from): the services'
// dependency graph, its references checked and cycles refused. Part of the model, so that loading a project can
// refuse a broken one where it was written; walking the graph (selection, order, drawing) is `src/graph/`'s.
import { BerthError } from './errors.js';
import { isDict } from './tree.js';
import type { Dict, TreePath } from './tree.js';

export type EdgeKind = 'depends_on' | 'links' | 'namespace' | 'volumes_from';

export interface Edge {
  readonly kind: EdgeKind;
  readonly condition: string;
  readonly required: boolean;
  readonly restart: boolean;
}

export interface ServiceNode {
  readonly name: string;
  /** Services this one needs, with why. */
  readonly dependencies: ReadonlyMap<string, Edge>;
  /** Services that need this one. */
  readonly dependents: ReadonlySet<string>;
}

export interface ServiceGraph {
  readonly nodes: ReadonlyMap<string, ServiceNode>;
}

const STARTED: Omit<Edge, 'kind'> = { condition: 'service_started', required: true, restart: false };

export function buildGraph(services: Readonly<Record<string, Dict>>): ServiceGraph {
  const names = Object.keys(services).sort();
  const dependencies = new Map<string, Map<string, Edge>>(names.map((name) => [name, new Map()]));
  const dependents = new Map<string, Set<string>>(names.map((name) => [name, new Set()]));

  for (const name of names) {
    for (const { target, edge, path } of edgesOf(name, services[name] ?? {})) {
      if (!Object.hasOwn(services, target)) {
        if (!edge.required) continue; // an optional dependency that is not there is no dependency
        throw new BerthError(`service "${name}" depends on undefined service "${target}"`, { path, kind: 'not-found' });
      }
      const own = dependencies.get(name)!;
      // depends_on says the most about an edge (condition, restart): it wins over the implicit kinds.
      if (!own.has(target) || edge.kind === 'depends_on') own.set(target, edge);
      dependents.get(target)!.add(name);
    }
  }

  const nodes = new Map<string, ServiceNode>();
  for (const name of names) {
    nodes.set(name, { name, dependencies: dependencies.get(name)!, dependents: dependents.get(name)! });
  }
  const graph = { nodes };
  assertNoCycle(graph);
  return graph;
}

export function* edgesOf(name: string, service: Dict): Generator<{ target: string; edge: Edge; path: TreePath }> {
  const dependsOn = service.depends_on;
  if (Array.isArray(dependsOn)) {
    // The short form, before the canonical pass: every entry waits for the service to start.
    for (const target of dependsOn.map(String).sort()) {
      yield { target, path: ['services', name, 'depends_on'], edge: { kind: 'depends_on', ...STARTED } };
    }
  } else if (isDict(dependsOn)) {
    for (const target of Object.keys(dependsOn).sort()) {
      const spec = isDict(dependsOn[target]) ? (dependsOn[target] as Dict) : {};
      yield {
        target,
        path: ['services', name, 'depends_on', target],
        edge: {
          kind: 'depends_on',
          condition: typeof spec.condition === 'string' ? spec.condition : STARTED.condition,
          required: spec.required !== false,
          restart: spec.restart === true,
        },
      };
    }
  }
  if (Array.isArray(service.links)) {
    for (const [index, link] of service.links.entries()) {
      if (typeof link !== 'string') continue;
      yield { target: link.split(':')[0]!, path: ['services', name, 'links', index], edge: { kind: 'links', ...STARTED } };
    }
  }
  for (const key of ['network_mode', 'ipc', 'pid'] as const) {
    const value = service[key];
    if (typeof value === 'string' && value.startsWith('service:')) {
      yield { target: value.slice('service:'.length), path: ['services', name, key], edge: { kind: 'namespace', ...STARTED } };
    }
  }
  if (Array.isArray(service.volumes_from)) {
    for (const [index, source] of service.volumes_from.entries()) {
      if (typeof source !== 'string' || source.startsWith('container:')) continue;
      yield {
        target: source.split(':')[0]!,
        path: ['services', name, 'volumes_from', index],
        edge: { kind: 'volumes_from', ...STARTED },
      };
    }
  }
}

/** Depth-first from each name in sorted order, so that the cycle reported is always the same one. */
function assertNoCycle(graph: ServiceGraph): void {
  const done = new Set<string>();
  const onPath: string[] = [];
  const visit = (name: string): void => {
    if (done.has(name)) return;
    const at = onPath.indexOf(name);
    if (at >= 0) {
      const cycle = [...onPath.slice(at), name].join(' -> ');
      throw new BerthError(`dependency cycle detected: ${cycle}`, { path: ['services', name] });
    }
    onPath.push(name);
    for (const dependency of [...graph.nodes.get(name)!.dependencies.keys()].sort()) visit(dependency);
    onPath.pop();
    done.add(name);
  };
  for (const name of [...graph.nodes.keys()].sort()) visit(name);
}
