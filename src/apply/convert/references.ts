// `service:<name>` references (network_mode, ipc, pid, volumes_from) name a service; the engine wants a container.
// The planner hands over the containers it knows, and the first one stands for the service, as in compose.
import { BerthError } from '../../model/errors.js';
import type { TreePath } from '../../model/tree.js';
import type { ContainerPlanContext } from './context.js';

export const SERVICE_PREFIX = 'service:';
export const CONTAINER_PREFIX = 'container:';

/** The id of the container standing for `serviceName`; `sharing` says what for, in the error when there is none. */
export function serviceContainerId(ctx: ContainerPlanContext, serviceName: string, sharing: string, path: TreePath): string {
  const container = ctx.containersByService?.[serviceName]?.[0];
  if (container === undefined) {
    throw new BerthError(`cannot share ${sharing} with service ${serviceName}: container missing`, { kind: 'not-found', path });
  }
  return container.id;
}

/** `service:x` -> `container:<id of x>`; any other mode is the engine's to read. */
export function resolveNamespaceMode(mode: string, ctx: ContainerPlanContext, sharing: string, path: TreePath): string {
  if (!mode.startsWith(SERVICE_PREFIX)) return mode;
  return CONTAINER_PREFIX + serviceContainerId(ctx, mode.slice(SERVICE_PREFIX.length), sharing, path);
}
