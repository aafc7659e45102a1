// The body of `POST /containers/create`: ContainerConfig with HostConfig and NetworkingConfig, field for field as
// engine-api-v1.swagger.yaml defines them (the field table's test holds the two together).
import { any, boolean, integer, LIMITS, list, map, name, object, path, required, string, stringOrList } from './describe.js';
import type { WireType } from './describe.js';
import { EndpointSettings, NetworkingConfig } from './networks.js';

const strings = (): ReturnType<typeof list<string>> => list(string());
const labels = (): ReturnType<typeof map<string>> => map(string());
/** Nanoseconds, bytes, counts: int64 on the wire. */
const int64 = integer;

export const MOUNT_TYPES = ['bind', 'volume', 'tmpfs', 'npipe', 'cluster', 'image'] as const;
export const PROPAGATIONS = ['private', 'rprivate', 'shared', 'rshared', 'slave', 'rslave'] as const;

export const Mount = object({
  Target: path(),
  Source: path(),
  Type: string({ values: MOUNT_TYPES }),
  ReadOnly: boolean(),
  Consistency: string({ max: 64 }),
  BindOptions: object({
    Propagation: string({ values: PROPAGATIONS }),
    NonRecursive: boolean(),
    CreateMountpoint: boolean(),
    ReadOnlyNonRecursive: boolean(),
    ReadOnlyForceRecursive: boolean(),
  }),
  VolumeOptions: object({
    NoCopy: boolean(),
    Labels: labels(),
    DriverConfig: object({ Name: name(), Options: labels() }),
    Subpath: path(),
  }),
  ImageOptions: object({ Subpath: path() }),
  TmpfsOptions: object({
    SizeBytes: int64({ min: 0 }),
    Mode: integer({ min: 0, max: 0o7777 }),
    Options: list(list(string())),
  }),
});

export const PortBinding = object({ HostIp: string({ max: 64 }), HostPort: string({ max: 32 }) });
export const ThrottleDevice = object({ Path: path(), Rate: int64({ min: 0 }) });
export const WeightDevice = object({ Path: path(), Weight: integer({ min: 0, max: 1000 }) });
export const DeviceMapping = object({ PathOnHost: path(), PathInContainer: path(), CgroupPermissions: string({ max: 8 }) });
export const DeviceRequest = object({
  Driver: name(),
  Count: integer(),
  DeviceIDs: strings(),
  Capabilities: list(list(string())),
  Options: labels(),
});
export const Ulimit = object({ Name: required(string({ max: 64 })), Soft: int64(), Hard: int64() });
export const RestartPolicy = object({
  Name: string({ values: ['', 'no', 'always', 'unless-stopped', 'on-failure'] }),
  MaximumRetryCount: integer(),
});
export const HealthConfig = object({
  Test: strings(),
  Interval: int64({ min: 0 }),
  Timeout: int64({ min: 0 }),
  Retries: integer(),
  StartPeriod: int64({ min: 0 }),
  StartInterval: int64({ min: 0 }),
});

/** `Resources`: flattened into HostConfig on the wire (and the body of `POST /containers/{id}/update`). */
export const resourceFields = {
  CpuShares: integer(),
  Memory: int64(),
  CgroupParent: path(),
  BlkioWeight: integer({ min: 0, max: 1000 }),
  BlkioWeightDevice: list(WeightDevice),
  BlkioDeviceReadBps: list(ThrottleDevice),
  BlkioDeviceWriteBps: list(ThrottleDevice),
  BlkioDeviceReadIOps: list(ThrottleDevice),
  BlkioDeviceWriteIOps: list(ThrottleDevice),
  CpuPeriod: int64(),
  CpuQuota: int64(),
  CpuRealtimePeriod: int64(),
  CpuRealtimeRuntime: int64(),
  CpusetCpus: string({ max: 1024 }),
  CpusetMems: string({ max: 1024 }),
  Devices: list(DeviceMapping),
  DeviceCgroupRules: strings(),
  DeviceRequests: list(DeviceRequest),
  MemoryReservation: int64(),
  MemorySwap: int64(),
  // The swagger says 0..100; dockerd also takes -1 (unset), which the docker CLI sends.
  MemorySwappiness: int64({ min: -1, max: 100 }),
  NanoCpus: int64(),
  OomKillDisable: boolean(),
  Init: boolean(),
  PidsLimit: int64(),
  Ulimits: list(Ulimit),
  CpuCount: int64(),
  CpuPercent: int64(),
  IOMaximumIOps: int64(),
  IOMaximumBandwidth: int64(),
} as const;

