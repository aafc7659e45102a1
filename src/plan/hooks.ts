// Lifecycle hooks as plan operations: a service's `post_start` commands run in each of its containers once it has
// started (in order, each after the one before; what comes after the container waits for them), its `pre_stop`
// commands before a running container is stopped. A failing post_start fails the command, as in compose; a failing
// pre_stop is reported and the container is stopped all the same (a stop that a broken hook could refuse would
// leave `down` unable to take a project down). The spec has no `pre_start`: the schema refuses it.
import { isDict } from '../model/tree.js';
import type { Project } from '../model/types.js';
import type { PlanBuilder } from './builder.js';
import type { ContainerRef, RunHook } from './types.js';

export type HookKind = RunHook['hook'];

/** The service's hooks of one kind, as operations for `container` (none when it has none). */
export function hookOperations(project: Pick<Project, 'services'>, container: ContainerRef, hook: HookKind): RunHook[] {
  const list = project.services[container.service]?.[hook];
  if (!Array.isArray(list)) return [];
  return list.filter(isDict).map((entry, index) => {
    const environment = isDict(entry.environment) ? entry.environment : {};
    return {
      kind: 'run-hook',
      resource: `service:${container.service}:${container.number}`,
      cause: hook === 'post_start' ? 'started' : 'stopping',
      container,
      hook,
      index: index + 1,
      command: Array.isArray(entry.command) ? entry.command.map(String) : [],
      ...(typeof entry.user === 'string' && entry.user !== '' ? { user: entry.user } : {}),
      ...(entry.privileged === true ? { privileged: true } : {}),
      ...(typeof entry.working_dir === 'string' && entry.working_dir !== '' ? { workingDir: entry.working_dir } : {}),
      environment: Object.entries(environment)
        .filter(([, value]) => value !== null && value !== undefined)
        .map(([key, value]) => `${key}=${String(value)}`)
        .sort(),
      onFailure: hook === 'post_start' ? 'fail' : 'warn',
    };
  });
}

/**
 * The hooks of one kind added one after the other, the first after `after`; returns what stands for them being done
 * (`after` itself when the service has none).
 */
export function addHooks(plan: PlanBuilder, project: Pick<Project, 'services'>, container: ContainerRef, hook: HookKind, after: readonly number[]): readonly number[] {
  let last = after;
  for (const operation of hookOperations(project, container, hook)) last = [plan.add(operation, last)];
  return last;
}
