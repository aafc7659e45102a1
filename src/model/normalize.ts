// Normalization (skipped by `config --no-normalize`): implicit defaults made explicit. The `default` network when a
// service uses it, dependencies implied by links, shared namespaces and volumes_from, resource names, and
// `KEY`-only environment entries and build args resolved from the project's variables.
import { posix } from 'node:path';
import { userKey } from './keys.js';
import { isDict } from './tree.js';
import type { Dict } from './tree.js';

type Lookup = (name: string) => string | undefined;

export function normalizeModel(tree: Dict, projectName: string, lookupEnv: Lookup): Dict {
  const out = structuredClone(tree);
  out.name = projectName;
  normalizeNetworks(out);
  const services = isDict(out.services) ? out.services : {};
  for (const [name, service] of Object.entries(services)) if (isDict(service)) normalizeService(name, service, lookupEnv);
  nameResources(out, projectName);
  return out;
}

/** `KEY` alone in an environment list takes the project's value when it has one (done whether or not normalizing). */
export function resolveBareEnvironment(tree: Dict, lookupEnv: Lookup): Dict {
  const services = isDict(tree.services) ? tree.services : {};
  for (const service of Object.values(services)) {
    if (!isDict(service) || !Array.isArray(service.environment)) continue;
    service.environment = service.environment.map((entry) => {
      if (typeof entry !== 'string' || entry.includes('=')) return entry;
      const value = lookupEnv(entry);
      return value === undefined ? entry : `${entry}=${value}`;
    });
  }
  for (const section of ['secrets', 'configs'] as const) {
    const resources = isDict(tree[section]) ? (tree[section] as Dict) : {};
    for (const resource of Object.values(resources)) {
      if (!isDict(resource) || typeof resource.environment !== 'string') continue;
      const value = lookupEnv(resource.environment);
      if (value !== undefined) resource.content = value;
    }
  }
  return tree;
}

function normalizeNetworks(tree: Dict): void {
  const networks = isDict(tree.networks) ? tree.networks : {};
  let usesDefault = false;
  const services = isDict(tree.services) ? tree.services : {};
  for (const service of Object.values(services)) {
    if (!isDict(service) || 'provider' in service || 'network_mode' in service) continue;
    const attached = service.networks;
    if (!isDict(attached) || Object.keys(attached).length === 0) {
      service.networks = { default: null };
      usesDefault = true;
    } else if ('default' in attached) {
      usesDefault = true;
    }
  }
  if (usesDefault && !('default' in networks)) networks.default = null;
  if (Object.keys(networks).length > 0) tree.networks = networks;
}

const SHARED = ['network_mode', 'ipc', 'pid', 'uts', 'cgroup'];

function normalizeService(serviceName: string, service: Dict, lookupEnv: Lookup): void {
  if (service.pull_policy === 'if_not_present') service.pull_policy = 'missing';
  if (isDict(service.build)) {
    const build = service.build;
    build.context ??= '.';
    if (build.dockerfile == null && build.dockerfile_inline == null) build.dockerfile = 'Dockerfile';
    if (build.args !== undefined) build.args = resolveValues(build.args, lookupEnv, false);
  }
  if (service.environment !== undefined) service.environment = resolveValues(service.environment, lookupEnv, true);

  const dependsOn: Dict = isDict(service.depends_on) ? service.depends_on : {};
  const implied = (name: string, restart: boolean): void => {
    if (!Object.hasOwn(dependsOn, name)) dependsOn[userKey(name, ['services', serviceName, 'depends_on'])] = { condition: 'service_started', restart, required: true };
  };
  for (const link of Array.isArray(service.links) ? service.links : []) {
    const parts = String(link).split(':');
    implied(parts.length === 2 ? parts[0]! : String(link), true);
  }
  for (const key of SHARED) {
    const value = service[key];
    if (typeof value === 'string' && value.startsWith('service:')) implied(value.slice('service:'.length), true);
  }
  if (Array.isArray(service.volumes)) {
    for (const volume of service.volumes) {
      if (isDict(volume) && typeof volume.target === 'string') volume.target = posix.normalize(volume.target).replace(/(.)\/$/, '$1');
    }
  }
  for (const from of Array.isArray(service.volumes_from) ? service.volumes_from : []) {
    const text = String(from);
    if (!text.startsWith('container:')) implied(text.split(':')[0]!, false);
  }
  if (Object.keys(dependsOn).length > 0) service.depends_on = dependsOn;
  inheritPreStartImage(service);
}

/** Entries without a value take the project's; with `keepEmpty` those it lacks stay as `KEY`, else they are dropped. */
function resolveValues(value: unknown, lookupEnv: Lookup, keepEmpty: boolean): unknown {
  if (Array.isArray(value)) {
    const out: unknown[] = [];
    for (const entry of value) {
      if (typeof entry !== 'string' || entry.includes('=')) {
        out.push(entry);
        continue;
      }
      const found = lookupEnv(entry);
      if (found !== undefined) out.push(`${entry}=${found}`);
      else if (keepEmpty) out.push(entry);
    }
    return out;
  }
  if (!isDict(value)) return value;
  const out: Dict = {};
  for (const [key, entry] of Object.entries(value)) {
    if (entry !== null && entry !== undefined) {
      out[key] = entry;
      continue;
    }
    const found = lookupEnv(key);
    if (found !== undefined) out[key] = found;
    else if (keepEmpty) out[key] = null;
  }
  return out;
}

function inheritPreStartImage(service: Dict): void {
  if (!Array.isArray(service.pre_start) || typeof service.image !== 'string' || service.image === '') return;
  for (const hook of service.pre_start) if (isDict(hook) && !('image' in hook)) hook.image = service.image;
}

/** Resources without a name are named `<project>_<key>`, external ones by their key. */
function nameResources(tree: Dict, projectName: string): void {
  for (const section of ['networks', 'volumes', 'configs', 'secrets']) {
    const resources = tree[section];
    if (!isDict(resources)) continue;
    for (const [key, value] of Object.entries(resources)) {
      const resource: Dict = isDict(value) ? value : {};
      if (resource.name == null) resource.name = isTrue(resource.external) ? key : `${projectName}_${key}`;
      resources[key] = resource;
    }
  }
}

function isTrue(value: unknown): boolean {
  return ['1', 't', 'T', 'true', 'TRUE', 'True'].includes(String(value));
}
