// A plan as text: one line per user-visible step with its cause (what `--dry-run` prints, and what the operation log
// names), or the full graph of operations with their dependencies (what the planner's golden tests compare).
import type { Operation, OperationOf, OperationKind, Plan, PlanNode } from './types.js';

type Describe<K extends OperationKind> = (operation: OperationOf<K>) => string;

/** What each operation does, in words: `create container demo-web-1`. */
const DESCRIBE: { readonly [K in OperationKind]: Describe<K> } = {
  'create-network': (op) => `create network ${op.name}`,
  'remove-network': (op) => `remove network ${op.name}`,
  'connect-network': (op) => `connect container ${op.container.name} to network ${op.name}`,
  'disconnect-network': (op) => `disconnect container ${op.container.name} from network ${op.name}`,
  'create-volume': (op) => `create volume ${op.name}`,
  'remove-volume': (op) => `remove volume ${op.name}`,
  'pull-image': (op) => `pull image ${op.reference} for service ${op.service}`,
  'build-image': (op) => `build image ${op.reference} for service ${op.service}`,
  'push-image': (op) => `push image ${op.reference} for service ${op.service}`,
  'remove-image': (op) => `remove image ${op.reference}`,
  'create-container': (op) => `create container ${op.name}`,
  'rename-container': (op) => `rename container to ${op.name}`,
  'start-container': (op) => `start container ${op.container.name}`,
  'wait-container': (op) => `wait for container ${op.container.name} to be ${op.condition === 'service_healthy' ? 'healthy' : 'completed successfully'}`,
  'stop-container': (op) => `stop container ${op.container.name}`,
  'restart-container': (op) => `restart container ${op.container.name}`,
  'kill-container': (op) => `kill container ${op.container.name} with ${op.signal}`,
  'pause-container': (op) => `pause container ${op.container.name}`,
  'unpause-container': (op) => `unpause container ${op.container.name}`,
  'remove-container': (op) => `remove container ${op.container.name}${op.volumes ? ' and its anonymous volumes' : ''}`,
  'create-one-off': (op) => `create one-off container ${op.container.name} for service ${op.container.service}`,
  'start-one-off': (op) => `start container ${op.container.name} ${op.attach ? 'attached to the terminal' : 'detached'}`,
  'wait-one-off': (op) => `wait for container ${op.container.name} to exit`,
  'remove-one-off': (op) => `remove container ${op.container.name} once it exits`,
  'run-hook': (op) => `run ${op.hook} hook #${op.index} in container ${op.container.name}: ${op.command.join(' ')}`,
};

export function describeOperation(operation: Operation): string {
  return (DESCRIBE[operation.kind] as Describe<OperationKind>)(operation);
}

export interface PlanStep {
  /** `recreate container demo-web-1: configuration changed`. */
  readonly text: string;
  /** The nodes the step is made of (several for a recreate). */
  readonly nodes: readonly number[];
}

/** The plan as the user reads it: one step per operation, except that a recreate's operations are one step. */
export function planSteps(plan: Plan): PlanStep[] {
  const steps: Array<{ text: string; nodes: number[] }> = [];
  const groups = new Map<string, { text: string; nodes: number[] }>();
  for (const node of plan.nodes) {
    const { operation } = node;
    const group = node.group?.startsWith('recreate:') ? groups.get(node.group) : undefined;
    if (group) {
      group.nodes.push(node.id);
      continue;
    }
    if (node.group?.startsWith('recreate:') && operation.kind === 'create-container') {
      const step = { text: `recreate container ${operation.replaces?.name ?? operation.name}: ${operation.cause}`, nodes: [node.id] };
      groups.set(node.group, step);
      steps.push(step);
      continue;
    }
    steps.push({ text: `${describeOperation(operation)}: ${operation.cause}`, nodes: [node.id] });
  }
  return steps;
}

/** `recreate container demo-web-1: configuration changed`, `create network demo_default: not found`, ... */
export function renderPlanSteps(plan: Plan): string[] {
  const lines = planSteps(plan).map((step) => step.text);
  for (const [service, why] of Object.entries(plan.blocked).sort()) lines.push(`cannot start service ${service}: ${why}`);
  return lines;
}

/** `#3 [1 2] create-container service:web:1 demo-web-1: no existing container (recreate:web:1)` */
export function renderPlanGraph(plan: Plan): string[] {
  return plan.nodes.map((node: PlanNode) => {
    const { operation } = node;
    const group = node.group ? ` (${node.group})` : '';
    const settings = details(operation);
    return `#${node.id} [${node.dependsOn.join(' ')}] ${operation.kind} ${operation.resource} ${subject(operation)}${settings.length > 0 ? ` ${settings.join(' ')}` : ''}: ${operation.cause}${group}`;
  });
}

/** The settings an operation carries besides its subject: `timeout=1`, `signal=SIGTERM`, `optional`. */
function details(operation: Operation): string[] {
  switch (operation.kind) {
    case 'stop-container':
    case 'restart-container':
      return operation.timeout !== undefined ? [`timeout=${operation.timeout}`] : [];
    case 'kill-container':
      return [`signal=${operation.signal}`];
    case 'pull-image':
      return operation.onFailure.kind === 'fail' ? [] : [`on-failure=${operation.onFailure.kind}`];
    case 'push-image':
      return operation.onFailure === 'fail' ? [] : [`on-failure=${operation.onFailure}`];
    case 'wait-container':
      return operation.required ? [] : ['optional'];
    case 'run-hook':
      return [
        `hook=${operation.hook}#${operation.index}`,
        ...(operation.user ? [`user=${operation.user}`] : []),
        ...(operation.privileged ? ['privileged'] : []),
        ...(operation.workingDir ? [`workdir=${operation.workingDir}`] : []),
        ...(operation.environment.length > 0 ? [`env=${operation.environment.map((pair) => pair.split('=')[0]).join(',')}`] : []),
        ...(operation.onFailure === 'warn' ? ['on-failure=warn'] : []),
      ];
    case 'create-one-off':
      return [
        ...(operation.config.command ? [`command=${JSON.stringify(operation.config.command)}`] : []),
        ...(operation.autoRemove ? ['rm'] : []),
        ...(operation.interactive ? ['interactive'] : []),
        ...(operation.config['tty'] === true ? ['tty'] : []),
        ...(operation.useAliases ? ['use-aliases'] : []),
      ];
    case 'build-image': {
      const { args, noCache, pullBase } = operation.flags;
      return [...(args && Object.keys(args).length > 0 ? [`args=${Object.keys(args).sort().join(',')}`] : []), ...(noCache ? ['no-cache'] : []), ...(pullBase ? ['pull'] : [])];
    }
    default:
      return [];
  }
}

/** The name of what the operation acts on. */
function subject(operation: Operation): string {
  switch (operation.kind) {
    case 'pull-image':
    case 'build-image':
    case 'push-image':
    case 'remove-image':
      return operation.reference;
    case 'create-network':
    case 'remove-network':
    case 'connect-network':
    case 'disconnect-network':
    case 'create-volume':
    case 'remove-volume':
    case 'create-container':
    case 'rename-container':
      return operation.name;
    default:
      return operation.container.name;
  }
}
