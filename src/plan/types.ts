// A plan: the operations that take the engine from what it runs to what the files say, each one Engine API call,
// each with the reason it is there, in a graph of what must happen before what.
import type { ObservedContainer } from '../observe/observe.js';

export type OperationKind =
  | 'create-network'
  | 'remove-network'
  | 'connect-network'
  | 'disconnect-network'
  | 'create-volume'
  | 'remove-volume'
  | 'create-container'
  | 'start-container'
  | 'stop-container'
  | 'remove-container'
  | 'rename-container';

export interface Operation {
  readonly kind: OperationKind;
  /** `service:web:1`, `network:default`, `volume:data`. */
  readonly resource: string;
  readonly cause: string;
  readonly service?: string;
  readonly number?: number;
  /** The name to create or rename to (containers), or the engine name (networks, volumes). */
  readonly name?: string;
  /** The compose key of the network or volume. */
  readonly key?: string;
  /** The existing container the operation acts on. */
  readonly container?: ObservedContainer;
  /** On recreate: the container replaced, whose anonymous volumes the new one keeps. */
  readonly inherited?: ObservedContainer;
  readonly replaces?: ObservedContainer;
  /** For a rename: the create node whose container it renames. */
  readonly createNode?: number;
  readonly timeout?: number;
}

export interface PlanNode {
  readonly id: number;
  readonly operation: Operation;
  readonly dependsOn: readonly number[];
  /** Operations that together make one user-visible step ("recreate:web:1"). */
  readonly group?: string;
}

export interface Plan {
  readonly nodes: readonly PlanNode[];
  /** Services that cannot be brought up, with why (a missing external network, a failed dependency). */
  readonly blocked: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
}
