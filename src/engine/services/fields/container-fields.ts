// The field table of `POST /containers/create`: ContainerConfig, HostConfig (with Resources) and NetworkingConfig,
// every field the reference swagger defines (fields.test.ts checks), and what berth's engine does with it.
import type { HostSupport } from '../../runtime/host-support.js';
import { blockDevice, deviceCgroupRule, hostDevice } from '../../runtime/devices.js';
import { securityOptionProblem } from '../../runtime/security-opt.js';
import { honoured, ignored, refused } from './rules.js';
import type { FieldTable } from './rules.js';

const INSPECT = 'operational data that inspect reports; dockerd does not read it in a request either';
const WINDOWS = 'a Windows setting (dockerd refuses it on Linux too)';
const RECORD = 'container record (shown by inspect)';

const oneOf = (values: readonly string[], what: string) => (value: string): string | undefined =>
  values.includes(value) ? undefined : `${what} "${value}" is not supported by berth's engine (${values.filter(Boolean).map((item) => `"${item}"`).join(', ')} are)`;

const blockProblem = (path: string): string | undefined => {
  const device = blockDevice(path);
  return typeof device === 'string' ? device : undefined;
};
const deviceProblem = (path: string): string | undefined => {
  const device = hostDevice(path);
  return typeof device === 'string' ? device : undefined;
};

const noDotDot = (value: string): string | undefined => (value.split('/').includes('..') ? `"${value}" must not contain ".." components` : undefined);

