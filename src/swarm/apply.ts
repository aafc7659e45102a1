// Carries a deploy plan out, in its order (networks and file objects, then services, then removals), deciding
// nothing: object ids are filled into the specs as the objects come to exist, and each step is reported. A step that
// fails has what this deploy did before it rolled back (src/swarm/rollback.ts), and the error says what was and was not.
import type { ServiceSpec, Swarm } from '../engine-client/swarm.js';
import { BerthError } from '../model/errors.js';
import type { DeployOperation, DeployPlan, ObservedStack } from './plan.js';
import { planRollback, rollBack } from './rollback.js';
import type { DoneStep, RollbackOutcome, RollbackPlan } from './rollback.js';

export interface ApplyReport {
  /** One line per step done (`Creating service shop_web`), as they happen. */
  readonly step: (line: string) => void;
  readonly warn: (line: string) => void;
}

export async function applyDeploy(swarm: Swarm, plan: DeployPlan, observed: ObservedStack, report: ApplyReport): Promise<void> {
  const ids = {
    secrets: new Map(observed.secrets.map((object) => [object.name, object.id])),
    configs: new Map(observed.configs.map((object) => [object.name, object.id])),
  };
  const done: DoneStep[] = [];
  for (const operation of plan.operations) {
    report.step(describe(operation));
    try {
      const createdId = await carryOut(swarm, operation, ids, report);
      done.push({ operation, ...(createdId ? { createdId } : {}) });
    } catch (error) {
      if (operation.kind === 'remove-file-object') {
        // An older version still held by a task that is being replaced: left for the next deploy or `stack rm`.
        report.warn(`${operation.objectKind === 'secrets' ? 'secret' : 'config'} ${operation.name} was not removed: ${(error as Error).message}`);
        continue;
      }
      const rest = plan.operations.length - plan.operations.indexOf(operation) - 1;
      const rollback = planRollback(done);
      if (rollback.steps.length > 0) report.step(`Rolling back what this deploy changed (${describe(operation)} failed)`);
      const outcome = await rollBack(swarm, rollback);
      throw new BerthError(failureMessage(operation, error as Error, rest, rollback, outcome), { kind: (error as BerthError).kind ?? 'engine', cause: error });
    }
  }
}

/** What failed, what was rolled back, and what stands that could not be. */
export function failureMessage(operation: DeployOperation, error: Error, rest: number, rollback: RollbackPlan, outcome: RollbackOutcome): string {
  const lines = [`${describe(operation)} failed: ${error.message}`];
  if (rollback.steps.length === 0 && rollback.irreversible.length === 0) lines.push('nothing was changed before it');
  if (outcome.undone.length > 0) lines.push(`rolled back: ${outcome.undone.join('; ')}`);
  const stands = [...rollback.irreversible, ...outcome.failed];
  if (stands.length > 0) lines.push(`NOT rolled back: ${stands.join('; ')}`);
  else if (rollback.steps.length > 0) lines.push('the swarm is as it was before this deploy');
  if (rest > 0) lines.push(`the ${rest} step${rest === 1 ? '' : 's'} after it ${rest === 1 ? 'was' : 'were'} not carried out`);
  return `${lines.join('\n')}\n(fix it and deploy again)`;
}

/** Carries one step out; returns the id of the object it created, if it created one. */
async function carryOut(swarm: Swarm, operation: DeployOperation, ids: Record<'secrets' | 'configs', Map<string, string>>, report: ApplyReport): Promise<string | undefined> {
  switch (operation.kind) {
    case 'create-network':
      return swarm.createNetwork(operation.network.create!);
    case 'create-file-object': {
      const { object } = operation;
      const id = await swarm.create(object.kind, { Name: object.name, Labels: object.labels, Data: object.data!.toString('base64') });
      ids[object.kind].set(object.name, id);
      return id;
    }
    case 'create-service': {
      const created = await swarm.createService(withObjectIds(operation.spec, ids));
      for (const warning of created.warnings) report.warn(warning);
      return created.id;
    }
    case 'update-service': {
      const updated = await swarm.updateService(operation.id, operation.version, withObjectIds(operation.spec, ids));
      for (const warning of updated.warnings) report.warn(warning);
      return undefined;
    }
    case 'remove-service':
      await swarm.removeService(operation.id);
      return undefined;
    case 'remove-file-object':
      await swarm.remove(operation.objectKind, operation.id);
      return undefined;
  }
}

/** What a step does, in the words of `docker stack deploy` (`Creating service shop_web`). */
export function describe(operation: DeployOperation): string {
  switch (operation.kind) {
    case 'create-network':
      return `Creating network ${operation.network.name}`;
    case 'create-file-object': {
      const line = `Creating ${operation.object.kind === 'secrets' ? 'secret' : 'config'} ${operation.object.name}`;
      if (operation.replaces === undefined) return line;
      return `${line} (the content of "${operation.object.key}" changed: it replaces ${operation.replaces.join(', ')}, and the services using it roll onto it)`;
    }
    case 'create-service':
      return `Creating service ${operation.spec.Name}`;
    case 'update-service':
      return `Updating service ${operation.spec.Name} (changed: ${operation.changed.join(', ')})`;
    case 'remove-service':
      return `Removing service ${operation.name}`;
    case 'remove-file-object':
      return `Removing ${operation.objectKind === 'secrets' ? 'secret' : 'config'} ${operation.name}`;
  }
}

/** The spec with each secret's and config's id, looked up by name. */
export function withObjectIds(spec: ServiceSpec, ids: Record<'secrets' | 'configs', ReadonlyMap<string, string>>): ServiceSpec {
  const container = spec.TaskTemplate.ContainerSpec as { Secrets?: Array<Record<string, unknown>>; Configs?: Array<Record<string, unknown>> };
  const fill = (list: Array<Record<string, unknown>> | undefined, kind: 'secrets' | 'configs', name: string, id: string) =>
    list?.map((reference) => {
      const objectName = String(reference[name]);
      const found = ids[kind].get(objectName);
      if (found === undefined) throw new BerthError(`${kind === 'secrets' ? 'secret' : 'config'} ${objectName} does not exist on the swarm`, { kind: 'not-found' });
      return { ...reference, [id]: found };
    });
  const secrets = fill(container.Secrets, 'secrets', 'SecretName', 'SecretID');
  const configs = fill(container.Configs, 'configs', 'ConfigName', 'ConfigID');
  return {
    ...spec,
    TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: { ...container, ...(secrets ? { Secrets: secrets } : {}), ...(configs ? { Configs: configs } : {}) } },
  };
}
