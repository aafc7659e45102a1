// The resolved project: readonly types over the canonical tree. Field names are the Compose Specification's own,
// so that a reader can go from a compose file to the code without a translation table.
import { BerthError } from './errors.js';
import type { LoadedModel } from './load.js';
import { isDict } from './tree.js';
import type { Dict } from './tree.js';

export interface PortConfig {
  readonly name?: string;
  readonly mode?: string;
  readonly host_ip?: string;
  readonly target: number;
  readonly published?: string;
  readonly protocol?: string;
  readonly app_protocol?: string;
}

export interface VolumeMount {
  readonly type: 'bind' | 'volume' | 'tmpfs' | 'npipe' | 'cluster' | 'image';
  readonly source?: string;
  readonly target: string;
  readonly read_only?: boolean;
  readonly consistency?: string;
  readonly bind?: { readonly propagation?: string; readonly create_host_path?: boolean; readonly selinux?: string; readonly recursive?: string };
  readonly volume?: { readonly nocopy?: boolean; readonly subpath?: string; readonly labels?: Readonly<Record<string, string>> };
  readonly tmpfs?: { readonly size?: number | string; readonly mode?: number | string };
  readonly image?: { readonly subpath?: string };
}

export interface DependsOn {
  readonly condition: 'service_started' | 'service_healthy' | 'service_completed_successfully';
  readonly required: boolean;
  readonly restart?: boolean;
}

export interface HealthCheck {
  readonly test?: readonly string[];
  readonly timeout?: string;
  readonly interval?: string;
  readonly retries?: number;
  readonly start_period?: string;
  readonly start_interval?: string;
  readonly disable?: boolean;
}

export interface ServiceNetwork {
  readonly aliases?: readonly string[];
  readonly ipv4_address?: string;
  readonly ipv6_address?: string;
  readonly link_local_ips?: readonly string[];
  readonly mac_address?: string;
  readonly driver_opts?: Readonly<Record<string, string>>;
  readonly priority?: number;
  readonly gw_priority?: number;
  readonly interface_name?: string;
}

export interface BuildConfig {
  readonly context: string;
  readonly dockerfile?: string;
  readonly dockerfile_inline?: string;
  readonly args?: Readonly<Record<string, string | null>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly target?: string;
  readonly tags?: readonly string[];
  readonly cache_from?: readonly string[];
  readonly network?: string;
  readonly extra_hosts?: readonly string[];
  readonly shm_size?: number | string;
  readonly no_cache?: boolean;
  readonly pull?: boolean;
  readonly additional_contexts?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

/** A service as the canonical form has it. Keys berth does not act on stay reachable through the index signature. */
export interface ServiceConfig {
  readonly name: string;
  readonly image?: string;
  readonly build?: BuildConfig;
  readonly command?: readonly string[] | null;
  readonly entrypoint?: readonly string[] | null;
  readonly environment?: Readonly<Record<string, string | null>>;
  readonly labels?: Readonly<Record<string, string>>;
  readonly ports?: readonly PortConfig[];
  readonly expose?: readonly string[];
  readonly volumes?: readonly VolumeMount[];
  readonly volumes_from?: readonly string[];
  readonly networks?: Readonly<Record<string, ServiceNetwork | null>>;
  readonly network_mode?: string;
  readonly depends_on?: Readonly<Record<string, DependsOn>>;
  readonly links?: readonly string[];
  readonly healthcheck?: HealthCheck;
  readonly container_name?: string;
  readonly scale?: number;
  readonly deploy?: { readonly replicas?: number; readonly [key: string]: unknown };
  readonly restart?: string;
  readonly profiles?: readonly string[];
  readonly pull_policy?: string;
  readonly develop?: Dict;
  readonly [key: string]: unknown;
}

export interface NetworkConfig {
  readonly name?: string;
  readonly driver?: string;
  readonly driver_opts?: Readonly<Record<string, string>>;
  readonly ipam?: Dict;
  readonly external?: boolean;
  readonly internal?: boolean;
  readonly attachable?: boolean;
  readonly enable_ipv6?: boolean;
  readonly labels?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

export interface VolumeConfig {
  readonly name?: string;
  readonly driver?: string;
  readonly driver_opts?: Readonly<Record<string, string>>;
  readonly external?: boolean;
  readonly labels?: Readonly<Record<string, string>>;
  readonly [key: string]: unknown;
}

export interface Project {
  readonly name: string;
  readonly workingDir: string;
  readonly configFiles: readonly string[];
  readonly environment: Readonly<Record<string, string>>;
  readonly services: Readonly<Record<string, ServiceConfig>>;
  readonly networks: Readonly<Record<string, NetworkConfig>>;
  readonly volumes: Readonly<Record<string, VolumeConfig>>;
  readonly secrets: Readonly<Record<string, Dict>>;
  readonly configs: Readonly<Record<string, Dict>>;
  readonly disabledServices: readonly string[];
  /** The canonical tree the types were bound from (what `config` prints and the config hash reads). */
  readonly model: Dict;
}

/**
 * The canonical tree has been validated against the Compose schema and put in long form by the passes, so binding
 * checks the shape the rest of berth relies on (maps where maps must be) and names the path where it is not.
 */
export function bindProject(loaded: LoadedModel): Project {
  const services: Record<string, ServiceConfig> = {};
  for (const [name, value] of Object.entries(section(loaded.tree, 'services'))) {
    if (!isDict(value)) throw new BerthError(`services.${name} must be a mapping`, { path: ['services', name] });
    services[name] = Object.freeze({ ...value, name }) as ServiceConfig;
  }
  return Object.freeze({
    name: loaded.name,
    workingDir: loaded.workingDir,
    configFiles: loaded.configFiles,
    environment: loaded.environment,
    services: Object.freeze(services),
    networks: section(loaded.tree, 'networks') as Record<string, NetworkConfig>,
    volumes: section(loaded.tree, 'volumes') as Record<string, VolumeConfig>,
    secrets: section(loaded.tree, 'secrets') as Record<string, Dict>,
    configs: section(loaded.tree, 'configs') as Record<string, Dict>,
    disabledServices: loaded.disabledServices,
    model: loaded.tree,
  });
}

function section(tree: Dict, key: string): Record<string, Dict> {
  const value = tree[key];
  if (value === undefined || value === null) return {};
  if (!isDict(value)) throw new BerthError(`${key} must be a mapping`, { path: [key] });
  const out: Record<string, Dict> = {};
  for (const [name, entry] of Object.entries(value)) {
    if (entry !== null && entry !== undefined && !isDict(entry)) {
      throw new BerthError(`${key}.${name} must be a mapping`, { path: [key, name] });
    }
    out[name] = (entry ?? {}) as Dict;
  }
  return out;
}
