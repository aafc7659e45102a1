// The request bodies berth sends to the Engine API, with the field names of engine-api-v1.swagger.yaml, so that a
// body reads exactly as `docker inspect` shows it. Only the fields a compose service can set are declared.

export interface MountBody {
  Type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  Source?: string;
  Target: string;
  ReadOnly?: boolean;
  Consistency?: string;
  BindOptions?: {
    Propagation?: string;
    NonRecursive?: boolean;
    CreateMountpoint?: boolean;
    ReadOnlyNonRecursive?: boolean;
    ReadOnlyForceRecursive?: boolean;
  };
  VolumeOptions?: { NoCopy?: boolean; Labels?: Record<string, string>; Subpath?: string };
  TmpfsOptions?: { SizeBytes?: number; Mode?: number };
  ImageOptions?: { Subpath?: string };
}

export interface PortBindingBody {
  HostIp: string;
  HostPort: string;
}

export interface DeviceMappingBody {
  PathOnHost: string;
  PathInContainer: string;
  CgroupPermissions: string;
}

export interface DeviceRequestBody {
  Driver?: string;
  Count?: number;
  DeviceIDs?: string[];
  Capabilities?: string[][];
  Options?: Record<string, string>;
}

export interface ThrottleDeviceBody {
  Path: string;
  Rate: number;
}

export interface UlimitBody {
  Name: string;
  Soft: number;
  Hard: number;
}

export interface HealthConfigBody {
  Test?: string[];
  Interval?: number;
  Timeout?: number;
  Retries?: number;
  StartPeriod?: number;
  StartInterval?: number;
}

export interface RestartPolicyBody {
  Name: '' | 'no' | 'always' | 'unless-stopped' | 'on-failure' | string;
  MaximumRetryCount?: number;
}

/** `Resources` is flattened into HostConfig by the API. */
export interface ResourcesBody {
  CgroupParent?: string;
  BlkioWeight?: number;
  BlkioWeightDevice?: Array<{ Path: string; Weight: number }>;
  BlkioDeviceReadBps?: ThrottleDeviceBody[];
  BlkioDeviceWriteBps?: ThrottleDeviceBody[];
  BlkioDeviceReadIOps?: ThrottleDeviceBody[];
  BlkioDeviceWriteIOps?: ThrottleDeviceBody[];
  CpuShares?: number;
  CpuPeriod?: number;
  CpuQuota?: number;
  CpuRealtimePeriod?: number;
  CpuRealtimeRuntime?: number;
  CpusetCpus?: string;
  CpuCount?: number;
  CpuPercent?: number;
  NanoCpus?: number;
  Memory?: number;
  MemoryReservation?: number;
  MemorySwap?: number;
  MemorySwappiness?: number;
  OomKillDisable?: boolean;
  PidsLimit?: number;
  Devices?: DeviceMappingBody[];
  DeviceCgroupRules?: string[];
  DeviceRequests?: DeviceRequestBody[];
  Ulimits?: UlimitBody[];
}

export interface HostConfigBody extends ResourcesBody {
  Binds?: string[];
  Mounts?: MountBody[];
  Tmpfs?: Record<string, string>;
  VolumesFrom?: string[];
  VolumeDriver?: string;
  NetworkMode?: string;
  PortBindings?: Record<string, PortBindingBody[]>;
  Links?: string[];
  Dns?: string[];
  DnsSearch?: string[];
  DnsOptions?: string[];
  ExtraHosts?: string[];
  RestartPolicy?: RestartPolicyBody;
  LogConfig?: { Type: string; Config?: Record<string, string> };
  Annotations?: Record<string, string>;
  CapAdd?: string[];
  CapDrop?: string[];
  Privileged?: boolean;
  ReadonlyRootfs?: boolean;
  SecurityOpt?: string[];
  MaskedPaths?: string[];
  ReadonlyPaths?: string[];
  GroupAdd?: string[];
  IpcMode?: string;
  PidMode?: string;
  UTSMode?: string;
  UsernsMode?: string;
  CgroupnsMode?: string;
  Init?: boolean;
  OomScoreAdj?: number;
  ShmSize?: number;
  Sysctls?: Record<string, string>;
  StorageOpt?: Record<string, string>;
  Runtime?: string;
  Isolation?: string;
}

export interface EndpointSettingsBody {
  IPAMConfig?: { IPv4Address?: string; IPv6Address?: string; LinkLocalIPs?: string[] };
  Links?: string[];
  Aliases?: string[];
  MacAddress?: string;
  DriverOpts?: Record<string, string>;
  GwPriority?: number;
}

/** ContainerConfig plus HostConfig and NetworkingConfig: the body of `POST /containers/create`. */
export interface ContainerCreateBody {
  Image: string;
  Hostname?: string;
  Domainname?: string;
  User?: string;
  AttachStdin?: boolean;
  AttachStdout?: boolean;
  AttachStderr?: boolean;
  ExposedPorts?: Record<string, Record<string, never>>;
  Tty?: boolean;
  OpenStdin?: boolean;
  StdinOnce?: boolean;
  Env?: string[];
  Cmd?: string[];
  Entrypoint?: string[];
  Healthcheck?: HealthConfigBody;
  WorkingDir?: string;
  NetworkDisabled?: boolean;
  /** Deprecated by API 1.44 in favour of the endpoint's MacAddress; only sent to older engines. */
  MacAddress?: string;
  Labels: Record<string, string>;
  StopSignal?: string;
  StopTimeout?: number;
  HostConfig: HostConfigBody;
  NetworkingConfig?: { EndpointsConfig: Record<string, EndpointSettingsBody> };
}
