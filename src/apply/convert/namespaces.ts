// ipc, pid, uts, userns_mode, cgroup -> the namespace modes. `service:x` shares the namespace of x's container.
import type { ServiceConfig } from '../../model/types.js';
import type { ContainerPlanContext } from './context.js';
import type { Fragment } from './fragment.js';
import { resolveNamespaceMode } from './references.js';
import { compact, isPresent, servicePath, toText } from './scalars.js';

export function convertNamespaces(service: ServiceConfig, ctx: ContainerPlanContext): Fragment {
  const mode = (key: string, sharing?: string): string | undefined => {
    const raw: unknown = service[key];
    if (!isPresent(raw) || raw === '') return undefined;
    const text = toText(raw, servicePath(service.name, key));
    return sharing === undefined ? text : resolveNamespaceMode(text, ctx, sharing, servicePath(service.name, key));
  };
  return {
    host: compact({
      IpcMode: mode('ipc', 'IPC namespace'),
      PidMode: mode('pid', 'PID namespace'),
      UTSMode: mode('uts'),
      UsernsMode: mode('userns_mode'),
      CgroupnsMode: mode('cgroup'),
    }),
  };
}
