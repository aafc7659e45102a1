// References a file makes that must resolve: container names, networks, volumes, secrets and configs.
// (References between services are the graph's to check.)
import { BerthError } from './errors.js';
import { isDict } from './tree.js';
import type { Dict, TreePath } from './tree.js';

export function checkConsistency(tree: Dict): void {
  const services = isDict(tree.services) ? tree.services : {};
  const owners = new Map<string, string>();
  for (const name of Object.keys(services).sort()) {
    const service = services[name];
    if (!isDict(service)) continue;
    checkContainerName(name, service, owners);
    checkNetworks(name, service, tree);
    checkVolumes(name, service, tree);
    for (const kind of ['secrets', 'configs'] as const) checkMounted(kind, name, service, tree);
  }
}

function fail(message: string, path: TreePath): never {
  throw new BerthError(message, { path });
}

function checkContainerName(name: string, service: Dict, owners: Map<string, string>): void {
  const containerName = service.container_name;
  if (typeof containerName !== 'string') return;
  const path = ['services', name, 'container_name'];
  const other = owners.get(containerName);
  if (other !== undefined) fail(`services ${other} and ${name} use the same container_name "${containerName}"`, path);
  owners.set(containerName, name);
  const scale = Number(service.scale ?? (isDict(service.deploy) ? service.deploy.replicas : undefined) ?? 1);
  if (scale > 1) fail(`service "${name}" has container_name "${containerName}" and scale ${scale}: a container name must be unique`, path);
}

function checkNetworks(name: string, service: Dict, tree: Dict): void {
  const declared = isDict(tree.networks) ? tree.networks : {};
  const networks = service.networks;
  const used = Array.isArray(networks) ? networks.map(String) : isDict(networks) ? Object.keys(networks) : [];
  if (used.length > 0 && typeof service.network_mode === 'string') {
    fail(`service "${name}" declares both network_mode and networks`, ['services', name, 'network_mode']);
  }
  for (const network of used) {
    if (network !== 'default' && !Object.hasOwn(declared, network)) {
      fail(`service "${name}" refers to undefined network ${network}`, ['services', name, 'networks', network]);
    }
  }
}

function checkVolumes(name: string, service: Dict, tree: Dict): void {
  const declared = isDict(tree.volumes) ? tree.volumes : {};
  if (!Array.isArray(service.volumes)) return;
  service.volumes.forEach((mount, index) => {
    const source = namedVolumeSource(mount);
    if (source !== undefined && !Object.hasOwn(declared, source)) {
      fail(`service "${name}" refers to undefined volume ${source}`, ['services', name, 'volumes', index]);
    }
  });
}

/** The named volume a mount uses, if it uses one: not a path (bind) and not anonymous. */
function namedVolumeSource(mount: unknown): string | undefined {
  if (isDict(mount)) {
    return mount.type === 'volume' && typeof mount.source === 'string' && mount.source !== '' ? mount.source : undefined;
  }
  if (typeof mount !== 'string') return undefined;
  const parts = mount.split(':');
  if (parts.length < 2) return undefined; // a lone target: an anonymous volume
  const source = parts[0]!;
  const isPath = source === '' || /^[./~]/.test(source) || /^[A-Za-z]$/.test(source);
  return isPath ? undefined : source;
}

function checkMounted(kind: 'secrets' | 'configs', name: string, service: Dict, tree: Dict): void {
  const declared = isDict(tree[kind]) ? (tree[kind] as Dict) : {};
  const entries = service[kind];
  if (!Array.isArray(entries)) return;
  entries.forEach((entry, index) => {
    const source = typeof entry === 'string' ? entry : isDict(entry) ? String(entry.source) : undefined;
    if (source !== undefined && !Object.hasOwn(declared, source)) {
      fail(`service "${name}" refers to undefined ${kind === 'secrets' ? 'secret' : 'config'} ${source}`, ['services', name, kind, index]);
    }
  });
}
