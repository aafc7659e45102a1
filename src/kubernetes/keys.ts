// Every service key of the Compose Specification, and what `convert --to kubernetes` does with it: converted by a
// module of src/kubernetes/, nothing to convert (the loader or the CLI already used it), or reported as one warning
// line because Kubernetes has no equivalent. A test checks the tables against the spec's schema, so a new key cannot
// slip through unmentioned.
import { converted, keyWarnings, none, warn } from '../model/key-table.js';
import type { KeyDisposition } from '../model/key-table.js';
import { isDict } from '../model/tree.js';
import type { ServiceConfig } from '../model/types.js';

const NODE_LOCAL = warn('is a setting of one machine; Kubernetes has no per-pod equivalent');
const RESOURCE_TUNING = warn('is not a Kubernetes resource (only cpus and memory are)');

export const SERVICE_KEYS: Readonly<Record<string, KeyDisposition>> = {
  annotations: converted('workload (pod annotations)'),
  attach: none('a setting of `up`'),
  blkio_config: RESOURCE_TUNING,
  build: converted('workload (the image berth would build; it must be pushed to a registry)'),
  cap_add: converted('container (securityContext.capabilities)'),
  cap_drop: converted('container (securityContext.capabilities)'),
  cgroup: NODE_LOCAL,
  cgroup_parent: NODE_LOCAL,
  command: converted('container (args)'),
  configs: converted('config-objects (ConfigMap volume)'),
  container_name: warn('is not converted: pods get names of their own'),
  cpu_count: RESOURCE_TUNING,
  cpu_percent: RESOURCE_TUNING,
  cpu_period: RESOURCE_TUNING,
  cpu_quota: RESOURCE_TUNING,
  cpu_rt_period: RESOURCE_TUNING,
  cpu_rt_runtime: RESOURCE_TUNING,
  cpu_shares: RESOURCE_TUNING,
  cpus: converted('resources (limits.cpu)'),
  cpuset: RESOURCE_TUNING,
  credential_spec: warn('applies to Windows containers only'),
  depends_on: warn('is not converted: Kubernetes starts every pod at once (readiness probes gate traffic instead)'),
  deploy: converted('workload, resources (see DEPLOY_KEYS)'),
  develop: warn('is for `berth watch` on one machine; not converted'),
  device_cgroup_rules: NODE_LOCAL,
  devices: warn('is not converted: devices need a device plugin in Kubernetes'),
  dns: converted('workload (dnsConfig)'),
  dns_opt: converted('workload (dnsConfig)'),
  dns_search: converted('workload (dnsConfig)'),
  dockerfile: none('part of build'),
  domainname: warn('is not converted (pods take the cluster domain)'),
  entrypoint: converted('container (command)'),
  env_file: converted('config-objects (ConfigMap, envFrom)'),
  environment: converted('container (env)'),
  expose: converted('services (Service ports)'),
  extends: none('resolved by the loader'),
  external_links: warn('is not converted: reach other workloads by their Service names'),
  extra_hosts: converted('workload (hostAliases)'),
  gpus: warn('is not converted: GPUs need a device plugin resource in Kubernetes'),
  group_add: converted('workload (securityContext.supplementalGroups)'),
  healthcheck: converted('probes'),
  hostname: converted('workload (hostname)'),
  image: converted('container'),
  init: warn('is not converted (add an init process to the image)'),
  ipc: converted('workload (hostIPC)'),
  isolation: warn('applies to Windows containers only'),
  label_file: none('merged into labels by the loader'),
  labels: converted('workload (annotations)'),
  links: warn('is not converted: reach other workloads by their Service names'),
  log_driver: NODE_LOCAL,
  log_opt: NODE_LOCAL,
  logging: warn('is not converted: the cluster collects container logs'),
  mac_address: NODE_LOCAL,
  mem_limit: converted('resources (limits.memory)'),
  mem_reservation: converted('resources (requests.memory)'),
  mem_swappiness: RESOURCE_TUNING,
  memswap_limit: RESOURCE_TUNING,
  models: warn('is not converted (models are not supported)'),
  network_mode: converted('workload (hostNetwork)'),
  networks: converted('network-policies'),
  oom_kill_disable: RESOURCE_TUNING,
  oom_score_adj: RESOURCE_TUNING,
  pid: converted('workload (hostPID)'),
  pids_limit: RESOURCE_TUNING,
  platform: converted('workload (nodeSelector kubernetes.io/os, arch)'),
  ports: converted('services (Service ports)'),
  post_start: converted('container (lifecycle.postStart)'),
  pre_start: warn('is not converted (an init container would run in another image)'),
  pre_stop: converted('container (lifecycle.preStop)'),
  privileged: converted('container (securityContext.privileged)'),
  profiles: none('applied by the loader'),
  provider: warn('is not converted: provider services run no container'),
  pull_policy: converted('container (imagePullPolicy)'),
  pull_refresh_after: warn('is not converted (the kubelet decides when to pull)'),
  read_only: converted('container (securityContext.readOnlyRootFilesystem)'),
  restart: converted('workload (restart policy)'),
  runtime: warn('is not converted (use a RuntimeClass)'),
  scale: converted('workload (replicas)'),
  secrets: converted('config-objects (Secret volume)'),
  security_opt: warn('is not converted (use securityContext seccompProfile/appArmorProfile)'),
  shm_size: converted('storage (a memory emptyDir at /dev/shm)'),
  stdin_open: converted('container (stdin)'),
  stop_grace_period: converted('workload (terminationGracePeriodSeconds)'),
  stop_signal: warn('is not converted (Kubernetes sends SIGTERM)'),
  storage_opt: NODE_LOCAL,
  sysctls: converted('workload (securityContext.sysctls)'),
  tmpfs: converted('storage (memory emptyDir)'),
  tty: converted('container (tty)'),
  ulimits: warn('is not converted (Kubernetes sets no ulimits per pod)'),
  use_api_socket: warn('is not converted: a pod has no Docker API socket'),
  user: converted('container (securityContext.runAsUser/runAsGroup)'),
  userns_mode: NODE_LOCAL,
  uts: NODE_LOCAL,
  volume_driver: warn('is not converted (use a StorageClass)'),
  volumes: converted('storage'),
  volumes_from: warn('is not converted: mount the same volumes by name'),
  working_dir: converted('container (workingDir)'),
};

export const DEPLOY_KEYS: Readonly<Record<string, KeyDisposition>> = {
  endpoint_mode: converted('services (dnsrr: a headless Service)'),
  labels: converted('workload (annotations of the workload)'),
  mode: converted('workload (global: DaemonSet)'),
  placement: converted('workload (node.labels constraints: nodeSelector)'),
  replicas: converted('workload (replicas)'),
  resources: converted('resources'),
  restart_policy: converted('workload (restart policy)'),
  rollback_config: warn('is not converted (Kubernetes rolls back with `kubectl rollout undo`)'),
  update_config: warn('is not converted (a Deployment rolls out with its own strategy)'),
};

/** Warnings for the keys a service sets that have no Kubernetes form, one line each, in key order. */
const WARNINGS = { unknown: 'is not known to berth and is not converted' };

export function unconvertedKeyWarnings(service: ServiceConfig): string[] {
  const out = keyWarnings(SERVICE_KEYS, service, { ...WARNINGS, prefix: '' });
  if (isDict(service.deploy)) out.push(...keyWarnings(DEPLOY_KEYS, service.deploy, { ...WARNINGS, prefix: 'deploy.' }));
  return out;
}
