import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceConfig } from '../../model/types.js';
import { planContext } from './test-context.js';
import { convertResources } from './resources.js';

const ctx = planContext();

function run(service: ServiceConfig, context = ctx) {
  const warnings: string[] = [];
  return { ...convertResources(service, context, (w) => warnings.push(w)), warnings };
}

test('service-level limits: sizes in bytes, cpus in billionths', () => {
  assert.deepEqual(
    run({
      name: 'web',
      mem_limit: '1g',
      mem_reservation: '512m',
      memswap_limit: -1,
      mem_swappiness: 60,
      oom_kill_disable: true,
      oom_score_adj: -500,
      cpus: 1.5,
      cpu_shares: 512,
      cpu_period: 100000,
      cpu_quota: '50000',
      cpu_rt_period: 1000000,
      cpu_rt_runtime: '950ms',
      cpuset: '0-3',
      pids_limit: 100,
      shm_size: '64M',
      cgroup_parent: 'm-executor-abcd',
    }),
    {
      host: {
        CgroupParent: 'm-executor-abcd',
        Memory: 1024 ** 3,
        MemoryReservation: 512 * 1024 ** 2,
        MemorySwap: -1,
        MemorySwappiness: 60,
        OomKillDisable: true,
        OomScoreAdj: -500,
        NanoCpus: 1_500_000_000,
        CpuShares: 512,
        CpuPeriod: 100000,
        CpuQuota: 50000,
        CpuRealtimePeriod: 1000000,
        CpuRealtimeRuntime: 950000,
        CpusetCpus: '0-3',
        PidsLimit: 100,
        ShmSize: 64 * 1024 ** 2,
      },
      warnings: [],
    },
  );
});

test('deploy.resources limits and memory reservation win over the service keys', () => {
  assert.deepEqual(
    run({
      name: 'web',
      mem_limit: '1g',
      cpus: 2,
      pids_limit: 10,
      deploy: { resources: { limits: { cpus: 0.001, memory: '52428800', pids: 20 }, reservations: { memory: '20m', cpus: 0.0001 } } },
    }),
    {
      host: { Memory: 52428800, MemoryReservation: 20 * 1024 ** 2, NanoCpus: 1_000_000, PidsLimit: 20 },
      warnings: ['service "web": deploy.resources.reservations.cpus is a Swarm scheduling hint and will be ignored'],
    },
  );
});

test('zero values are not sent, as compose does not send them', () => {
  assert.deepEqual(run({ name: 'web', mem_swappiness: 0, cpus: 0, pids_limit: 0 }), { host: {}, warnings: [] });
});

test('cpu_count and cpu_percent reach Windows engines only', () => {
  assert.deepEqual(run({ name: 'web', cpu_count: 2, cpu_percent: 50 }), {
    host: {},
    warnings: [
      'service "web": cpu_count is only honoured by Windows engines and will be ignored',
      'service "web": cpu_percent is only honoured by Windows engines and will be ignored',
    ],
  });
  assert.deepEqual(run({ name: 'web', cpu_count: 2, cpu_percent: 50 }, { ...ctx, engineOs: 'windows' }), {
    host: { CpuCount: 2, CpuPercent: 50 },
    warnings: [],
  });
});
