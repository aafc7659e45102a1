// Undoing a deploy that failed partway. A manager has no transaction over several objects, so berth keeps one itself:
// each step carried out leaves what would undo it (a created object is removed, an updated service is rolled back to
// the spec the manager kept as its previous one), and on a failure those are carried out newest first. What cannot be
// undone (a service already pruned) or fails to undo is said, never hidden.
import type { Swarm } from '../engine-client/swarm.js';
import { statusOf } from '../engine-client/transport.js';
import type { DeployOperation } from './plan.js';

/** One step of a deploy that was carried out, with the id of what it created. */
export interface DoneStep {
  readonly operation: DeployOperation;
  readonly createdId?: string;
}

export type UndoStep =
  | { readonly kind: 'remove-service' | 'rollback-service' | 'remove-network'; readonly name: string; readonly id: string }
  | { readonly kind: 'remove-file-object'; readonly objectKind: 'secrets' | 'configs'; readonly name: string; readonly id: string };

export interface RollbackPlan {
  /** Newest first: services before the networks, secrets and configs they use. */
  readonly steps: readonly UndoStep[];
  /** What was done and cannot be undone, in words. */
  readonly irreversible: readonly string[];
}

/** What undoes the steps done, newest first. Pure. */
export function planRollback(done: readonly DoneStep[]): RollbackPlan {
  const steps: UndoStep[] = [];
  const irreversible: string[] = [];
  for (const { operation, createdId } of [...done].reverse()) {
    switch (operation.kind) {
      case 'create-network':
        if (createdId) steps.push({ kind: 'remove-network', name: operation.network.name, id: createdId });
        break;
      case 'create-file-object':
        if (createdId) steps.push({ kind: 'remove-file-object', objectKind: operation.object.kind, name: operation.object.name, id: createdId });
        break;
      case 'create-service':
        if (createdId) steps.push({ kind: 'remove-service', name: operation.spec.Name, id: createdId });
        break;
      case 'update-service':
        steps.push({ kind: 'rollback-service', name: operation.spec.Name, id: operation.id });
        break;
      case 'remove-service':
        irreversible.push(`service ${operation.name} was removed (--prune) and is not put back`);
        break;
      case 'remove-file-object':
        // An old version no service refers to any more: nothing of the stack depends on it.
        break;
    }
  }
  return { steps, irreversible };
}

/** `removed service shop_api`: what an undo step did, in words. */
export function describeUndo(step: UndoStep): string {
  return step.kind === 'rollback-service' ? `rolled ${subject(step)} back to its previous spec` : `removed ${subject(step)}`;
}

/** `network shop_back`: what an undo step acts on. */
function subject(step: UndoStep): string {
  if (step.kind === 'remove-file-object') return `${step.objectKind === 'secrets' ? 'secret' : 'config'} ${step.name}`;
  return `${step.kind === 'remove-network' ? 'network' : 'service'} ${step.name}`;
}

export interface RollbackOutcome {
  readonly undone: readonly string[];
  /** `network shop_back: <why>`, for each step that failed. */
  readonly failed: readonly string[];
}

/**
 * Carries the undo steps out, each one tried even when an earlier one failed. A network (or a secret) is refused while
 * the tasks of a service just removed still hold it: those are tried again until `retryMs` has passed.
 */
export async function rollBack(swarm: Swarm, plan: RollbackPlan, retryMs = 30_000): Promise<RollbackOutcome> {
  const undone: string[] = [];
  const failed: string[] = [];
  const deadline = Date.now() + retryMs;
  for (const step of plan.steps) {
    for (;;) {
      try {
        await undo(swarm, step);
        if (step.kind === 'remove-network') await networkGone(swarm, step.id, deadline);
        undone.push(describeUndo(step));
        break;
      } catch (error) {
        if (statusOf(error) === 404 && step.kind !== 'rollback-service') {
          undone.push(describeUndo(step));
          break;
        }
        const retry = (step.kind === 'remove-network' || step.kind === 'remove-file-object') && Date.now() < deadline;
        if (!retry) {
          failed.push(`${subject(step)}: ${(error as Error).message}`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
  return { undone, failed };
}

/**
 * This node can still list a swarm network the manager has removed (its own copy, while a task of a removed service
 * holds it): a deploy run right after took it for the network and did not create it. Waits, within the rollback's
 * bound, until this node lists it no more.
 */
async function networkGone(swarm: Swarm, id: string, deadline: number): Promise<void> {
  while (Date.now() < deadline && (await swarm.networks({ id: [id] })).some((network) => network.id === id)) {
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function undo(swarm: Swarm, step: UndoStep): Promise<void> {
  switch (step.kind) {
    case 'remove-service':
      return swarm.removeService(step.id);
    case 'rollback-service':
      return swarm.rollbackService(step.id);
    case 'remove-network':
      return swarm.removeNetwork(step.id);
    case 'remove-file-object':
      return swarm.remove(step.objectKind, step.id);
  }
}
