// A container's OCI runtime config: Docker's defaults (capabilities, masked and read-only paths, devices, seccomp)
// plus what its create request asks for. What the engine cannot honour yet was refused at create.
import { readFileSync } from 'node:fs';
import type { HostConfigBody } from '../../engine-api/containers.js';
import { blockDevice, deviceCgroupRule, hostDevice } from './devices.js';
import { hostSupport } from './host-support.js';
import type { HostSupport } from './host-support.js';
import { resolveSeccomp } from './seccomp.js';
import { parseSecurityOpt } from './security-opt.js';

type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let defaults: string | undefined;

function dockerDefaults(): Spec {
  defaults ??= readFileSync(new URL('./oci-defaults.json', import.meta.url), 'utf8');
  return JSON.parse(defaults) as Spec;
}

/**
 * What the spec reads of a container's record. Declared here, structurally, because the runtime imports nothing
 * from the services above it; a service's record fits it as it is.
 */
export interface ContainerToRun {
  readonly id: string;
  readonly hostname: string;
  readonly path: string;
  readonly args: readonly string[];
  readonly config: { readonly Env?: readonly string[] | null; readonly WorkingDir?: string; readonly Tty?: boolean; readonly Domainname?: string };
  readonly hostConfig: RuntimeHostSettings;
}

/** The `HostConfig` settings the spec applies (the create request was checked against what the engine honours). */
export type RuntimeHostSettings = HostConfigBody;

export interface SpecInputs {
  readonly record: ContainerToRun;
  readonly rootfs: string;
  /** User and group ids the image's /etc/passwd and /etc/group give the container's user. */
  readonly user: { readonly uid: number; readonly gid: number; readonly additionalGids: readonly number[] };
  /** Files the engine provides (hosts, hostname, resolv.conf) -> path on the host. */
  readonly etcFiles: Readonly<Record<string, string>>;
  /** The init program (`tini-static`) mounted as /sbin/docker-init when the request asks for `Init`. */
  readonly init?: string;
  readonly hostRlimitNofile: number;
  /** The network namespace to join (a prepared one, or another container's); none: a new, empty one. */
  readonly networkNamespace?: string;
  /** The container's binds and volumes, their host paths resolved (a volume's data, or its subpath). */
  readonly mounts: ReadonlyArray<{ readonly source: string; readonly target: string; readonly readOnly: boolean; readonly propagation?: string }>;
  /** What the host's kernel supports (probed when not given; tests give it). */
  readonly host?: HostSupport;
}

const ALL_CAPABILITIES = [
  'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID', 'CAP_SETUID',
  'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST', 'CAP_NET_ADMIN', 'CAP_NET_RAW',
  'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO', 'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE', 'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD',
  'CAP_LEASE', 'CAP_AUDIT_WRITE', 'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG',
  'CAP_WAKE_ALARM', 'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
];

function capabilityName(name: string): string {
  const upper = name.toUpperCase();
  return upper.startsWith('CAP_') ? upper : `CAP_${upper}`;
}

/**
 * "All capabilities" for privileged containers and execs: those in the engine's own bounding set (the list is in
 * capability-number order), since runc cannot give what the engine does not have (in a container, say).
 */
let hostCapabilities: string[] | undefined;
function allCapabilities(): string[] {
  if (!hostCapabilities) {
    const bounding = /^CapBnd:\s*([0-9a-f]+)/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1];
    const bits = bounding ? BigInt(`0x${bounding}`) : -1n;
    hostCapabilities = ALL_CAPABILITIES.filter((_name, index) => (bits >> BigInt(index)) & 1n);
  }
  return [...hostCapabilities];
}

/** The process capabilities of a privileged exec: all of them, in every set (as dockerd gives them). */
export function privilegedCapabilities(): Record<'bounding' | 'effective' | 'permitted' | 'inheritable' | 'ambient', string[]> {
  const all = allCapabilities();
  return { bounding: all, effective: all, permitted: all, inheritable: all, ambient: all };
}

