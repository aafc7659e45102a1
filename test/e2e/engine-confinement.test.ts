// Confinement equal to Docker's: the same probe container runs on dockerd and on berth's engine, and what it sees
// from inside (capabilities, seccomp, NoNewPrivs, masked and read-only paths under /proc and /sys, cgroup limits) is
// compared; then the engine's socket mode and the reach of ports published on 127.0.0.1.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { freePort, startTestEngine } from './engine-helpers.js';
import type { TestEngine } from './engine-helpers.js';
import { IMAGE } from './helpers.js';

let engine: TestEngine;
before(async () => {
  engine = await startTestEngine();
});
after(async () => {
  await engine?.stop();
});

const dockerd = (args: readonly string[]): { code: number | null; stdout: string; stderr: string } => {
  const result = spawnSync('docker', ['-H', 'unix:///var/run/docker.sock', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
};

const MASKED = ['/proc/asound', '/proc/acpi', '/proc/kcore', '/proc/keys', '/proc/latency_stats', '/proc/timer_list', '/proc/timer_stats', '/proc/sched_debug', '/proc/scsi', '/sys/firmware', '/sys/devices/virtual/powercap'];
const READ_ONLY = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger', '/sys', '/sys/fs/cgroup'];

/**
 * What the probe prints, one fact a line: its status lines, then for each path whether it is masked (a /dev/null
 * bind or an empty read-only tmpfs) and whether it is mounted read-only, then its cgroup limits.
 */
const PROBE = [
  'grep -E "^(CapEff|CapBnd|CapPrm|CapInh|CapAmb|Seccomp|NoNewPrivs):" /proc/self/status | tr -s "\\t " " "',
  // mountinfo: the mount point is field 5, its options field 6, the file system type follows the "-" field.
  `for p in ${MASKED.join(' ')}; do m=$(awk -v p=$p '$5 == p { for (i = 7; $i != "-"; i++); print $(i + 1) "," $6 "," $4 }' /proc/self/mountinfo | tail -1); echo "masked $p $m"; done`,
  `for p in ${READ_ONLY.join(' ')}; do m=$(awk -v p=$p '$5 == p { split($6, o, ","); print o[1] }' /proc/self/mountinfo | tail -1); echo "mount $p $m"; done`,
  'for f in memory/memory.limit_in_bytes memory.max pids/pids.max pids.max cpu/cpu.cfs_quota_us cpu.max cpu/cpu.shares cpu.weight; do [ -r /sys/fs/cgroup/$f ] && echo "cgroup $f $(cat /sys/fs/cgroup/$f)"; done',
  'echo "write /proc/sys $(echo 1 > /proc/sys/kernel/sysrq 2>/dev/null && echo yes || echo no)"',
].join('; ');

function probe(run: (args: readonly string[]) => { code: number | null; stdout: string; stderr: string }, flags: readonly string[]): Set<string> {
  const result = run(['run', '--rm', '--network', 'none', ...flags, IMAGE, 'sh', '-c', PROBE]);
  assert.equal(result.code, 0, result.stderr);
  const facts = new Set(result.stdout.split('\n').map((line) => line.trim()).filter(Boolean));
  assert.ok(facts.has('Seccomp: 2') || facts.has('Seccomp: 0'), `the probe saw its status: ${result.stdout}`);
  assert.ok([...facts].some((fact) => /^masked \S+ \S+/.test(fact)) || flags.includes('systempaths=unconfined'), `the probe saw its mounts: ${result.stdout}`);
  return facts;
}

function sameFacts(flags: readonly string[]): void {
  const docker = probe(dockerd, flags);
  const berth = probe(engine.docker, flags);
  const onlyDocker = [...docker].filter((fact) => !berth.has(fact));
  const onlyBerth = [...berth].filter((fact) => !docker.has(fact));
  // A path dockerd's (older) defaults leave unmasked may be masked by berth's (newer) ones: never the other way.
  const newer = onlyDocker.filter((fact) => /^masked \S+ $/.test(fact) && onlyBerth.some((other) => other.startsWith(`${fact}`)));
  assert.deepEqual(
    { onlyDocker: onlyDocker.filter((fact) => !newer.includes(fact)), onlyBerth: onlyBerth.filter((fact) => !newer.some((prefix) => fact.startsWith(prefix))) },
    { onlyDocker: [], onlyBerth: [] },
    `what the probe saw differs (flags: ${flags.join(' ') || 'none'})`,
  );
}

test('by default, a container sees the same confinement on both engines', () => sameFacts([]));

test('with no-new-privileges, cap_drop/cap_add and limits, both engines confine alike', () => {
  sameFacts(['--security-opt', 'no-new-privileges', '--cap-drop', 'NET_RAW', '--cap-add', 'SYS_PTRACE', '--memory', '64m', '--pids-limit', '40', '--cpus', '0.5', '--cpu-shares', '512']);
});

test('with seccomp=unconfined, and with systempaths=unconfined, both engines agree', () => {
  sameFacts(['--security-opt', 'seccomp=unconfined']);
  sameFacts(['--security-opt', 'systempaths=unconfined']);
});

test('the engine\'s socket is 0660 and root\'s group, as dockerd\'s is without a docker group', () => {
  const info = statSync(engine.socket);
  assert.equal(info.mode & 0o777, 0o660);
  assert.equal(info.gid, 0);
  assert.equal(info.uid, 0);
});

/** Whether something accepts TCP connections at host:port (within a second). */
function reachable(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

test('a port published on 127.0.0.1 is reachable there and not on the engine\'s other host addresses', async () => {
  for (const [name, run] of [['dockerd', dockerd], ['berth', engine.docker]] as const) {
    const port = await freePort();
    const id = run(['run', '-d', '-p', `127.0.0.1:${port}:8080`, IMAGE, 'httpd', '-f', '-p', '8080']).stdout.trim();
    assert.ok(id, `${name}: the container runs`);
    try {
      // The default bridge's gateway: an address of this host that the engine itself made.
      const [given = '', subnet = ''] = run(['network', 'inspect', '-f', '{{range .IPAM.Config}}{{.Gateway}}|{{.Subnet}}{{end}}', 'bridge']).stdout.trim().split('|');
      // dockerd's default bridge may list only its subnet: the gateway is its first address.
      const gateway = given || subnet.replace(/\.0\/\d+$/, '.1');
      assert.match(gateway, /^\d+\.\d+\.\d+\.\d+$/, `${name}: the bridge has a gateway`);
      let served = false;
      for (let attempt = 0; attempt < 50 && !served; attempt++) {
        served = await reachable('127.0.0.1', port);
        if (!served) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      assert.ok(served, `${name}: 127.0.0.1:${port} serves`);
      assert.equal(await reachable(gateway, port), false, `${name}: ${gateway}:${port} must not be reachable`);
    } finally {
      run(['rm', '-f', id]);
    }
  }
});
