// Resource usage of a running container, read from its cgroups (v1 and v2), in the shape `docker stats` reads.
import { existsSync, readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';

const CGROUP = '/sys/fs/cgroup';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function number(path: string): number {
  const value = read(path);
  return value && /^\d+$/.test(value) ? Number(value) : 0;
}

function keyed(path: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const line of (read(path) ?? '').split('\n')) {
    const [key, value] = line.split(/\s+/);
    if (key && value && /^\d+$/.test(value)) out[key] = Number(value);
  }
  return out;
}

/** The host's total CPU time in nanoseconds (from /proc/stat), which docker stats divides by. */
function systemCpuUsage(): number {
  const line = (read('/proc/stat') ?? '').split('\n').find((entry) => entry.startsWith('cpu '));
  if (!line) return 0;
  const ticks = line.trim().split(/\s+/).slice(1, 8).reduce((sum, value) => sum + Number(value), 0);
  return (ticks * 1e9) / 100; // USER_HZ is 100 on Linux
}

export interface StatsSample {
  readonly cpuTotal: number;
  readonly system: number;
}

export function containerStats(id: string, name: string, previous: StatsSample | undefined, read_at = new Date()): { stats: Record<string, unknown>; sample: StatsSample } {
  const v2 = existsSync(join(CGROUP, 'cgroup.controllers'));
  let cpuTotal: number;
  let memory: number;
  let limit: number;
  let memoryStats: Record<string, number>;
  let pids: number;
  if (v2) {
    const dir = join(CGROUP, 'berth', id);
    const cpu = keyed(join(dir, 'cpu.stat'));
    cpuTotal = (cpu.usage_usec ?? 0) * 1000;
    memory = number(join(dir, 'memory.current'));
    const max = read(join(dir, 'memory.max'));
    limit = max && /^\d+$/.test(max) ? Number(max) : totalMemory();
    memoryStats = keyed(join(dir, 'memory.stat'));
    pids = number(join(dir, 'pids.current'));
  } else {
    const cgroup = (controller: string): string => join(CGROUP, controller, 'berth', id);
    cpuTotal = number(join(cgroup('cpuacct'), 'cpuacct.usage'));
    memory = number(join(cgroup('memory'), 'memory.usage_in_bytes'));
    const max = number(join(cgroup('memory'), 'memory.limit_in_bytes'));
    limit = max > 0 && max < 2 ** 62 ? Math.min(max, totalMemory()) : totalMemory();
    memoryStats = keyed(join(cgroup('memory'), 'memory.stat'));
    pids = number(join(cgroup('pids'), 'pids.current'));
  }
  const sample = { cpuTotal, system: systemCpuUsage() };
  const cpuStats = (value: StatsSample | undefined) => ({
    cpu_usage: { total_usage: value?.cpuTotal ?? 0, usage_in_kernelmode: 0, usage_in_usermode: 0 },
    system_cpu_usage: value?.system ?? 0,
    online_cpus: cpus().length,
    throttling_data: { periods: 0, throttled_periods: 0, throttled_time: 0 },
  });
  return {
    sample,
    stats: {
      read: read_at.toISOString(),
      preread: previous ? new Date(read_at.getTime() - 1000).toISOString() : '0001-01-01T00:00:00Z',
      pids_stats: { current: pids },
      blkio_stats: { io_service_bytes_recursive: null, io_serviced_recursive: null, io_queue_recursive: null, io_service_time_recursive: null, io_wait_time_recursive: null, io_merged_recursive: null, io_time_recursive: null, sectors_recursive: null },
      num_procs: 0,
      storage_stats: {},
      cpu_stats: cpuStats(sample),
      precpu_stats: cpuStats(previous),
      memory_stats: { usage: memory, stats: memoryStats, limit },
      name: `/${name}`,
      id,
    },
  };
}

function totalMemory(): number {
  const line = (read('/proc/meminfo') ?? '').split('\n').find((entry) => entry.startsWith('MemTotal:'));
  return line ? Number(line.split(/\s+/)[1]) * 1024 : 0;
}
