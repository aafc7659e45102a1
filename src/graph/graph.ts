// Walking the services' dependency graph (built and checked by `model/dependencies.ts`): what a selection needs or
// is needed by, and the order to start things in.
import { BerthError } from '../model/errors.js';
import type { ServiceGraph, ServiceNode } from '../model/dependencies.js';

function closure(graph: ServiceGraph, names: readonly string[], next: (node: ServiceNode) => Iterable<string>): string[] {
  const seen = new Set<string>();
  const pending = [...names];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name)) continue;
    const node = graph.nodes.get(name);
    if (!node) throw new BerthError(`no such service: ${name}`, { kind: 'not-found' });
    seen.add(name);
    pending.push(...next(node));
  }
  return [...seen].sort();
}

/** The named services and everything they need, transitively. */
export function withDependencies(graph: ServiceGraph, names: readonly string[]): string[] {
  return closure(graph, names, (node) => node.dependencies.keys());
}

/** The named services and everything that needs them, transitively. */
export function withDependents(graph: ServiceGraph, names: readonly string[]): string[] {
  return closure(graph, names, (node) => node.dependents);
}

/** Every service after all it needs; ties broken by name, so the order is stable. */
export function dependencyOrder(graph: ServiceGraph): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  const names = [...graph.nodes.keys()].sort();
  while (order.length < names.length) {
    const next = names.find(
      (name) => !placed.has(name) && [...graph.nodes.get(name)!.dependencies.keys()].every((d) => placed.has(d)),
    );
    if (next === undefined) break; // unreachable: buildGraph refuses cycles
    order.push(next);
    placed.add(next);
  }
  return order;
}