/** The table, given what this host's kernel supports (settings it cannot give are refused, naming the host's lack). */
export function containerFields(host: HostSupport): FieldTable {
  const needs = (supported: boolean, what: string) => (): string | undefined => (supported ? undefined : `this host's kernel does not support ${what}`);
  return {
    // ContainerConfig
    Hostname: honoured('runtime/spec.ts (UTS namespace)'),
    Domainname: honoured('runtime/spec.ts (UTS namespace)'),
    User: honoured('services (the image\'s /etc/passwd and /etc/group) -> runtime/spec.ts'),
    AttachStdin: honoured(`${RECORD}; what an attach receives is chosen by the attach request, as in dockerd`),
    AttachStdout: honoured(`${RECORD}; what an attach receives is chosen by the attach request, as in dockerd`),
    AttachStderr: honoured(`${RECORD}; what an attach receives is chosen by the attach request, as in dockerd`),
    ExposedPorts: honoured('services (PublishAllPorts, inspect)'),
    'ExposedPorts.*': ignored('the value of an exposed port is an empty object by definition'),
    Tty: honoured('runtime (a terminal through the monitor)'),
    OpenStdin: honoured('runtime (stdin through the monitor)'),
    StdinOnce: honoured('server/upgrade.ts (stdin closed after the first attach ends)'),
    Env: honoured('runtime/spec.ts'),
    Cmd: honoured('services (merged with the image\'s) -> runtime/spec.ts'),
    Healthcheck: honoured('services/health.ts'),
    'Healthcheck.Test': honoured('services/health.ts'),
    'Healthcheck.Interval': honoured('services/health.ts'),
    'Healthcheck.Timeout': honoured('services/health.ts'),
    'Healthcheck.Retries': honoured('services/health.ts'),
    'Healthcheck.StartPeriod': honoured('services/health.ts'),
    'Healthcheck.StartInterval': honoured('services/health.ts'),
    ArgsEscaped: ignored('a Windows setting; dockerd ignores it on Linux'),
    Image: honoured('services/images.ts (the image is resolved from the engine\'s store)'),
    Volumes: honoured('services (an anonymous volume for each path)'),
    'Volumes.*': ignored('the value of a volume path is an empty object by definition'),
    WorkingDir: honoured('runtime/spec.ts'),
    Entrypoint: honoured('services (merged with the image\'s) -> runtime/spec.ts'),
    NetworkDisabled: refused('disabling the network of a container (use NetworkMode "none")'),
    MacAddress: refused('the container-level MacAddress of API < 1.44: set the endpoint\'s MacAddress in NetworkingConfig'),
    OnBuild: ignored('build triggers of an image; dockerd keeps them in a container\'s config and never runs them'),
    Labels: honoured(RECORD),
    StopSignal: honoured('services (stop, kill)'),
    StopTimeout: honoured('services (stop)'),
    Shell: ignored('the shell of the builder\'s RUN instructions; dockerd never reads it for a container'),

    // HostConfig: Resources
    HostConfig: honoured('services and runtime/spec.ts, field by field below'),
    'HostConfig.CpuShares': honoured('runtime/spec.ts (cpu.shares)'),
    'HostConfig.Memory': honoured('runtime/spec.ts (memory limit)'),
    'HostConfig.CgroupParent': honoured('runtime/spec.ts (the container\'s cgroup path)', noDotDot),
    'HostConfig.BlkioWeight': honoured('runtime/spec.ts (blkio weight)', needs(host.blkioWeight, 'block I/O weights (no blkio.weight or io.weight)')),
    'HostConfig.BlkioWeightDevice': honoured('runtime/spec.ts (blkio weight per device)', needs(host.blkioWeight, 'block I/O weights (no blkio.weight or io.weight)')),
    'HostConfig.BlkioWeightDevice[].Path': honoured('runtime/spec.ts (the device\'s numbers)', blockProblem),
    'HostConfig.BlkioWeightDevice[].Weight': honoured('runtime/spec.ts'),
    'HostConfig.BlkioDeviceReadBps': honoured('runtime/spec.ts (blkio throttling)', needs(host.blkioThrottle, 'block I/O throttling')),
    'HostConfig.BlkioDeviceReadBps[].Path': honoured('runtime/spec.ts (the device\'s numbers)', blockProblem),
    'HostConfig.BlkioDeviceReadBps[].Rate': honoured('runtime/spec.ts'),
    'HostConfig.BlkioDeviceWriteBps': honoured('runtime/spec.ts (blkio throttling)', needs(host.blkioThrottle, 'block I/O throttling')),
    'HostConfig.BlkioDeviceWriteBps[].Path': honoured('runtime/spec.ts (the device\'s numbers)', blockProblem),
    'HostConfig.BlkioDeviceWriteBps[].Rate': honoured('runtime/spec.ts'),
    'HostConfig.BlkioDeviceReadIOps': honoured('runtime/spec.ts (blkio throttling)', needs(host.blkioThrottle, 'block I/O throttling')),
    'HostConfig.BlkioDeviceReadIOps[].Path': honoured('runtime/spec.ts (the device\'s numbers)', blockProblem),
    'HostConfig.BlkioDeviceReadIOps[].Rate': honoured('runtime/spec.ts'),
    'HostConfig.BlkioDeviceWriteIOps': honoured('runtime/spec.ts (blkio throttling)', needs(host.blkioThrottle, 'block I/O throttling')),
    'HostConfig.BlkioDeviceWriteIOps[].Path': honoured('runtime/spec.ts (the device\'s numbers)', blockProblem),
    'HostConfig.BlkioDeviceWriteIOps[].Rate': honoured('runtime/spec.ts'),
    'HostConfig.CpuPeriod': honoured('runtime/spec.ts (CFS period)'),
    'HostConfig.CpuQuota': honoured('runtime/spec.ts (CFS quota)'),
    'HostConfig.CpuRealtimePeriod': refused('real-time CPU scheduling (it needs the engine to manage the cpu.rt_* budget of its parent cgroups)'),
    'HostConfig.CpuRealtimeRuntime': refused('real-time CPU scheduling (it needs the engine to manage the cpu.rt_* budget of its parent cgroups)'),
    'HostConfig.CpusetCpus': honoured('runtime/spec.ts (cpuset.cpus)'),
    'HostConfig.CpusetMems': honoured('runtime/spec.ts (cpuset.mems)', needs(host.cpusetMems, 'cpuset memory nodes')),
    'HostConfig.Devices': honoured('runtime/spec.ts (the device node and its cgroup rule)'),
    'HostConfig.Devices[].PathOnHost': honoured('runtime/spec.ts', deviceProblem),
    'HostConfig.Devices[].PathInContainer': honoured('runtime/spec.ts', (value: string) => (value.startsWith('/') ? undefined : `"${value}" is not an absolute path`)),
    'HostConfig.Devices[].CgroupPermissions': honoured('runtime/spec.ts', (value: string) => (/^[rwm]*$/.test(value) ? undefined : `invalid device permissions "${value}" (any of r, w, m)`)),
    'HostConfig.DeviceCgroupRules': honoured('runtime/spec.ts (device cgroup rules)', (value: string[]) => value.map(deviceCgroupRule).find((rule): rule is string => typeof rule === 'string')),
    'HostConfig.DeviceRequests': refused('device requests (GPUs and CDI devices need a device driver berth\'s engine does not have)'),
    'HostConfig.DeviceRequests[].Driver': refused('device requests'),
    'HostConfig.DeviceRequests[].Count': refused('device requests'),
    'HostConfig.DeviceRequests[].DeviceIDs': refused('device requests'),
    'HostConfig.DeviceRequests[].Capabilities': refused('device requests'),
    'HostConfig.DeviceRequests[].Options': refused('device requests'),
    'HostConfig.MemoryReservation': honoured('runtime/spec.ts (memory soft limit)'),
    'HostConfig.MemorySwap': honoured('runtime/spec.ts (memory+swap limit)'),
    'HostConfig.MemorySwappiness': honoured('runtime/spec.ts (memory.swappiness)', (value: number) => (value === -1 || host.memorySwappiness ? undefined : `this host's kernel does not support memory swappiness (cgroup v${host.cgroupVersion})`)),
    'HostConfig.NanoCpus': honoured('runtime/spec.ts (CFS quota over a 100 ms period)'),
    'HostConfig.OomKillDisable': honoured('runtime/spec.ts (memory.oom_control)', (value: boolean) => (!value || host.oomKillDisable ? undefined : `this host's kernel cannot disable the OOM killer (cgroup v${host.cgroupVersion})`)),
    'HostConfig.Init': honoured('runtime/spec.ts (tini as /sbin/docker-init)'),
    'HostConfig.PidsLimit': honoured('runtime/spec.ts (pids.max)'),
    'HostConfig.Ulimits': honoured('runtime/spec.ts (rlimits)'),
    'HostConfig.Ulimits[].Name': honoured('runtime/spec.ts', (value: string) => (ULIMITS.includes(value) ? undefined : `invalid ulimit type: ${value}`)),
    'HostConfig.Ulimits[].Soft': honoured('runtime/spec.ts'),
    'HostConfig.Ulimits[].Hard': honoured('runtime/spec.ts'),
    'HostConfig.CpuCount': refused(WINDOWS),
    'HostConfig.CpuPercent': refused(WINDOWS),
    'HostConfig.IOMaximumIOps': refused(WINDOWS),
    'HostConfig.IOMaximumBandwidth': refused(WINDOWS),

    // HostConfig
    'HostConfig.Binds': honoured('services/container-record.ts (binds and named volumes)'),
    'HostConfig.ContainerIDFile': ignored('the docker CLI writes that file itself; dockerd never reads the field'),
    'HostConfig.LogConfig': honoured('services/logs.ts (json-file)'),
    'HostConfig.LogConfig.Type': honoured('services/logs.ts', oneOf(['', 'json-file'], 'log driver')),
    'HostConfig.LogConfig.Config': refused('log driver options (max-size, max-file, ...): the json-file log is not rotated yet'),
    'HostConfig.NetworkMode': honoured('services/endpoints.ts (bridge networks, host, none, container:)'),
    'HostConfig.PortBindings': honoured('services/port-proxy.ts'),
    'HostConfig.PortBindings.*': honoured('services/port-proxy.ts'),
    'HostConfig.PortBindings.*[].HostIp': honoured('services/port-proxy.ts'),
    'HostConfig.PortBindings.*[].HostPort': honoured('services/port-proxy.ts'),
    'HostConfig.RestartPolicy': honoured('services (restart with Docker\'s backoff)'),
    'HostConfig.RestartPolicy.Name': honoured('services'),
    'HostConfig.RestartPolicy.MaximumRetryCount': honoured('services'),
    'HostConfig.AutoRemove': honoured('services (removed when it stops)'),
    'HostConfig.VolumeDriver': honoured('services/volumes.ts', oneOf(['', 'local'], 'volume driver')),
    'HostConfig.VolumesFrom': honoured('services (the other container\'s mounts)'),
    'HostConfig.Mounts': honoured('services/container-record.ts'),
    'HostConfig.Mounts[].Target': honoured('services/container-record.ts'),
    'HostConfig.Mounts[].Source': honoured('services/container-record.ts'),
    'HostConfig.Mounts[].Type': honoured('services/container-record.ts', oneOf(['bind', 'volume', 'tmpfs'], 'mount type')),
    'HostConfig.Mounts[].ReadOnly': honoured('runtime/spec.ts'),
    'HostConfig.Mounts[].Consistency': ignored('a Docker Desktop setting for macOS file sharing; dockerd ignores it on Linux'),
    'HostConfig.Mounts[].BindOptions': honoured('services/container-record.ts'),
    'HostConfig.Mounts[].BindOptions.Propagation': honoured('runtime/spec.ts'),
    'HostConfig.Mounts[].BindOptions.NonRecursive': refused('non-recursive bind mounts'),
    'HostConfig.Mounts[].BindOptions.CreateMountpoint': honoured('services/container-record.ts'),
    'HostConfig.Mounts[].BindOptions.ReadOnlyNonRecursive': refused('choosing how read-only binds apply to their submounts'),
    'HostConfig.Mounts[].BindOptions.ReadOnlyForceRecursive': refused('choosing how read-only binds apply to their submounts'),
    'HostConfig.Mounts[].VolumeOptions': honoured('services/container-record.ts'),
    'HostConfig.Mounts[].VolumeOptions.NoCopy': honoured('services (no copy-up)'),
    'HostConfig.Mounts[].VolumeOptions.Labels': honoured('services/volumes.ts'),
    'HostConfig.Mounts[].VolumeOptions.DriverConfig': honoured('services/volumes.ts'),
    'HostConfig.Mounts[].VolumeOptions.DriverConfig.Name': honoured('services/volumes.ts', oneOf(['', 'local'], 'volume driver')),
    'HostConfig.Mounts[].VolumeOptions.DriverConfig.Options': honoured('services/volumes.ts (type, o, device)'),
    'HostConfig.Mounts[].VolumeOptions.Subpath': honoured('services/volumes.ts'),
    'HostConfig.Mounts[].ImageOptions': refused('image mounts'),
    'HostConfig.Mounts[].ImageOptions.Subpath': refused('image mounts'),
    'HostConfig.Mounts[].TmpfsOptions': honoured('runtime/spec.ts'),
    'HostConfig.Mounts[].TmpfsOptions.SizeBytes': honoured('runtime/spec.ts'),
    'HostConfig.Mounts[].TmpfsOptions.Mode': honoured('runtime/spec.ts'),
    'HostConfig.Mounts[].TmpfsOptions.Options': refused('extra tmpfs mount options'),
    'HostConfig.ConsoleSize': honoured('runtime/spec.ts (the terminal\'s first size)'),
    'HostConfig.Annotations': honoured('runtime/spec.ts (OCI annotations)'),
    'HostConfig.CapAdd': honoured('runtime/spec.ts', (value: string[]) => unknownCapability(value)),
    'HostConfig.CapDrop': honoured('runtime/spec.ts', (value: string[]) => unknownCapability(value)),
    'HostConfig.CgroupnsMode': honoured('runtime/spec.ts (a cgroup namespace, or the host\'s)'),
    'HostConfig.Dns': honoured('services/endpoints.ts (resolv.conf)'),
    'HostConfig.DnsOptions': honoured('services/endpoints.ts (resolv.conf)'),
    'HostConfig.DnsSearch': honoured('services/endpoints.ts (resolv.conf)'),
    'HostConfig.ExtraHosts': honoured('services/endpoints.ts (hosts)'),
    'HostConfig.GroupAdd': honoured('services (the image\'s /etc/group) -> runtime/spec.ts'),
    'HostConfig.IpcMode': honoured('runtime/spec.ts', oneOf(['', 'private', 'shareable', 'host'], 'IpcMode')),
    'HostConfig.Cgroup': refused('sharing another container\'s cgroup'),
    'HostConfig.Links': honoured('services/endpoints.ts (legacy links in /etc/hosts; their variables on the default bridge, link-env.ts)'),
    'HostConfig.OomScoreAdj': honoured('runtime/spec.ts'),
    'HostConfig.PidMode': honoured('runtime/spec.ts', oneOf(['', 'host'], 'PidMode')),
    'HostConfig.Privileged': honoured('runtime/spec.ts'),
    'HostConfig.PublishAllPorts': honoured('services/port-proxy.ts'),
    'HostConfig.ReadonlyRootfs': honoured('runtime/spec.ts'),
    'HostConfig.SecurityOpt': honoured('runtime/spec.ts (no-new-privileges, seccomp, apparmor, label, systempaths)', (value: string[]) => securityOptionProblem(value, host)),
    'HostConfig.StorageOpt': refused('storage options (a size needs the engine\'s storage on xfs with project quotas, which berth\'s overlay store does not use)'),
    'HostConfig.Tmpfs': honoured('runtime/spec.ts'),
    'HostConfig.UTSMode': honoured('runtime/spec.ts', oneOf(['', 'host'], 'UTSMode')),
    'HostConfig.UsernsMode': honoured('runtime/spec.ts (the engine maps no users: "host" is its default)', oneOf(['', 'host'], 'UsernsMode')),
    'HostConfig.ShmSize': honoured('runtime/spec.ts (/dev/shm)'),
    'HostConfig.Sysctls': honoured('runtime/spec.ts'),
    'HostConfig.Runtime': honoured('runtime/runc.ts (runc is the one runtime)', oneOf(['', 'runc'], 'runtime')),
    'HostConfig.Isolation': honoured('runtime (namespaces: "default" on Linux)', oneOf(['', 'default'], 'isolation')),
    'HostConfig.MaskedPaths': honoured('runtime/spec.ts'),
    'HostConfig.ReadonlyPaths': honoured('runtime/spec.ts'),

    // NetworkingConfig
    NetworkingConfig: honoured('services/endpoints.ts'),
    'NetworkingConfig.EndpointsConfig': honoured('services/endpoints.ts'),
    ...endpointFields('NetworkingConfig.EndpointsConfig.*'),
  };
}

