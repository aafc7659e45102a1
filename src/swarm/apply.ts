// Carries a deploy plan out, in its order (networks and file objects, then services, then removals), deciding
// nothing: object ids are filled into the specs as the objects come to exist, and each step is reported.
import type { ServiceSpec, Swarm } from '../engine-client/swarm.js';
import { BerthError } from '../model/errors.js';
import type { DeployOperation, DeployPlan, ObservedStack } from './plan.js';

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
  const done: string[] = [];
  for (const operation of plan.operations) {
    report.step(describe(operation));
    try {
      await carryOut(swarm, operation, ids, report);
      done.push(describe(operation));
    } catch (error) {
      if (operation.kind === 'remove-file-object') {
        // An older version still held by a task that is being replaced: left for the next deploy or `stack rm`.
        report.warn(`${operation.objectKind === 'secrets' ? 'secret' : 'config'} ${operation.name} was not removed: ${(error as Error).message}`);
        continue;
      }
      // Nothing is rolled back (a manager has no transaction over several objects): say exactly what stands.
      const before = done.length > 0 ? `done before it: ${done.join('; ')}` : 'nothing was changed before it';
      const rest = plan.operations.length - done.length - 1;
      const after = rest > 0 ? `; the ${rest} step${rest === 1 ? '' : 's'} after it ${rest === 1 ? 'was' : 'were'} not carried out` : '';
      throw new BerthError(`${describe(operation)} failed: ${(error as Error).message}\n(${before}${after}; fix it and deploy again)`, { kind: (error as BerthError).kind ?? 'engine', cause: error });
    }
  }
}

async function carryOut(swarm: Swarm, operation: DeployOperation, ids: Record<'secrets' | 'configs', Map<string, string>>, report: ApplyReport): Promise<void> {
  switch (operation.kind) {
    case 'create-network':
      await swarm.createNetwork(operation.network.create!);
      return;
    case 'create-file-object': {
      const { object } = operation;
      const id = await swarm.create(object.kind, { Name: object.name, Labels: object.labels, Data: object.data!.toString('base64') });
      ids[object.kind].set(object.name, id);
      return;
    }
    case 'create-service': {
      const created = await swarm.createService(withObjectIds(operation.spec, ids));
      for (const warning of created.warnings) report.warn(warning);
      return;
    }
    case 'update-service': {
      const updated = await swarm.updateService(operation.id, operation.version, withObjectIds(operation.spec, ids));
      for (const warning of updated.warnings) report.warn(warning);
      return;
    }
    case 'remove-service':
      await swarm.removeService(operation.id);
      return;
    case 'remove-file-object':
      await swarm.remove(operation.objectKind, operation.id);
      return;
  }
}

/** What a step does, in the words of `docker stack deploy` (`Creating service shop_web`). */
export function describe(operation: DeployOperation): string {
  switch (operation.kind) {
    case 'create-network':
      return `Creating network ${operation.network.name}`;
    case 'create-file-object':
      return `Creating ${operation.object.kind === 'secrets' ? 'secret' : 'config'} ${operation.object.name}`;
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
