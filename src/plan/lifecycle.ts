// The verbs that act on existing containers, planned: stop, kill and pause go dependents first, restart and
// unpause dependencies first; each acts only on the containers in a state it applies to (a stopped container is not
// stopped again). `rm` removes stopped containers, and with -s stops the running ones first.
import type { Project } from '../model/types.js';
import type { ObservedContainer } from '../observe/observe.js';
import { PlanBuilder } from './builder.js';
import { addHooks } from './hooks.js';
import { stopTimeout } from './reconcile.js';
import { inServiceOrder } from './service-order.js';
import type { ContainerRef, Operation, Plan } from './types.js';

export type ContainerAction = 'stop' | 'kill' | 'restart' | 'pause' | 'unpause';

export type ActionTarget = ContainerRef & Pick<ObservedContainer, 'state'>;

export interface ActionOptions {
  readonly timeout?: number;
  /** For kill. */
  readonly signal?: string;
}

const RUNNING = new Set(['running', 'restarting']);

const ACTS_ON: Readonly<Record<ContainerAction, (state: string) => boolean>> = {
  stop: (state) => RUNNING.has(state) || state === 'paused',
  kill: (state) => RUNNING.has(state),
  restart: () => true,
  pause: (state) => state === 'running',
  unpause: (state) => state === 'paused',
};

const REVERSE: Readonly<Record<ContainerAction, boolean>> = { stop: true, kill: true, restart: false, pause: true, unpause: false };

export function planContainerAction(project: Pick<Project, 'services'>, containers: readonly ActionTarget[], action: ContainerAction, options: ActionOptions = {}): Plan {
  const plan = new PlanBuilder();
  const chosen = containers.filter((container) => ACTS_ON[action](container.state));
  inServiceOrder(project, chosen, REVERSE[action], (container, after) => {
    // pre_stop hooks run in a running container before it is stopped; post_start ones after a restart.
    const before = action === 'stop' && container.state === 'running' ? addHooks(plan, project, container, 'pre_stop', after) : after;
    const node = plan.add(operationFor(project, container, action, options), before);
    return action === 'restart' ? addHooks(plan, project, container, 'post_start', [node]) : [node];
  });
  return plan.build();
}

function operationFor(project: Pick<Project, 'services'>, container: ActionTarget, action: ContainerAction, options: ActionOptions): Operation {
  const base = { resource: `service:${container.service}:${container.number}`, cause: 'requested', container };
  const timeout = stopTimeout(project, container.service, options.timeout);
  switch (action) {
    case 'stop':
      return { kind: 'stop-container', ...base, ...(timeout !== undefined ? { timeout } : {}) };
    case 'restart':
      return { kind: 'restart-container', ...base, ...(timeout !== undefined ? { timeout } : {}) };
    case 'kill':
      return { kind: 'kill-container', ...base, signal: options.signal ?? 'SIGKILL' };
    case 'pause':
      return { kind: 'pause-container', ...base };
    case 'unpause':
      return { kind: 'unpause-container', ...base };
  }
}

export interface RemoveOptions {
  /** `-s`: stop running containers first (else they are left alone). */
  readonly stop: boolean;
  /** `-v`: their anonymous volumes too. */
  readonly volumes: boolean;
  readonly timeout?: number;
}

/** `rm`: the stopped containers removed, dependents first. */
export function planRemove(project: Pick<Project, 'services'>, containers: readonly ActionTarget[], options: RemoveOptions): Plan {
  const plan = new PlanBuilder();
  const running = (container: ActionTarget): boolean => RUNNING.has(container.state) || container.state === 'paused';
  const chosen = containers.filter((container) => options.stop || !running(container));
  const removalOf = new Map<number, number>();
  inServiceOrder(project, chosen, true, (container, after) => {
    const resource = `service:${container.service}:${container.number}`;
    // Removed after the dependents' removals (a volumes_from dependent holds its anonymous volumes).
    const removals = after.map((node) => removalOf.get(node) ?? node);
    if (!running(container)) return [plan.add({ kind: 'remove-container', resource, cause: container.state, container, volumes: options.volumes }, removals)];
    const timeout = stopTimeout(project, container.service, options.timeout);
    const hooks = container.state === 'running' ? addHooks(plan, project, container, 'pre_stop', after) : after;
    const stop = plan.add({ kind: 'stop-container', resource, cause: 'rm -s', container, ...(timeout !== undefined ? { timeout } : {}) }, hooks);
    removalOf.set(stop, plan.add({ kind: 'remove-container', resource, cause: 'rm -s', container, volumes: options.volumes }, [stop, ...removals]));
    // The services it needs wait for its stop, not its removal: removes run beside the next stops, off their chain.
    return [stop];
  });
  return plan.build();
}
