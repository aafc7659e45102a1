// `berth graph`'s formats, one renderer each in a table keyed by format: a terminal tree (each service over what it
// needs), Graphviz dot, Mermaid and JSON. Edges point from a service to what it needs; edges on a cycle are marked.
import type { GraphView, ViewEdge } from './render-view.js';

export const GRAPH_FORMATS = ['tree', 'dot', 'mermaid', 'json'] as const;
export type GraphFormat = (typeof GRAPH_FORMATS)[number];

export const RENDERERS: { readonly [F in GraphFormat]: (view: GraphView) => string } = {
  tree: renderTree,
  dot: renderDot,
  mermaid: renderMermaid,
  json: renderJson,
};

/** `depends_on: service_healthy, restart, optional`, `links`, `network_mode`, `build: additional_contexts.base`. */
export function edgeLabel(edge: ViewEdge): string {
  if (edge.kind === 'build') return `build: additional_contexts.${edge.context}`;
  if (edge.kind !== 'depends_on') return edge.kind;
  return [`depends_on: ${edge.condition}`, ...(edge.restart ? ['restart'] : []), ...(edge.required ? [] : ['optional'])].join(', ');
}

export function cycleText(cycle: readonly string[]): string {
  return cycle.join(' -> ');
}

function outgoing(view: GraphView): Map<string, ViewEdge[]> {
  const byService = new Map<string, ViewEdge[]>(view.services.map((name) => [name, []]));
  for (const edge of view.edges) byService.get(edge.from)!.push(edge);
  return byService;
}

/**
 * Services nothing needs at the top, each over what it needs; a service shown once already is marked (*) rather
 * than drawn again, an edge back onto the path (cycle). Services on a cycle that nothing outside needs come last.
 */
function renderTree(view: GraphView): string {
  const next = outgoing(view);
  const needed = new Set(view.edges.map((edge) => edge.to));
  const shown = new Set<string>();
  const lines: string[] = [];
  let repeated = false;
  const draw = (name: string, path: readonly string[], indent: string): void => {
    const edges = next.get(name)!;
    edges.forEach((edge, index) => {
      const last = index === edges.length - 1;
      const cycle = path.includes(edge.to);
      const again = !cycle && shown.has(edge.to) && next.get(edge.to)!.length > 0;
      repeated ||= again;
      lines.push(`${indent}${last ? '└── ' : '├── '}${edge.to} [${edgeLabel(edge)}]${cycle ? ' (cycle)' : again ? ' (*)' : ''}`);
      if (cycle || again) return;
      shown.add(edge.to);
      draw(edge.to, [...path, edge.to], `${indent}${last ? '    ' : '│   '}`);
    });
  };
  const top = (name: string): void => {
    lines.push(name);
    shown.add(name);
    draw(name, [name], '');
  };
  for (const name of view.services) if (!needed.has(name)) top(name);
  for (const name of view.services) if (!shown.has(name)) top(name);
  if (repeated) lines.push('', '(*) shown above');
  for (const cycle of view.cycles) lines.push(`cycle: ${cycleText(cycle)}`);
  return `${lines.join('\n')}\n`;
}

function dotString(text: string): string {
  return `"${text.replaceAll('\\', '\\\\').replaceAll('"', '\\"')}"`;
}

function renderDot(view: GraphView): string {
  const lines = [`digraph ${dotString(view.project)} {`, '  rankdir=LR;', '  node [shape=box];'];
  for (const cycle of view.cycles) lines.push(`  // cycle: ${cycleText(cycle)}`);
  for (const name of view.services) lines.push(`  ${dotString(name)};`);
  for (const edge of view.edges) {
    const attributes = [`label=${dotString(edgeLabel(edge))}`, ...(edge.required ? [] : ['style=dashed']), ...(edge.inCycle ? ['color=red', 'fontcolor=red'] : [])];
    lines.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)} [${attributes.join(', ')}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

function mermaidText(text: string): string {
  return `"${text.replaceAll('"', '#quot;')}"`;
}

/** Nodes get ids of their own (s0, s1, ...): service names may hold characters Mermaid reads as syntax. */
function renderMermaid(view: GraphView): string {
  const ids = new Map(view.services.map((name, index) => [name, `s${index}`]));
  const lines = ['flowchart LR'];
  for (const cycle of view.cycles) lines.push(`  %% cycle: ${cycleText(cycle)}`);
  for (const name of view.services) lines.push(`  ${ids.get(name)}[${mermaidText(name)}]`);
  const onCycle: number[] = [];
  view.edges.forEach((edge, index) => {
    lines.push(`  ${ids.get(edge.from)} ${edge.required ? '-->' : '-.->'}|${mermaidText(edgeLabel(edge))}| ${ids.get(edge.to)}`);
    if (edge.inCycle) onCycle.push(index);
  });
  if (onCycle.length > 0) lines.push(`  linkStyle ${onCycle.join(',')} stroke:red,color:red`);
  return `${lines.join('\n')}\n`;
}

function renderJson(view: GraphView): string {
  const next = outgoing(view);
  const services = view.services.map((name) => ({
    name,
    dependencies: next.get(name)!.map((edge) => ({
      service: edge.to,
      kind: edge.kind,
      ...(edge.condition !== undefined ? { condition: edge.condition } : {}),
      ...(edge.context !== undefined ? { context: edge.context } : {}),
      required: edge.required,
      restart: edge.restart,
      ...(edge.inCycle ? { inCycle: true } : {}),
    })),
  }));
  return `${JSON.stringify({ project: view.project, services, cycles: view.cycles }, null, 2)}\n`;
}
