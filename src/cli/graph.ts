// `berth graph [SERVICE...]`: the project's dependency graph, as a tree (default), Graphviz dot, Mermaid or JSON.
// A cycle is drawn and named, and makes the exit code 1.
import type { Command } from 'commander';
import { cycleText, GRAPH_FORMATS, RENDERERS } from '../graph/render.js';
import type { GraphFormat } from '../graph/render.js';
import { graphView } from '../graph/render-view.js';
import type { GraphView } from '../graph/render-view.js';
import { BerthError } from '../model/errors.js';
import type { Dict } from '../model/tree.js';
import type { RunVerb, VerbContext } from './main.js';
import { loadModel } from '../model/load.js';
import { isDict } from '../model/tree.js';
import { loadOptionsFrom } from './session.js';

export function registerGraphCommand(program: Command, run: RunVerb): void {
  program
    .command('graph')
    .description("show the services' dependency graph (depends_on, links, service: namespaces, volumes_from, service: build contexts)")
    .argument('[services...]', 'only these services and what they need')
    .option('--format <format>', `output format: ${GRAPH_FORMATS.join(', ')}`, 'tree')
    .action(run((ctx, cmd) => runGraph(ctx, cmd.opts<{ format: string }>().format, cmd.args)));
}

async function runGraph(ctx: VerbContext, format: string, services: readonly string[]): Promise<number> {
  if (!(GRAPH_FORMATS as readonly string[]).includes(format)) throw new BerthError(`invalid --format "${format}": use ${GRAPH_FORMATS.join(', ')}`);
  // Cycles are what this verb shows: the loader's check (which refuses them) is left to the other verbs. Without
  // normalizing, the edges are those written (not the depends_on entries that links and namespaces imply).
  const model = await loadModel({ ...loadOptionsFrom(ctx), consistency: false, normalize: false });
  const view = only(graphView(model.name, (isDict(model.tree.services) ? model.tree.services : {}) as Record<string, Dict>), services);
  ctx.stdout.write(RENDERERS[format as GraphFormat](view));
  for (const cycle of view.cycles) ctx.stderr.write(`dependency cycle detected: ${cycleText(cycle)}\n`);
  return view.cycles.length > 0 ? 1 : 0;
}

/** The named services and what they need, transitively (cycles included). */
function only(view: GraphView, services: readonly string[]): GraphView {
  if (services.length === 0) return view;
  for (const name of services) if (!view.services.includes(name)) throw new BerthError(`no such service: ${name}`, { kind: 'not-found' });
  const keep = new Set<string>();
  const pending = [...services];
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (keep.has(name)) continue;
    keep.add(name);
    for (const edge of view.edges) if (edge.from === name) pending.push(edge.to);
  }
  return {
    ...view,
    services: view.services.filter((name) => keep.has(name)),
    edges: view.edges.filter((edge) => keep.has(edge.from)),
    cycles: view.cycles.filter((cycle) => keep.has(cycle[0]!)),
  };
}
