// docker-compose 1.x files: services at the top level, and the obsolete `version:` key.
import type { Dict } from './tree.js';
import { isDict } from './tree.js';

/** Top-level keys of the Compose Specification: a file that uses only these is not a legacy file. */
const TOP_LEVEL_KEYS = new Set(['version', 'name', 'include', 'services', 'networks', 'volumes', 'secrets', 'configs', 'models']);

/**
 * A file without `services:` whose top-level keys are not spec keys is a v1 file: each key is a service.
 * `version` is dropped with the warning compose gives.
 */
export function upgradeLegacyLayout(tree: Dict, file: string, warn: (message: string) => void): Dict {
  const out: Dict = { ...tree };
  if ('version' in out) {
    warn(`${file}: the attribute \`version\` is obsolete, it will be ignored, please remove it to avoid potential confusion`);
    delete out.version;
  }
  if ('services' in out) return out;
  const serviceKeys = Object.keys(out).filter((key) => !TOP_LEVEL_KEYS.has(key) && !key.startsWith('x-'));
  if (serviceKeys.length === 0) return out;
  warn(
    `${file}: services defined at the top level (the docker-compose 1.x format) are deprecated: ` +
      'berth loads them as if under `services:`, please move them there',
  );
  const services: Dict = {};
  for (const key of serviceKeys) {
    services[key] = onDefaultBridge(netAsNetworkMode(out[key], serviceKeys));
    delete out[key];
  }
  return { ...out, services };
}

/**
 * `net:` is the 1.x name of `network_mode:`. As docker-compose 1.x reads it, `container:NAME` naming a service of the
 * file means that service's container (`service:NAME`); any other value is the network mode as it is.
 */
function netAsNetworkMode(service: unknown, serviceNames: readonly string[]): unknown {
  if (!isDict(service) || !('net' in service) || 'network_mode' in service) return service;
  const { net, ...rest } = service;
  const container = typeof net === 'string' && net.startsWith('container:') ? net.slice('container:'.length) : undefined;
  return { ...rest, network_mode: container !== undefined && serviceNames.includes(container) ? `service:${container}` : net };
}

/**
 * docker-compose 1.x ran a v1 file's services on the engine's default bridge (v1 has no networks), where `links`
 * are legacy links: the engine writes the linked containers into /etc/hosts and gives their addresses, ports and
 * environment as `<ALIAS>_PORT_...`, `<ALIAS>_NAME`, `<ALIAS>_ENV_...` variables, which apps of that time read.
 * On a project network links are names only, so a v1 service stays on the bridge unless it says otherwise.
 */
function onDefaultBridge(service: unknown): unknown {
  if (!isDict(service) || 'network_mode' in service || 'networks' in service) return service;
  return { ...service, network_mode: 'bridge' };
}
