// The field tables of the other create requests: network create and connect, volume create, exec create, and the
// classic builder's query. Each field the reference swagger defines is here (fields.test.ts checks).
import { endpointFields } from './container-fields.js';
import { honoured, ignored, refused } from './rules.js';
import type { FieldTable } from './rules.js';

const SWARM = 'a swarm setting (berth\'s engine has no swarm mode)';

export const NETWORK_CREATE_FIELDS: FieldTable = {
  Name: honoured('services/networks.ts'),
  Driver: honoured('services/networks.ts (bridge; other drivers refused there)'),
  Scope: honoured('services/networks.ts', (value: string) => (['', 'local'].includes(value) ? undefined : `scope "${value}" is not supported by berth's engine (only "local")`)),
  Internal: honoured('services/networks.ts (no route out)'),
  Attachable: honoured('services/networks.ts (recorded; every network of this engine is attachable)'),
  Ingress: refused(SWARM),
  ConfigOnly: refused('config-only networks'),
  ConfigFrom: refused('networks configured from a config-only network'),
  'ConfigFrom.Network': refused('networks configured from a config-only network'),
  IPAM: honoured('services/networks.ts'),
  'IPAM.Driver': honoured('services/networks.ts ("default"; others refused there)'),
  'IPAM.Config': honoured('services/networks.ts (one subnet)'),
  'IPAM.Config[].Subnet': honoured('services/networks.ts'),
  'IPAM.Config[].IPRange': honoured('services/networks.ts'),
  'IPAM.Config[].Gateway': honoured('services/networks.ts'),
  'IPAM.Config[].AuxiliaryAddresses': refused('IPAM auxiliary addresses'),
  'IPAM.Options': honoured('services/networks.ts (recorded and shown by inspect, as the default IPAM driver does)'),
  EnableIPv4: honoured('services/networks.ts', (value: boolean) => (value ? undefined : 'networks without IPv4 are not supported by berth\'s engine'), { zeroToo: true }),
  EnableIPv6: refused('IPv6 networks'),
  Options: honoured('services/networks.ts (bridge name, MTU; other options refused there)'),
  Labels: honoured('services/networks.ts'),
  CheckDuplicate: ignored('dropped in API 1.44: network names are always unique, and dockerd ignores the field'),
};

export const NETWORK_CONNECT_FIELDS: FieldTable = {
  Container: honoured('services/endpoints.ts'),
  ...endpointFields('EndpointConfig'),
};

export const VOLUME_CREATE_FIELDS: FieldTable = {
  Name: honoured('services/volumes.ts'),
  Driver: honoured('services/volumes.ts ("local"; others refused there)'),
  DriverOpts: honoured('services/volumes.ts (type, o, device)'),
  Labels: honoured('services/volumes.ts'),
  ClusterVolumeSpec: refused(SWARM),
};

export const EXEC_CREATE_FIELDS: FieldTable = {
  AttachStdin: honoured('services/exec.ts'),
  AttachStdout: honoured('services/exec.ts'),
  AttachStderr: honoured('services/exec.ts'),
  ConsoleSize: ignored('the exec\'s terminal takes its size from the client\'s resize, which the docker CLI sends at once'),
  DetachKeys: refused('detach keys for exec'),
  Tty: honoured('services/exec.ts'),
  Env: honoured('services/exec.ts'),
  Cmd: honoured('services/exec.ts'),
  Privileged: honoured('services/exec.ts'),
  User: honoured('services/exec.ts'),
  WorkingDir: honoured('services/exec.ts'),
};

const BUILD_RESOURCES = 'resource limits of RUN steps';

/** The classic builder's query parameters (`POST /build`). */
export const BUILD_QUERY_FIELDS: FieldTable = {
  dockerfile: honoured('services/build/builder.ts'),
  t: honoured('services/build/builder.ts (tags)'),
  extrahosts: honoured('services/build/builder.ts (RUN steps\' /etc/hosts)'),
  remote: refused('a remote build context (the engine fetches nothing from the network)'),
  q: honoured('server/build-routes.ts'),
  nocache: honoured('services/build/builder.ts'),
  cachefrom: honoured('server/build-routes.ts (a warning: the engine keys its own step cache)'),
  pull: honoured('services/build/builder.ts (FROM images pulled again)'),
  rm: ignored('intermediate containers are always removed, as dockerd does by default'),
  forcerm: ignored('intermediate containers are always removed, failed or not'),
  memory: refused(BUILD_RESOURCES),
  memswap: refused(BUILD_RESOURCES),
  cpushares: refused(BUILD_RESOURCES),
  cpusetcpus: refused(BUILD_RESOURCES),
  cpuperiod: refused(BUILD_RESOURCES),
  cpuquota: refused(BUILD_RESOURCES),
  buildargs: honoured('services/build/builder.ts'),
  shmsize: honoured('services/build/builder.ts'),
  squash: refused('squash'),
  labels: honoured('services/build/builder.ts'),
  networkmode: honoured('services/build/builder.ts'),
  platform: honoured('server/build-routes.ts (linux/amd64 only)'),
  target: honoured('services/build/builder.ts'),
  outputs: refused('build outputs (a BuildKit feature)'),
  version: honoured('server/build-routes.ts ("1"; BuildKit refused)'),
  ulimits: honoured('services/build/builder.ts'),
  session: ignored('a BuildKit session id; the classic builder has no sessions, as in dockerd'),
};
