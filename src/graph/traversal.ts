// Walks the graph so that each service is visited after what it needs (or, reversed, after what needs it),
// with a bound on parallel visits, stopping at the first failure.
import { BerthError } from '../model/errors.js';
import type { ServiceGraph } from './graph.js';

export interface TraversalOptions {
  /** Visit dependents before their dependencies (stopping, removing). */
  readonly reverse?: boolean;
  /** Visits in flight at most; unlimited when absent or below 1. */
  readonly concurrency?: number;
  readonly signal?: AbortSignal;
}

export type Visit = (service: string, signal: AbortSignal) => Promise<void>;

export function inDependencyOrder(graph: ServiceGraph, visit: Visit, options: TraversalOptions = {}): Promise<void> {
  const names = [...graph.nodes.keys()].sort();
  const prerequisites = (name: string): Iterable<string> => {
    const node = graph.nodes.get(name)!;
    return options.reverse ? node.dependents : node.dependencies.keys();
  };
  const limit = options.concurrency !== undefined && options.concurrency >= 1 ? options.concurrency : Infinity;
  const controller = new AbortController();
  const finished = new Set<string>();
  const started = new Set<string>();
  let running = 0;
  let failure: unknown;

  return new Promise<void>((resolve, reject) => {
    const onExternalAbort = (): void => {
      failure ??= new BerthError('canceled', { kind: 'canceled' });
      controller.abort();
      settle();
    };
    if (options.signal?.aborted) {
      reject(new BerthError('canceled', { kind: 'canceled' }));
      return;
    }
    options.signal?.addEventListener('abort', onExternalAbort, { once: true });

    const settle = (): void => {
      if (running > 0) return;
      if (failure !== undefined || finished.size === names.length) {
        options.signal?.removeEventListener('abort', onExternalAbort);
        if (failure !== undefined) reject(failure);
        else resolve();
      }
    };
    const schedule = (): void => {
      if (failure !== undefined) return settle();
      for (const name of names) {
        if (running >= limit) break;
        if (started.has(name)) continue;
        if (![...prerequisites(name)].every((p) => finished.has(p))) continue;
        started.add(name);
        running++;
        visit(name, controller.signal).then(
          () => {
            running--;
            finished.add(name);
            schedule();
          },
          (error: unknown) => {
            running--;
            if (failure === undefined) {
              failure = error;
              controller.abort();
            }
            settle();
          },
        );
      }
      settle();
    };
    schedule();
  });
}
