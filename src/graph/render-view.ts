// The dependency graph as `berth graph` shows it: every edge (depends_on with its condition, `required` and
// `restart`, links, `network_mode`/`ipc`/`pid: service:`, volumes_from, `service:` build contexts), and the cycles,
// found rather than refused, so that they can be drawn and named.
import { BerthError } from '../model/errors.js';
import { isDict } from '../model/tree.js';
import type { Dict } from '../model/tree.js';
import { edgesOf } from '../model/dependencies.js';

export type ViewEdgeKind = 'depends_on' | 'links' | 'network_mode' | 'ipc' | 'pid' | 'volumes_from' | 'build';

export interface ViewEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: ViewEdgeKind;
  /** depends_on only. */
  readonly condition?: string;
  readonly required: boolean;
  readonly restart: boolean;
  /** The build context's name, for `build` edges. */
  readonly context?: string;
  /** Both ends are on one cycle. */
  readonly inCycle: boolean;
}

export interface GraphView {
  readonly project: string;
  /** Sorted. */
  readonly services: readonly string[];
  /** Sorted by from, then to, then kind. */
  readonly edges: readonly ViewEdge[];
  /** Each as a closed path from its smallest name: [a, b, a]. */
  readonly cycles: ReadonlyArray<readonly string[]>;
}

export function graphView(project: string, services: Readonly<Record<string, Dict>>): GraphView {
  const names = Object.keys(services).sort();
  const found: Array<Omit<ViewEdge, 'inCycle'>> = [];
  for (const name of names) {
    const seen = new Set<string>();
    for (const { target, edge, path } of edgesOf(name, services[name]!)) {
      if (!Object.hasOwn(services, target)) {
        if (!edge.required) continue;
        throw new BerthError(`service "${name}" depends on undefined service "${target}"`, { path, kind: 'not-found' });
      }
      const kind: ViewEdgeKind = edge.kind === 'namespace' ? (path[2] as ViewEdgeKind) : edge.kind;
      const key = `${target}\0${kind}`;
      if (seen.has(key)) continue;
      seen.add(key);
      found.push({ from: name, to: target, kind, ...(kind === 'depends_on' ? { condition: edge.condition } : {}), required: edge.required, restart: edge.restart });
    }
    for (const [context, target] of buildContexts(services[name]!)) {
      if (!Object.hasOwn(services, target)) throw new BerthError(`no such service: ${target}`, { path: ['services', name, 'build', 'additional_contexts', context], kind: 'not-found' });
      found.push({ from: name, to: target, kind: 'build', context, required: true, restart: false });
    }
  }
  found.sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to) || compare(a.kind, b.kind));
  const components = stronglyConnected(names, found);
  const cycles = components.flatMap((component) => {
    const selfLoop = component.length === 1 && found.some((edge) => edge.from === component[0] && edge.to === component[0]);
    return component.length > 1 || selfLoop ? [cycleThrough(component, found)] : [];
  });
  const componentOf = new Map<string, number>();
  components.forEach((component, index) => component.forEach((name) => componentOf.set(name, index)));
  const cyclic = new Set(cycles.map((cycle) => componentOf.get(cycle[0]!)));
  const edges = found.map((edge) => ({ ...edge, inCycle: componentOf.get(edge.from) === componentOf.get(edge.to) && cyclic.has(componentOf.get(edge.from)) }));
  return { project, services: names, edges, cycles };
}

/** `additional_contexts: { name: service:other }` (the image of another service as a build context). */
function buildContexts(service: Dict): Array<[string, string]> {
  const contexts = isDict(service.build) ? (service.build as Dict).additional_contexts : undefined;
  const entries: Array<[string, unknown]> = Array.isArray(contexts)
    ? contexts.map((entry) => String(entry).split(/=(.*)/s, 2) as [string, string])
    : isDict(contexts)
      ? Object.entries(contexts as Dict)
      : [];
  return entries
    .filter(([, value]) => typeof value === 'string' && value.startsWith('service:'))
    .map(([name, value]): [string, string] => [name, (value as string).slice('service:'.length)])
    .sort(([a], [b]) => compare(a, b));
}

/** Tarjan's algorithm, visiting names and edges in sorted order; each component sorted. */
function stronglyConnected(names: readonly string[], edges: ReadonlyArray<Pick<ViewEdge, 'from' | 'to'>>): string[][] {
  const next = new Map<string, string[]>(names.map((name) => [name, []]));
  for (const edge of edges) next.get(edge.from)!.push(edge.to);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (name: string): void => {
    index.set(name, index.size);
    low.set(name, index.get(name)!);
    stack.push(name);
    onStack.add(name);
    for (const target of next.get(name)!) {
      if (!index.has(target)) {
        visit(target);
        low.set(name, Math.min(low.get(name)!, low.get(target)!));
      } else if (onStack.has(target)) {
        low.set(name, Math.min(low.get(name)!, index.get(target)!));
      }
    }
    if (low.get(name) === index.get(name)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(member);
      } while (member !== name);
      components.push(component.sort(compare));
    }
  };
  for (const name of names) if (!index.has(name)) visit(name);
  return components.sort((a, b) => compare(a[0]!, b[0]!));
}

/** The shortest way round the component from its smallest name back to itself (breadth first, names in order). */
function cycleThrough(component: readonly string[], edges: ReadonlyArray<Pick<ViewEdge, 'from' | 'to'>>): string[] {
  const members = new Set(component);
  const start = component[0]!;
  const previous = new Map<string, string>();
  const queue = [start];
  while (queue.length > 0) {
    const name = queue.shift()!;
    for (const edge of edges) {
      if (edge.from !== name || !members.has(edge.to)) continue;
      if (edge.to === start) return [start, ...pathFrom(previous, start, name), start];
      if (!previous.has(edge.to) && edge.to !== start) {
        previous.set(edge.to, name);
        queue.push(edge.to);
      }
    }
  }
  return [start, start]; // unreachable: a component with an edge back to its start
}

function pathFrom(previous: ReadonlyMap<string, string>, start: string, end: string): string[] {
  const path: string[] = [];
  for (let at = end; at !== start; at = previous.get(at)!) path.unshift(at);
  return path;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
