// A plan as text: one line per user-visible step with its cause (what `--dry-run` prints), or the full graph of
// operations with their dependencies (what the planner's golden tests compare).
import type { Operation, Plan, PlanNode } from './types.js';

function target(operation: Operation): string {
  if (operation.kind.endsWith('-network')) return `network ${operation.name ?? operation.key}`;
  if (operation.kind.endsWith('-volume')) return `volume ${operation.name ?? operation.key}`;
  return `container ${operation.container?.name ?? operation.name ?? operation.resource}`;
}

const VERBS: Readonly<Record<Operation['kind'], string>> = {
  'create-network': 'create',
  'remove-network': 'remove',
  'connect-network': 'connect',
  'disconnect-network': 'disconnect',
  'create-volume': 'create',
  'remove-volume': 'remove',
  'create-container': 'create',
  'start-container': 'start',
  'stop-container': 'stop',
  'remove-container': 'remove',
  'rename-container': 'rename',
};

/** `recreate container demo-web-1: configuration changed`, `create network demo_default: not found`, ... */
export function renderPlanSteps(plan: Plan): string[] {
  const lines: string[] = [];
  const groups = new Set<string>();
  for (const node of plan.nodes) {
    const { operation } = node;
    if (node.group?.startsWith('recreate:')) {
      if (groups.has(node.group)) continue;
      groups.add(node.group);
      lines.push(`recreate container ${operation.replaces?.name ?? operation.resource}: ${operation.cause}`);
      continue;
    }
    if (operation.kind === 'connect-network' || operation.kind === 'disconnect-network') {
      lines.push(`${VERBS[operation.kind]} container ${operation.container?.name ?? ''} ${operation.kind === 'connect-network' ? 'to' : 'from'} network ${operation.name}: ${operation.cause}`);
      continue;
    }
    lines.push(`${VERBS[operation.kind]} ${target(operation)}: ${operation.cause}`);
  }
  for (const [service, why] of Object.entries(plan.blocked).sort()) lines.push(`cannot start service ${service}: ${why}`);
  return lines;
}

/** `#3 [1 2] create-container service:web:1 demo-web-1: no existing container (recreate:web:1)` */
export function renderPlanGraph(plan: Plan): string[] {
  return plan.nodes.map((node: PlanNode) => {
    const { operation } = node;
    const name = operation.kind.endsWith('container') ? (operation.container?.name ?? operation.name) : operation.name;
    const group = node.group ? ` (${node.group})` : '';
    return `#${node.id} [${node.dependsOn.join(' ')}] ${operation.kind} ${operation.resource} ${name ?? ''}: ${operation.cause}${group}`;
  });
}
