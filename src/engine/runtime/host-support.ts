// What this host's kernel lets a container have: cgroup controllers and files, AppArmor. Read once; the field table
// refuses what the host cannot give, as dockerd's sysinfo check does (dockerd drops such settings with a warning;
// berth's engine answers with a 400 that names them, never silence).
import { existsSync, readFileSync } from 'node:fs';

export interface HostSupport {
  readonly cgroupVersion: 1 | 2;
  readonly blkioWeight: boolean;
  readonly blkioThrottle: boolean;
  readonly memorySwappiness: boolean;
  readonly oomKillDisable: boolean;
  readonly cpusetMems: boolean;
  readonly apparmor: boolean;
}

let probed: HostSupport | undefined;

export function hostSupport(root = '/sys'): HostSupport {
  if (probed && root === '/sys') return probed;
  const cgroup = `${root}/fs/cgroup`;
  const v2 = existsSync(`${cgroup}/cgroup.controllers`);
  const controllers = v2 ? readOr(`${cgroup}/cgroup.controllers`) : '';
  const support: HostSupport = v2
    ? {
        cgroupVersion: 2,
        blkioWeight: controllers.includes('io') && (existsSync(`${cgroup}/io.weight`) || existsSync(`${cgroup}/io.bfq.weight`) || controllers.split(/\s+/).includes('io')),
        blkioThrottle: controllers.split(/\s+/).includes('io'),
        memorySwappiness: false,
        oomKillDisable: false,
        cpusetMems: controllers.split(/\s+/).includes('cpuset'),
        apparmor: apparmorEnabled(root),
      }
    : {
        cgroupVersion: 1,
        blkioWeight: existsSync(`${cgroup}/blkio/blkio.weight`) || existsSync(`${cgroup}/blkio/blkio.bfq.weight`),
        blkioThrottle: existsSync(`${cgroup}/blkio/blkio.throttle.read_bps_device`),
        memorySwappiness: existsSync(`${cgroup}/memory/memory.swappiness`),
        oomKillDisable: existsSync(`${cgroup}/memory/memory.oom_control`),
        cpusetMems: existsSync(`${cgroup}/cpuset/cpuset.mems`),
        apparmor: apparmorEnabled(root),
      };
  if (root === '/sys') probed = support;
  return support;
}

function apparmorEnabled(root: string): boolean {
  return readOr(`${root}/module/apparmor/parameters/enabled`).trim().startsWith('Y') && existsSync(`${root}/kernel/security/apparmor`);
}

function readOr(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}