/** EndpointSettings, in a create's NetworkingConfig or a connect's EndpointConfig. */
export function endpointFields(prefix: string): FieldTable {
  return {
    [prefix]: honoured('services/endpoints.ts'),
    [`${prefix}.IPAMConfig`]: honoured('services/endpoints.ts'),
    [`${prefix}.IPAMConfig.IPv4Address`]: honoured('services/endpoints.ts (a fixed address)'),
    [`${prefix}.IPAMConfig.IPv6Address`]: refused('IPv6'),
    [`${prefix}.IPAMConfig.LinkLocalIPs`]: refused('link-local addresses'),
    [`${prefix}.Links`]: honoured('services/endpoints.ts'),
    [`${prefix}.MacAddress`]: honoured('services/endpoints.ts'),
    [`${prefix}.Aliases`]: honoured('services/dns-server.ts'),
    [`${prefix}.DriverOpts`]: refused('endpoint driver options'),
    [`${prefix}.GwPriority`]: refused('choosing the default gateway among networks'),
    [`${prefix}.NetworkID`]: ignored(INSPECT),
    [`${prefix}.EndpointID`]: ignored(INSPECT),
    [`${prefix}.Gateway`]: ignored(INSPECT),
    [`${prefix}.IPAddress`]: ignored(INSPECT),
    [`${prefix}.IPPrefixLen`]: ignored(INSPECT),
    [`${prefix}.IPv6Gateway`]: ignored(INSPECT),
    [`${prefix}.GlobalIPv6Address`]: ignored(INSPECT),
    [`${prefix}.GlobalIPv6PrefixLen`]: ignored(INSPECT),
    [`${prefix}.DNSNames`]: ignored(INSPECT),
  };
}

const ULIMITS = ['core', 'cpu', 'data', 'fsize', 'locks', 'memlock', 'msgqueue', 'nice', 'nofile', 'nproc', 'rss', 'rtprio', 'rttime', 'sigpending', 'stack', 'as'];

const CAPABILITIES = new Set([
  'ALL', 'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE',
  'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT',
  'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE',
  'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ',
  'PERFMON', 'BPF', 'CHECKPOINT_RESTORE',
]);

function unknownCapability(values: readonly string[]): string | undefined {
  const unknown = values.find((value) => !CAPABILITIES.has(value.toUpperCase().replace(/^CAP_/, '')));
  return unknown === undefined ? undefined : `unknown capability: "${unknown}"`;
}
