// Memory, CPU and process limits: mem_*, cpu*, pids_limit, shm_size, oom_*, cgroup_parent, and the limits and
// memory reservation of deploy.resources, which win over the service-level keys when set (as in compose).
import type { TreePath } from '../../model/tree.js';
import type { ServiceConfig } from '../../model/types.js';
import { parseBytes } from '../../model/bytes.js';
import type { ContainerPlanContext } from './context.js';
import { deployResources } from './deploy.js';
import { parseDuration } from '../../model/duration.js';
import type { Fragment, Warn } from './fragment.js';
import { serviceWarning } from './fragment.js';
import { compact, isPresent, servicePath, toBoolean, toInteger, toNumber, toText } from './scalars.js';

/** Keys only Windows engines act on; a Linux engine drops them with its own warning, berth warns up front. */
const WINDOWS_ONLY = ['cpu_count', 'cpu_percent'] as const;

/** CPUs (a float) as the engine's billionths of a CPU. */
export function nanoCpus(value: unknown, path: TreePath): number {
  return Math.round(toNumber(value, path) * 1e9);
}

/** cpu_rt_* take microseconds, written as an integer or as a duration ("950ms"). */
function microseconds(value: unknown, path: TreePath): number {
  if (typeof value === 'number' || /^[-+]?\d+$/.test(String(value).trim())) return toInteger(value, path);
  return Math.trunc(parseDuration(value, path) / 1e3);
}

export function convertResources(service: ServiceConfig, ctx: ContainerPlanContext, warn: Warn): Fragment {
  const at = (key: string) => servicePath(service.name, key);
  const read = <T>(key: string, parse: (value: unknown, path: TreePath) => T): T | undefined =>
    isPresent(service[key]) ? parse(service[key], at(key)) : undefined;
  const nonZero = (n: number | undefined): number | undefined => (n === 0 ? undefined : n);

  const limits = deployResources(service, 'limits');
  const reservations = deployResources(service, 'reservations');
  const limitsPath = servicePath(service.name, 'deploy', 'resources', 'limits');
  const reservationsPath = servicePath(service.name, 'deploy', 'resources', 'reservations');
  const fromDeploy = <T>(section: typeof limits, path: TreePath, key: string, parse: (value: unknown, path: TreePath) => T): T | undefined =>
    isPresent(section?.[key]) ? parse(section?.[key], [...path, key]) : undefined;

  const limitMemory = nonZero(fromDeploy(limits, limitsPath, 'memory', parseBytes));
  const limitCpus = nonZero(fromDeploy(limits, limitsPath, 'cpus', nanoCpus));
  const limitPids = fromDeploy(limits, limitsPath, 'pids', toInteger);
  const reservedMemory = nonZero(fromDeploy(reservations, reservationsPath, 'memory', parseBytes));
  if (isPresent(reservations?.['cpus'])) {
    warn(serviceWarning(service.name, 'deploy.resources.reservations.cpus is a Swarm scheduling hint and will be ignored'));
  }
  if (isPresent(reservations?.['generic_resources'])) {
    warn(serviceWarning(service.name, 'deploy.resources.reservations.generic_resources is not supported and will be ignored'));
  }

  const windows = (ctx.engineOs ?? 'linux') === 'windows';
  for (const key of WINDOWS_ONLY) {
    if (!windows && isPresent(service[key])) warn(serviceWarning(service.name, `${key} is only honoured by Windows engines and will be ignored`));
  }
  const swappiness = read('mem_swappiness', toInteger);
  const pidsLimit = read('pids_limit', toInteger);
  return {
    host: compact({
      CgroupParent: read('cgroup_parent', toText),
      Memory: limitMemory ?? nonZero(read('mem_limit', parseBytes)),
      MemoryReservation: reservedMemory ?? nonZero(read('mem_reservation', parseBytes)),
      MemorySwap: nonZero(read('memswap_limit', parseBytes)),
      // 0 is "avoid swapping" to the kernel, but compose never sends it; berth neither, to create the same container.
      MemorySwappiness: nonZero(swappiness),
      OomKillDisable: read('oom_kill_disable', toBoolean),
      OomScoreAdj: read('oom_score_adj', toInteger),
      NanoCpus: limitCpus ?? nonZero(read('cpus', nanoCpus)),
      CpuShares: nonZero(read('cpu_shares', toInteger)),
      CpuPeriod: nonZero(read('cpu_period', toInteger)),
      CpuQuota: nonZero(read('cpu_quota', toInteger)),
      CpuRealtimePeriod: nonZero(read('cpu_rt_period', microseconds)),
      CpuRealtimeRuntime: nonZero(read('cpu_rt_runtime', microseconds)),
      CpusetCpus: read('cpuset', toText),
      CpuCount: windows ? nonZero(read('cpu_count', toInteger)) : undefined,
      CpuPercent: windows ? nonZero(read('cpu_percent', (v, p) => Math.trunc(toNumber(v, p)))) : undefined,
      PidsLimit: limitPids !== undefined && limitPids > 0 ? limitPids : nonZero(pidsLimit),
      ShmSize: nonZero(read('shm_size', parseBytes)),
    }),
  };
}