export function buildSpec(inputs: SpecInputs): Spec {
  const { record } = inputs;
  const config = record.config;
  const host = record.hostConfig;
  const spec = dockerDefaults();
  const proc = spec.process;
  proc.args = [...(record.path === '' ? [] : [record.path]), ...record.args];
  if (host.Init && inputs.init) {
    // As docker does: a small init reaps zombies and passes signals on; the command runs under it.
    proc.args = ['/sbin/docker-init', '--', ...proc.args];
    spec.mounts.push({ destination: '/sbin/docker-init', type: 'bind', source: inputs.init, options: ['rbind', 'ro', 'rprivate'] });
  }
  proc.env = config.Env ?? [];
  if (!proc.env.some((entry: string) => entry.startsWith('PATH='))) proc.env.unshift('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
  proc.env = proc.env.filter((entry: string) => !entry.startsWith('HOSTNAME='));
  proc.env.push(`HOSTNAME=${record.hostname}`);
  proc.cwd = config.WorkingDir || '/';
  proc.terminal = Boolean(config.Tty);
  if (config.Tty && !proc.env.some((entry: string) => entry.startsWith('TERM='))) proc.env.push('TERM=xterm');
  proc.user = { uid: inputs.user.uid, gid: inputs.user.gid, ...(inputs.user.additionalGids.length > 0 ? { additionalGids: [...inputs.user.additionalGids] } : {}) };
  proc.rlimits = [{ type: 'RLIMIT_NOFILE', hard: inputs.hostRlimitNofile, soft: Math.min(1048576, inputs.hostRlimitNofile) }];
  for (const limit of host.Ulimits ?? []) {
    const type = `RLIMIT_${limit.Name.toUpperCase()}`;
    // Never above what the host allows: runc would refuse to start.
    const cap = (value: number): number => (limit.Name === 'nofile' ? Math.min(value, inputs.hostRlimitNofile) : value);
    proc.rlimits = proc.rlimits.filter((entry: { type: string }) => entry.type !== type);
    proc.rlimits.push({ type, hard: cap(limit.Hard ?? 0), soft: cap(limit.Soft ?? 0) });
  }

  let capabilities: string[] = host.Privileged ? allCapabilities() : [...proc.capabilities.bounding];
  if (!host.Privileged) {
    const add = (host.CapAdd ?? []).map(capabilityName);
    const drop = (host.CapDrop ?? []).map(capabilityName);
    if (add.includes('CAP_ALL')) capabilities = allCapabilities();
    else capabilities = [...new Set([...capabilities, ...add])];
    capabilities = drop.includes('CAP_ALL') ? capabilities.filter((cap) => add.includes(cap)) : capabilities.filter((cap) => !drop.includes(cap));
  }
  proc.capabilities = { bounding: capabilities, effective: capabilities, permitted: capabilities };
  if (host.OomScoreAdj) proc.oomScoreAdj = host.OomScoreAdj;
  const security = parseSecurityOpt(host.SecurityOpt ?? [], inputs.host ?? hostSupport());
  if (security.noNewPrivileges) proc.noNewPrivileges = true;
  if (security.apparmor && !host.Privileged) proc.apparmorProfile = security.apparmor;
  const [height = 0, width = 0] = host.ConsoleSize ?? [];
  if (config.Tty && height > 0 && width > 0) proc.consoleSize = { height, width };

  spec.root = { path: inputs.rootfs, readonly: Boolean(host.ReadonlyRootfs) };
  spec.hostname = record.hostname;
  if (config.Domainname) spec.domainname = config.Domainname;
  if (host.Annotations && Object.keys(host.Annotations).length > 0) spec.annotations = { ...host.Annotations };

  const linux = spec.linux;
  linux.cgroupsPath = `${cgroupParent(host.CgroupParent)}/${record.id}`;
  if (host.UTSMode === 'host') {
    // The host's hostname is the container's: nothing to set.
    linux.namespaces = linux.namespaces.filter((ns: { type: string }) => ns.type !== 'uts');
    delete spec.hostname;
    delete spec.domainname;
  }
  // As dockerd: a cgroup namespace of its own on cgroup v2 (and when asked), the host's on v1 unless asked.
  const cgroupVersion = (inputs.host ?? hostSupport()).cgroupVersion;
  const cgroupNamespace = host.CgroupnsMode === 'private' || (host.CgroupnsMode !== 'host' && cgroupVersion === 2 && !host.Privileged);
  linux.namespaces = linux.namespaces.filter((ns: { type: string }) => ns.type !== 'cgroup');
  if (cgroupNamespace) linux.namespaces.push({ type: 'cgroup' });
  if (host.NetworkMode === 'host') linux.namespaces = linux.namespaces.filter((ns: { type: string }) => ns.type !== 'network' && ns.type !== 'uts');
  if (inputs.networkNamespace) {
    linux.namespaces = linux.namespaces.map((ns: { type: string }) => (ns.type === 'network' ? { type: 'network', path: inputs.networkNamespace } : ns));
  }
  if (host.PidMode === 'host') linux.namespaces = linux.namespaces.filter((ns: { type: string }) => ns.type !== 'pid');
  if (host.IpcMode === 'host') linux.namespaces = linux.namespaces.filter((ns: { type: string }) => ns.type !== 'ipc');
  if (host.Privileged) {
    linux.maskedPaths = [];
    linux.readonlyPaths = [];
    delete linux.seccomp;
    linux.resources.devices = [{ allow: true, access: 'rwm' }];
    spec.mounts = spec.mounts.map((mount: { destination: string; options: string[] }) =>
      mount.destination === '/sys' || mount.destination === '/sys/fs/cgroup' ? { ...mount, options: mount.options.filter((option) => option !== 'ro') } : mount,
    );
  }
  // Docker's profile (or the one the request carries), resolved for this container's capabilities (cap_add can
  // allow more system calls); none for a privileged container or with seccomp=unconfined, as dockerd.
  if (host.Privileged || security.seccomp === 'unconfined') delete linux.seccomp;
  else linux.seccomp = resolveSeccomp(capabilities, undefined, security.seccomp);
  if (!host.Privileged) {
    if (host.MaskedPaths) linux.maskedPaths = [...host.MaskedPaths];
    if (host.ReadonlyPaths) linux.readonlyPaths = [...host.ReadonlyPaths];
    if (security.unconfinedSystemPaths) {
      linux.maskedPaths = [];
      linux.readonlyPaths = [];
    }
  }
  if (security.writableCgroups !== undefined) {
    spec.mounts = spec.mounts.map((mount: { destination: string; options: string[] }) =>
      mount.destination === '/sys/fs/cgroup' ? { ...mount, options: [...mount.options.filter((option) => option !== 'ro' && option !== 'rw'), security.writableCgroups ? 'rw' : 'ro'] } : mount,
    );
  }
  const sysctl = { ...linux.sysctl, ...(host.Sysctls ?? {}) };
  if (host.NetworkMode === 'host') {
    // The host's network namespace is not the container's to tune.
    for (const key of Object.keys(sysctl)) if (key.startsWith('net.')) delete sysctl[key];
  }
  linux.sysctl = sysctl;

  const resources = linux.resources;
  const memory: Record<string, unknown> = {};
  if (host.Memory) memory.limit = host.Memory;
  if (host.MemoryReservation) memory.reservation = host.MemoryReservation;
  if (host.MemorySwap) memory.swap = host.MemorySwap;
  if (host.MemorySwappiness !== undefined && host.MemorySwappiness >= 0) memory.swappiness = host.MemorySwappiness;
  if (host.OomKillDisable) memory.disableOOMKiller = true;
  if (Object.keys(memory).length > 0) resources.memory = memory;
  const cpu: Record<string, unknown> = {};
  if (host.CpuShares) cpu.shares = host.CpuShares;
  if (host.NanoCpus) {
    cpu.period = 100000;
    cpu.quota = Math.round((host.NanoCpus / 1e9) * 100000);
  }
  if (host.CpuQuota) cpu.quota = host.CpuQuota;
  if (host.CpuPeriod) cpu.period = host.CpuPeriod;
  if (host.CpusetCpus) cpu.cpus = host.CpusetCpus;
  if (host.CpusetMems) cpu.mems = host.CpusetMems;
  if (Object.keys(cpu).length > 0) resources.cpu = cpu;
  if (host.PidsLimit && host.PidsLimit > 0) resources.pids = { limit: host.PidsLimit };
  const blockIO = blkio(host);
  if (Object.keys(blockIO).length > 0) resources.blockIO = blockIO;
  if (!host.Privileged) addDevices(linux, host);

  if (host.ShmSize) {
    spec.mounts = spec.mounts.map((mount: { destination: string; options: string[] }) =>
      mount.destination === '/dev/shm' ? { ...mount, options: [...mount.options.filter((option) => !option.startsWith('size=')), `size=${host.ShmSize}`] } : mount,
    );
  }
  for (const [destination, source] of Object.entries(inputs.etcFiles)) {
    spec.mounts.push({ destination, type: 'bind', source, options: ['rbind', 'rprivate'] });
  }
  for (const bind of inputs.mounts) {
    spec.mounts.push({
      destination: bind.target,
      type: 'bind',
      source: bind.source,
      options: ['rbind', bind.readOnly ? 'ro' : 'rw', bind.propagation ?? 'rprivate'],
    });
  }
  for (const [target, options] of Object.entries(host.Tmpfs ?? {})) {
    spec.mounts.push({ destination: target, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'noexec', ...(options ? options.split(',') : [])] });
  }
  return spec;
}

