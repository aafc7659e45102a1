// docker's StatsContext (what `stats --format` templates see) and the arithmetic docker's CLI does on a sample of
// `GET /containers/{id}/stats`: CPU % from the two readings, memory without the page cache, summed network and
// block I/O.
import type { StatsSample } from '../engine-client/reports.js';
import { headerContext } from './formatter.js';
import { GoStruct } from './template/index.js';
import type { GoMap } from './template/index.js';
import { bytesSize, humanSize } from './units.js';

export const DEFAULT_STATS_TABLE = 'table {{.ID}}\\t{{.Name}}\\t{{.CPUPerc}}\\t{{.MemUsage}}\\t{{.MemPerc}}\\t{{.NetIO}}\\t{{.BlockIO}}\\t{{.PIDs}}';

export const STATS_HEADER: GoMap = headerContext({
  Container: 'CONTAINER',
  ID: 'CONTAINER ID',
  Name: 'NAME',
  CPUPerc: 'CPU %',
  MemUsage: 'MEM USAGE / LIMIT',
  MemPerc: 'MEM %',
  NetIO: 'NET I/O',
  BlockIO: 'BLOCK I/O',
  PIDs: 'PIDS',
});

export interface ContainerStats {
  readonly cpuPercent: number;
  readonly memory: number;
  readonly memoryLimit: number;
  readonly memoryPercent: number;
  readonly networkRx: number;
  readonly networkTx: number;
  readonly blockRead: number;
  readonly blockWrite: number;
  readonly pids: number;
}

export function computeStats(sample: StatsSample): ContainerStats {
  const cpuDelta = (sample.cpu_stats?.cpu_usage?.total_usage ?? 0) - (sample.precpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (sample.cpu_stats?.system_cpu_usage ?? 0) - (sample.precpu_stats?.system_cpu_usage ?? 0);
  const cpus = sample.cpu_stats?.online_cpus || sample.cpu_stats?.cpu_usage?.percpu_usage?.length || 0;
  const cpuPercent = systemDelta > 0 && cpuDelta > 0 ? (cpuDelta / systemDelta) * cpus * 100 : 0;
  const usage = sample.memory_stats?.usage ?? 0;
  const stats = sample.memory_stats?.stats ?? {};
  // The page cache is not the container's memory: cgroup v1 calls it total_inactive_file, v2 inactive_file.
  const inactive = stats.total_inactive_file !== undefined && stats.total_inactive_file < usage ? stats.total_inactive_file : (stats.inactive_file ?? 0) < usage ? (stats.inactive_file ?? 0) : 0;
  const memory = usage - inactive;
  const memoryLimit = sample.memory_stats?.limit ?? 0;
  let networkRx = 0;
  let networkTx = 0;
  for (const network of Object.values(sample.networks ?? {})) {
    networkRx += network.rx_bytes ?? 0;
    networkTx += network.tx_bytes ?? 0;
  }
  let blockRead = 0;
  let blockWrite = 0;
  for (const entry of sample.blkio_stats?.io_service_bytes_recursive ?? []) {
    const op = (entry.op ?? '')[0]?.toLowerCase();
    if (op === 'r') blockRead += entry.value ?? 0;
    if (op === 'w') blockWrite += entry.value ?? 0;
  }
  return {
    cpuPercent,
    memory,
    memoryLimit,
    memoryPercent: memoryLimit !== 0 ? (memory / memoryLimit) * 100 : 0,
    networkRx,
    networkTx,
    blockRead,
    blockWrite,
    pids: sample.pids_stats?.current ?? 0,
  };
}

export function statsContext(container: { id: string; name: string }, stats: ContainerStats, trunc: boolean): GoStruct {
  const id = trunc ? container.id.slice(0, 12) : container.id;
  const fields = {
    BlockIO: `${humanSize(stats.blockRead, 3)} / ${humanSize(stats.blockWrite, 3)}`,
    CPUPerc: `${stats.cpuPercent.toFixed(2)}%`,
    Container: id,
    ID: id,
    MemPerc: `${stats.memoryPercent.toFixed(2)}%`,
    MemUsage: `${bytesSize(stats.memory)} / ${bytesSize(stats.memoryLimit)}`,
    Name: container.name || '--',
    NetIO: `${humanSize(stats.networkRx, 3)} / ${humanSize(stats.networkTx, 3)}`,
    PIDs: String(stats.pids),
  };
  return new GoStruct('*formatter.statsContext', fields, { json: () => fields });
}
