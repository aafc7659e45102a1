// Every service key of the Compose Specification, and what `berth deploy` does with it on a swarm: converted into
// the service spec by a module of src/swarm/, nothing to do (the loader already used it), or one warning line
// because a swarm service has no such setting (what `docker stack deploy` calls "unsupported options"). A test
// checks the tables against the spec's schema, so a new key cannot slip through unmentioned.
import { converted, keyWarnings, none, warn } from '../model/key-table.js';
import type { KeyDisposition } from '../model/key-table.js';
import { isDict } from '../model/tree.js';
import type { ServiceConfig } from '../model/types.js';

const NOT_IN_SWARM = warn('is not supported by swarm services and is ignored');
const ONE_MACHINE = warn('is a setting of one machine that swarm services do not have; ignored');

export const SERVICE_KEYS: Readonly<Record<string, KeyDisposition>> = {
  annotations: NOT_IN_SWARM,
  attach: none('a setting of `up`'),
  blkio_config: ONE_MACHINE,
  build: warn('is ignored: a swarm runs images from a registry (build and push the image first)'),
  cap_add: converted('container (CapabilityAdd)'),
  cap_drop: converted('container (CapabilityDrop)'),
  cgroup: ONE_MACHINE,
  cgroup_parent: ONE_MACHINE,
  command: converted('container (Args)'),
  configs: converted('file objects (Configs)'),
  container_name: warn('is ignored: swarm names the tasks of a service itself'),
  cpu_count: ONE_MACHINE,
  cpu_percent: ONE_MACHINE,
  cpu_period: ONE_MACHINE,
  cpu_quota: ONE_MACHINE,
  cpu_rt_period: ONE_MACHINE,
  cpu_rt_runtime: ONE_MACHINE,
  cpu_shares: ONE_MACHINE,
  cpus: converted('resources (Limits.NanoCPUs, when deploy.resources does not say)'),
  cpuset: ONE_MACHINE,
  credential_spec: warn('applies to Windows containers only; ignored'),
  depends_on: warn('is ignored: a swarm starts every service at once (use healthchecks and retries)'),
  deploy: converted('service (see DEPLOY_KEYS)'),
  develop: warn('is for `berth watch` on one machine; ignored'),
  device_cgroup_rules: ONE_MACHINE,
  devices: NOT_IN_SWARM,
  dns: converted('container (DNSConfig)'),
  dns_opt: converted('container (DNSConfig)'),
  dns_search: converted('container (DNSConfig)'),
  domainname: NOT_IN_SWARM,
  entrypoint: converted('container (Command)'),
  env_file: none('merged into environment by the loader'),
  environment: converted('container (Env)'),
  expose: none('informational: every port is reachable on the service networks'),
  extends: none('resolved by the loader'),
  external_links: NOT_IN_SWARM,
  extra_hosts: converted('container (Hosts)'),
  gpus: NOT_IN_SWARM,
  group_add: converted('container (Groups)'),
  healthcheck: converted('container (Healthcheck)'),
  hostname: converted('container (Hostname)'),
  image: converted('container (Image, pinned to its registry digest)'),
  init: converted('container (Init)'),
  ipc: NOT_IN_SWARM,
  isolation: converted('container (Isolation)'),
  label_file: none('merged into labels by the loader'),
  labels: converted('container (Labels)'),
  links: warn('is ignored: services reach each other by name on their networks'),
  logging: converted('task (LogDriver)'),
  mac_address: ONE_MACHINE,
  mem_limit: converted('resources (Limits.MemoryBytes, when deploy.resources does not say)'),
  mem_reservation: converted('resources (Reservations.MemoryBytes, when deploy.resources does not say)'),
  mem_swappiness: ONE_MACHINE,
  memswap_limit: ONE_MACHINE,
  models: NOT_IN_SWARM,
  network_mode: NOT_IN_SWARM,
  networks: converted('networks (overlay, namespaced by the stack)'),
  oom_kill_disable: ONE_MACHINE,
  oom_score_adj: converted('container (OomScoreAdj)'),
  pid: NOT_IN_SWARM,
  pids_limit: converted('resources (Limits.Pids, when deploy.resources does not say)'),
  platform: converted('placement (Platforms)'),
  ports: converted('endpoint (Ports)'),
  post_start: NOT_IN_SWARM,
  pre_stop: NOT_IN_SWARM,
  privileged: NOT_IN_SWARM,
  profiles: none('applied by the loader'),
  provider: NOT_IN_SWARM,
  pull_policy: warn('is ignored: swarm nodes pull the pinned digest when they do not have it'),
  pull_refresh_after: NOT_IN_SWARM,
  read_only: converted('container (ReadOnly)'),
  restart: converted('task (RestartPolicy, when deploy.restart_policy does not say)'),
  runtime: NOT_IN_SWARM,
  scale: converted('mode (Replicas, when deploy.replicas does not say)'),
  secrets: converted('file objects (Secrets)'),
  security_opt: NOT_IN_SWARM,
  shm_size: NOT_IN_SWARM,
  stdin_open: converted('container (OpenStdin)'),
  stop_grace_period: converted('container (StopGracePeriod)'),
  stop_signal: converted('container (StopSignal)'),
  storage_opt: ONE_MACHINE,
  sysctls: converted('container (Sysctls)'),
  tmpfs: converted('container (tmpfs Mounts)'),
  tty: converted('container (TTY)'),
  ulimits: converted('container (Ulimits)'),
  use_api_socket: NOT_IN_SWARM,
  user: converted('container (User)'),
  userns_mode: NOT_IN_SWARM,
  uts: NOT_IN_SWARM,
  volumes: converted('container (Mounts)'),
  volumes_from: NOT_IN_SWARM,
  working_dir: converted('container (Dir)'),
};

export const DEPLOY_KEYS: Readonly<Record<string, KeyDisposition>> = {
  endpoint_mode: converted('endpoint (Mode)'),
  labels: converted('service (Labels)'),
  mode: converted('mode'),
  placement: converted('placement'),
  replicas: converted('mode (Replicas)'),
  resources: converted('resources'),
  restart_policy: converted('task (RestartPolicy)'),
  rollback_config: converted('RollbackConfig'),
  update_config: converted('UpdateConfig'),
};

/** Warnings for the keys a service sets that a swarm cannot honour, one line each, in key order. */
const WARNINGS = { unknown: 'is not known to berth and is ignored' };

export function ignoredKeyWarnings(service: ServiceConfig): string[] {
  const out = keyWarnings(SERVICE_KEYS, service, { ...WARNINGS, prefix: '' });
  if (isDict(service.deploy)) out.push(...keyWarnings(DEPLOY_KEYS, service.deploy, { ...WARNINGS, prefix: 'deploy.' }));
  return out.map((text) => `service "${service.name}": ${text}`);
}