/** The cgroup the container's own goes under: `/berth` by default, else `CgroupParent` (as dockerd's cgroupfs driver). */
function cgroupParent(parent: string | undefined): string {
  if (!parent) return '/berth';
  const clean = parent.split('/').filter((part) => part !== '' && part !== '.').join('/');
  return `/${clean}`;
}

/** What a device path must be (the field table refused it at create otherwise; a device gone since is an error). */
function mustDevice<T>(found: T | string): T {
  if (typeof found === 'string') throw new Error(found);
  return found;
}

/** `Blkio*`: the weight and per-device weights and throttles, devices named by their numbers. */
function blkio(host: RuntimeHostSettings): Record<string, unknown> {
  const blockIO: Record<string, unknown> = {};
  if (host.BlkioWeight) blockIO.weight = host.BlkioWeight;
  const numbers = (path: string | undefined): { major: number; minor: number } => {
    const { major, minor } = mustDevice(blockDevice(path ?? ''));
    return { major, minor };
  };
  const weights = (host.BlkioWeightDevice ?? []).map((entry) => ({ ...numbers(entry.Path), weight: entry.Weight ?? 0 }));
  if (weights.length > 0) blockIO.weightDevice = weights;
  const throttles = { throttleReadBpsDevice: host.BlkioDeviceReadBps, throttleWriteBpsDevice: host.BlkioDeviceWriteBps, throttleReadIOPSDevice: host.BlkioDeviceReadIOps, throttleWriteIOPSDevice: host.BlkioDeviceWriteIOps };
  for (const [key, list] of Object.entries(throttles)) {
    const entries = (list ?? []).map((entry) => ({ ...numbers(entry.Path), rate: entry.Rate ?? 0 }));
    if (entries.length > 0) blockIO[key] = entries;
  }
  return blockIO;
}

/** `Devices` (the node in the container and its cgroup rule) and `DeviceCgroupRules`. */
function addDevices(linux: Spec, host: RuntimeHostSettings): void {
  linux.devices ??= [];
  for (const device of host.Devices ?? []) {
    const found = mustDevice(hostDevice(device.PathOnHost ?? ''));
    linux.devices.push({ path: device.PathInContainer || device.PathOnHost, type: found.type, major: found.major, minor: found.minor, fileMode: found.mode, uid: 0, gid: 0 });
    linux.resources.devices.push({ allow: true, type: found.type, major: found.major, minor: found.minor, access: device.CgroupPermissions || 'rwm' });
  }
  for (const text of host.DeviceCgroupRules ?? []) linux.resources.devices.push(mustDevice(deviceCgroupRule(text)));
}
