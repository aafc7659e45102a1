// Every service key of the Compose Specification, and what container creation does with it: converted by a
// family module, used by another stage of berth, or warned about because the Engine API cannot express it (or
// berth does not do it yet). A key missing here is warned about as unknown, and a test checks the table against
// the spec's schema, so no key is dropped without a word.
import { isDict } from '../../model/tree.js';
import type { ServiceConfig } from '../../model/types.js';
import { serviceWarning } from './fragment.js';

export type KeyDisposition =
  /** Turned into create-body fields by the named module of src/apply/convert/. */
  | { readonly kind: 'converted'; readonly by: string }
  /** Read by another stage; container creation has nothing to do with it. */
  | { readonly kind: 'elsewhere'; readonly by: string }
  /** Ignored with a warning: `service "web": <what> and will be ignored`. */
  | { readonly kind: 'warn'; readonly what: string };

const converted = (by: string): KeyDisposition => ({ kind: 'converted', by });
const elsewhere = (by: string): KeyDisposition => ({ kind: 'elsewhere', by });
const warn = (what: string): KeyDisposition => ({ kind: 'warn', what });

export const SERVICE_KEYS: Readonly<Record<string, KeyDisposition>> = {
  annotations: converted('container-config'),
  attach: elsewhere('cli (which containers `up` attaches to)'),
  blkio_config: converted('blkio'),
  build: elsewhere('build'),
  cap_add: converted('security'),
  cap_drop: converted('security'),
  cgroup: converted('namespaces'),
  cgroup_parent: converted('resources'),
  command: converted('command'),
  configs: converted('mounts (file configs, secrets.ts)'),
  container_name: elsewhere('plan (the container name)'),
  cpu_count: converted('resources'),
  cpu_percent: converted('resources'),
  cpu_period: converted('resources'),
  cpu_quota: converted('resources'),
  cpu_rt_period: converted('resources'),
  cpu_rt_runtime: converted('resources'),
  cpu_shares: converted('resources'),
  cpus: converted('resources'),
  cpuset: converted('resources'),
  credential_spec: warn('credential_spec applies to Windows Swarm services only'),
  depends_on: elsewhere('graph'),
  deploy: converted('resources, devices, restart (see DEPLOY_KEYS)'),
  develop: elsewhere('watch (berth watch, up --watch)'),
  device_cgroup_rules: converted('devices'),
  devices: converted('devices'),
  dns: converted('dns'),
  dns_opt: converted('dns'),
  dns_search: converted('dns'),
  dockerfile: elsewhere('build (legacy spelling of build.dockerfile)'),
  domainname: converted('container-config'),
  entrypoint: converted('command'),
  env_file: elsewhere('model (merged into environment)'),
  environment: converted('environment'),
  expose: converted('ports'),
  extends: elsewhere('model'),
  external_links: converted('links'),
  extra_hosts: converted('dns'),
  gpus: converted('devices'),
  group_add: converted('security'),
  healthcheck: converted('healthcheck'),
  hostname: converted('container-config'),
  image: converted('container-config'),
  init: converted('container-config'),
  ipc: converted('namespaces'),
  isolation: converted('runtime'),
  label_file: elsewhere('model (merged into labels)'),
  labels: elsewhere('plan (labels arrive computed in the context)'),
  links: converted('links'),
  log_driver: converted('logging'),
  log_opt: converted('logging'),
  logging: converted('logging'),
  mac_address: converted('networking'),
  mem_limit: converted('resources'),
  mem_reservation: converted('resources'),
  mem_swappiness: converted('resources'),
  memswap_limit: converted('resources'),
  models: warn('models are not supported'),
  network_mode: converted('networking'),
  networks: converted('networking'),
  oom_kill_disable: converted('resources'),
  oom_score_adj: converted('resources'),
  pid: converted('namespaces'),
  pids_limit: converted('resources'),
  platform: converted('index (the platform query parameter)'),
  ports: converted('ports'),
  post_start: elsewhere('plan (run-hook operations, src/plan/hooks.ts)'),
  pre_start: warn('pre_start hooks are not supported yet'),
  pre_stop: elsewhere('plan (run-hook operations, src/plan/hooks.ts)'),
  privileged: converted('security'),
  profiles: elsewhere('model'),
  provider: elsewhere('plan (provider services run no container)'),
  pull_policy: elsewhere('pull'),
  pull_refresh_after: elsewhere('pull'),
  read_only: converted('security'),
  restart: converted('restart'),
  runtime: converted('runtime'),
  scale: elsewhere('plan'),
  secrets: converted('mounts (file secrets, secrets.ts)'),
  security_opt: converted('security'),
  shm_size: converted('resources'),
  stdin_open: converted('container-config'),
  stop_grace_period: converted('container-config'),
  stop_signal: converted('container-config'),
  storage_opt: converted('runtime'),
  sysctls: converted('runtime'),
  tmpfs: converted('mounts'),
  tty: converted('container-config'),
  ulimits: converted('ulimits'),
  use_api_socket: warn('use_api_socket is not supported yet'),
  user: converted('container-config'),
  userns_mode: converted('namespaces'),
  uts: converted('namespaces'),
  volume_driver: converted('mounts'),
  volumes: converted('mounts'),
  volumes_from: converted('mounts'),
  working_dir: converted('container-config'),
};

/** The keys of `deploy`: a Swarm block of which a single engine honours resources and the restart policy. */
export const DEPLOY_KEYS: Readonly<Record<string, KeyDisposition>> = {
  endpoint_mode: warn('deploy.endpoint_mode is a Swarm setting'),
  labels: warn('deploy.labels apply to Swarm services'),
  mode: elsewhere('plan (replicated or global decides the scale)'),
  placement: warn('deploy.placement is a Swarm setting'),
  replicas: elsewhere('plan'),
  resources: converted('resources, devices'),
  restart_policy: converted('restart'),
  rollback_config: warn('deploy.rollback_config is a Swarm setting'),
  update_config: warn('deploy.update_config is a Swarm setting'),
};

/** Keys berth adds to a service itself, not the user's. */
const BERTH_KEYS = new Set(['name']);

function isExtension(key: string): boolean {
  return key.startsWith('x-');
}

function warningsFor(table: Readonly<Record<string, KeyDisposition>>, keys: string[], prefix: string, serviceName: string): string[] {
  const out: string[] = [];
  for (const key of keys.sort()) {
    if (isExtension(key)) continue;
    const disposition = table[key];
    if (disposition === undefined) out.push(serviceWarning(serviceName, `${prefix}${key} is not supported by berth and will be ignored`));
    else if (disposition.kind === 'warn') out.push(serviceWarning(serviceName, `${disposition.what} and will be ignored`));
  }
  return out;
}

/** The warnings for keys the service sets that container creation ignores, in key order. */
export function ignoredKeyWarnings(service: ServiceConfig): string[] {
  const keys = Object.keys(service).filter((key) => !BERTH_KEYS.has(key) && service[key] !== undefined && service[key] !== null);
  const out = warningsFor(SERVICE_KEYS, keys, '', service.name);
  const deploy: unknown = service.deploy;
  if (isDict(deploy)) {
    const deployKeys = Object.keys(deploy).filter((key) => deploy[key] !== undefined && deploy[key] !== null);
    out.push(...warningsFor(DEPLOY_KEYS, deployKeys, 'deploy.', service.name));
  }
  return out;
}