export const HostConfig = object({
  ...resourceFields,
  Binds: list(string({ max: 2 * LIMITS.path + 64 })),
  ContainerIDFile: path(),
  LogConfig: object({ Type: string({ max: 64 }), Config: labels() }),
  NetworkMode: string({ max: 512 }),
  PortBindings: map(list(PortBinding), { maxKey: 32 }),
  RestartPolicy,
  AutoRemove: boolean(),
  VolumeDriver: name(),
  VolumesFrom: list(string({ max: 512 })),
  Mounts: list(Mount),
  ConsoleSize: list(integer({ min: 0, max: 65535 }), { max: 2 }),
  Annotations: labels(),
  CapAdd: list(string({ max: 64 })),
  CapDrop: list(string({ max: 64 })),
  CgroupnsMode: string({ values: ['', 'private', 'host'] }),
  Dns: list(string({ max: 256 })),
  DnsOptions: list(string({ max: 256 })),
  DnsSearch: list(string({ max: 256 })),
  ExtraHosts: list(string({ max: 512 })),
  GroupAdd: list(string({ max: 256 })),
  IpcMode: string({ max: 512 }),
  Cgroup: string({ max: 512 }),
  Links: list(string({ max: 512 })),
  OomScoreAdj: integer({ min: -1000, max: 1000 }),
  PidMode: string({ max: 512 }),
  Privileged: boolean(),
  PublishAllPorts: boolean(),
  ReadonlyRootfs: boolean(),
  SecurityOpt: strings(),
  StorageOpt: labels(),
  Tmpfs: map(string({ max: 4096 }), { maxKey: LIMITS.path }),
  UTSMode: string({ max: 512 }),
  UsernsMode: string({ max: 512 }),
  ShmSize: int64({ min: 0 }),
  Sysctls: labels(),
  Runtime: name(),
  Isolation: string({ values: ['', 'default', 'process', 'hyperv'] }),
  MaskedPaths: list(path()),
  ReadonlyPaths: list(path()),
});

export const containerConfigFields = {
  Hostname: string({ max: 64 }),
  Domainname: string({ max: 64 }),
  User: string({ max: 512 }),
  AttachStdin: boolean(),
  AttachStdout: boolean(),
  AttachStderr: boolean(),
  ExposedPorts: map(any(), { maxKey: 32 }),
  Tty: boolean(),
  OpenStdin: boolean(),
  StdinOnce: boolean(),
  Env: strings(),
  Cmd: stringOrList(),
  Healthcheck: HealthConfig,
  ArgsEscaped: boolean(),
  Image: string({ max: 1024 }),
  Volumes: map(any(), { maxKey: LIMITS.path }),
  WorkingDir: path(),
  Entrypoint: stringOrList(),
  NetworkDisabled: boolean(),
  /** Gone from ContainerConfig in API 1.44 (the endpoint's MacAddress instead); older clients still send it. */
  MacAddress: string({ max: 64 }),
  OnBuild: strings(),
  Labels: labels(),
  StopSignal: string({ max: 32 }),
  StopTimeout: integer(),
  Shell: strings(),
} as const;

export const ContainerCreate = object({
  ...containerConfigFields,
  Image: required(containerConfigFields.Image),
  HostConfig,
  NetworkingConfig,
});

export { EndpointSettings };

export type MountBody = WireType<typeof Mount>;
export type PortBindingBody = WireType<typeof PortBinding>;
export type ThrottleDeviceBody = WireType<typeof ThrottleDevice>;
export type DeviceMappingBody = WireType<typeof DeviceMapping>;
export type DeviceRequestBody = WireType<typeof DeviceRequest>;
export type UlimitBody = WireType<typeof Ulimit>;
export type RestartPolicyBody = WireType<typeof RestartPolicy>;
export type HealthConfigBody = WireType<typeof HealthConfig>;
export type HostConfigBody = WireType<typeof HostConfig>;
export type ContainerCreateBody = WireType<typeof ContainerCreate>;
