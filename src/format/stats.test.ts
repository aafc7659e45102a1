import assert from 'node:assert/strict';
import { test } from 'node:test';
import { computeStats, DEFAULT_STATS_TABLE, STATS_HEADER, statsContext } from './stats.js';
import { parseListFormat, renderList } from './formatter.js';

test("stats: docker's arithmetic (CPU over the two readings, memory without the page cache, summed I/O)", () => {
  const stats = computeStats({
    cpu_stats: { cpu_usage: { total_usage: 300 }, system_cpu_usage: 2000, online_cpus: 2 },
    precpu_stats: { cpu_usage: { total_usage: 100 }, system_cpu_usage: 1000 },
    memory_stats: { usage: 3 * 1024 * 1024, limit: 1024 * 1024 * 1024, stats: { inactive_file: 1024 * 1024 } },
    networks: { eth0: { rx_bytes: 1500, tx_bytes: 500 }, eth1: { rx_bytes: 500, tx_bytes: 0 } },
    blkio_stats: { io_service_bytes_recursive: [{ op: 'read', value: 4096 }, { op: 'Write', value: 8192 }, { op: 'total', value: 1 }] },
    pids_stats: { current: 3 },
  });
  assert.equal(stats.cpuPercent, 40);
  assert.equal(stats.memory, 2 * 1024 * 1024);
  const out = renderList(parseListFormat('', DEFAULT_STATS_TABLE), [statsContext({ id: 'c37ed122c7ae0123456789', name: 'demo-web-1' }, stats, true)], STATS_HEADER);
  assert.equal(
    out,
    'CONTAINER ID   NAME         CPU %     MEM USAGE / LIMIT   MEM %     NET I/O      BLOCK I/O        PIDS\n' +
      'c37ed122c7ae   demo-web-1   40.00%    2MiB / 1GiB         0.20%     2kB / 500B   4.1kB / 8.19kB   3\n',
  );
  const json = JSON.parse(renderList(parseListFormat('json', DEFAULT_STATS_TABLE), [statsContext({ id: 'c37ed122c7ae0123456789', name: 'demo-web-1' }, stats, true)], STATS_HEADER));
  assert.deepEqual(Object.keys(json), ['BlockIO', 'CPUPerc', 'Container', 'ID', 'MemPerc', 'MemUsage', 'Name', 'NetIO', 'PIDs']);
  assert.equal(computeStats({}).cpuPercent, 0, 'a stopped container: zeros');
});
