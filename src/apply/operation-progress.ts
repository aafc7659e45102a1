// What the progress display shows for each kind of operation: the resource line it updates, and the status while it
// runs and once it is done (none: the line is left alone). A recreate is one line: `Recreate` when the new container
// is created, `Recreated` once it has the old one's name; its stop and remove say nothing.
import type { OperationKind, OperationOf, Operation, PlanNode } from '../plan/types.js';
import type { Status } from '../progress/events.js';

export interface OperationProgress {
  /** `Container demo-web-1`, `Network demo_default`, `Image demo-web`. */
  readonly resource: string;
  readonly doing?: Status;
  readonly done?: Status;
}

type Describe<K extends OperationKind> = (operation: OperationOf<K>, recreating: boolean) => OperationProgress;

const container = (name: string, doing?: Status, done?: Status): OperationProgress => ({ resource: `Container ${name}`, ...(doing ? { doing } : {}), ...(done ? { done } : {}) });

const PROGRESS: { readonly [K in OperationKind]: Describe<K> } = {
  'create-network': (op) => ({ resource: `Network ${op.name}`, doing: 'Creating', done: 'Created' }),
  'remove-network': (op) => ({ resource: `Network ${op.name}`, doing: 'Removing', done: 'Removed' }),
  'connect-network': (op) => ({ resource: `Network ${op.name}` }),
  'disconnect-network': (op) => ({ resource: `Network ${op.name}` }),
  'create-volume': (op) => ({ resource: `Volume ${op.name}`, doing: 'Creating', done: 'Created' }),
  'remove-volume': (op) => ({ resource: `Volume ${op.name}`, doing: 'Removing', done: 'Removed' }),
  'pull-image': (op) => ({ resource: `Image ${op.reference}`, doing: 'Pulling', done: 'Pulled' }),
  'build-image': (op) => ({ resource: `Image ${op.reference}`, doing: 'Building', done: 'Built' }),
  'push-image': (op) => ({ resource: `Image ${op.reference}`, doing: 'Pushing', done: 'Pushed' }),
  'remove-image': (op) => ({ resource: `Image ${op.reference}`, doing: 'Removing', done: 'Removed' }),
  'create-container': (op, recreating) => (recreating ? container(op.replaces?.name ?? op.name, 'Recreate') : container(op.name, 'Creating', 'Created')),
  'rename-container': (op) => container(op.name, undefined, 'Recreated'),
  'start-container': (op) => container(op.container.name, 'Starting', 'Started'),
  'wait-container': (op) => container(op.container.name, 'Waiting', op.condition === 'service_healthy' ? 'Healthy' : 'Exited'),
  'stop-container': (op, recreating) => (recreating ? container(op.container.name) : container(op.container.name, 'Stopping', 'Stopped')),
  'restart-container': (op) => container(op.container.name, 'Restarting', 'Restarted'),
  'kill-container': (op) => container(op.container.name, 'Killing', 'Killed'),
  'pause-container': (op) => container(op.container.name, 'Pausing', 'Paused'),
  'unpause-container': (op) => container(op.container.name, 'Unpausing', 'Unpaused'),
  // A hook says nothing while it runs (compose shows none); its failure is the command's error or a warning.
  'run-hook': (op) => container(op.container.name),
  // The one-off says nothing on the progress display (compose shows none: its own output follows).
  'create-one-off': (op) => container(op.container.name),
  'start-one-off': (op) => container(op.container.name),
  'wait-one-off': (op) => container(op.container.name),
  'remove-one-off': (op) => container(op.container.name),
  'remove-container': (op, recreating) => (recreating ? container(op.container.name) : container(op.container.name, 'Removing', 'Removed')),
};

export function progressOf(operation: Operation, node: Pick<PlanNode, 'group'>): OperationProgress {
  const recreating = node.group?.startsWith('recreate:') ?? false;
  return (PROGRESS[operation.kind] as Describe<OperationKind>)(operation, recreating);
}
