// The resolved project -> what a swarm stack is made of: overlay networks, secrets, configs and one ServiceSpec per
// service, with the names and labels `docker stack deploy` gives them. Pure: file contents and variables come in
// through `inputs`; keys a swarm cannot honour come back as warning lines (one each) rather than being dropped.
import { BerthError } from '../model/errors.js';
import type { Dict } from '../model/tree.js';
import type { Project } from '../model/types.js';
import { toStringMap } from '../apply/convert/scalars.js';
import type { ServiceSpec, SwarmNetworkCreate } from '../engine-client/swarm.js';
import { ignoredKeyWarnings } from './keys.js';
import { NAMESPACE_LABEL, scoped, versionedName } from './names.js';
import { serviceImage, serviceSpec } from './service-spec.js';

export interface SwarmInputs {
  /** The bytes of a `file:` secret or config (an absolute path: the loader resolved it). */
  readonly readFile: (path: string) => Buffer;
}

export interface DesiredNetwork {
  readonly key: string;
  readonly name: string;
  /** External networks must already exist; the others are created with `create`. */
  readonly external: boolean;
  readonly create?: SwarmNetworkCreate;
}

export interface DesiredFileObject {
  readonly kind: 'secrets' | 'configs';
  readonly key: string;
  readonly name: string;
  readonly external: boolean;
  readonly labels: Readonly<Record<string, string>>;
  /** The content (absent for an external object). */
  readonly data?: Buffer;
}

export interface DesiredService {
  readonly key: string;
  /** The image as the compose file names it (deploy pins it to its registry digest). */
  readonly image: string;
  readonly spec: ServiceSpec;
}

export interface SwarmStack {
  readonly name: string;
  readonly networks: readonly DesiredNetwork[];
  readonly fileObjects: readonly DesiredFileObject[];
  readonly services: readonly DesiredService[];
  readonly warnings: readonly string[];
}

export function toSwarmStack(project: Project, inputs: SwarmInputs): SwarmStack {
  const stack = project.name;
  const warnings: string[] = [];
  const services = Object.keys(project.services).sort().map((key) => project.services[key]!);
  for (const service of services) warnings.push(...ignoredKeyWarnings(service));

  const used = new Set(services.flatMap((service) => Object.keys(service.networks ?? {})));
  const networks = Object.keys(project.networks)
    .filter((key) => used.has(key))
    .sort()
    .map((key) => desiredNetwork(stack, key, project.networks[key]!, (text) => warnings.push(text)));
  const fileObjects = [
    ...fileObjectsOf('secrets', project, inputs, services.flatMap((service) => referencedKeys(service.secrets))),
    ...fileObjectsOf('configs', project, inputs, services.flatMap((service) => referencedKeys(service.configs))),
  ];
  const named = (kind: DesiredFileObject['kind']) => Object.fromEntries(fileObjects.filter((object) => object.kind === kind).map((object) => [object.key, { name: object.name }]));
  const context = {
    stack,
    networkNames: Object.fromEntries(networks.map((network) => [network.key, network.name])),
    volumeNames: Object.fromEntries(Object.entries(project.volumes).map(([key, volume]) => [key, volume.name ?? (volume.external === true ? key : scoped(stack, key))])),
    volumes: project.volumes,
    secrets: named('secrets'),
    configs: named('configs'),
    warn: (text: string) => warnings.push(text),
  };
  const desired = services.map((service) => ({ key: service.name, image: serviceImage(service), spec: serviceSpec(service, context) }));
  for (const section of ['models'] as const) if (project.model[section] !== undefined) warnings.push(`${section} are not supported by a swarm and are ignored`);
  return { name: stack, networks, fileObjects, services: desired, warnings };
}

function desiredNetwork(stack: string, key: string, network: Project['networks'][string], warn: (text: string) => void): DesiredNetwork {
  const external = network.external === true;
  // Like docker stack deploy: a network without `name:` is `<stack>_<key>` (the loader's `<project>_<key>` is the same).
  const name = network.name ?? (external ? key : scoped(stack, key));
  if (external) return { key, name, external };
  const driver = network.driver ?? 'overlay';
  if (driver !== 'overlay') warn(`network "${key}": driver ${driver} cannot span a swarm; created as an overlay network`);
  const labels = { ...(network.labels ?? {}), [NAMESPACE_LABEL]: stack };
  const ipam = network.ipam as Dict | undefined;
  const create: SwarmNetworkCreate = {
    Name: name,
    Driver: 'overlay',
    Labels: labels,
    ...(network.attachable === true ? { Attachable: true } : {}),
    ...(network.internal === true ? { Internal: true } : {}),
    ...(network.enable_ipv6 === true ? { EnableIPv6: true } : {}),
    ...(driver === 'overlay' && network.driver_opts && Object.keys(network.driver_opts).length > 0 ? { Options: network.driver_opts } : {}),
    ...(ipam && Object.keys(ipam).length > 0 ? { IPAM: ipamBody(ipam) } : {}),
  };
  return { key, name, external, create };
}

function ipamBody(ipam: Dict): Record<string, unknown> {
  const configs = Array.isArray(ipam.config) ? (ipam.config as Dict[]) : [];
  return {
    Driver: typeof ipam.driver === 'string' ? ipam.driver : 'default',
    Config: configs.map((config) => ({
      ...(typeof config.subnet === 'string' ? { Subnet: config.subnet } : {}),
      ...(typeof config.ip_range === 'string' ? { IPRange: config.ip_range } : {}),
      ...(typeof config.gateway === 'string' ? { Gateway: config.gateway } : {}),
    })),
    ...(ipam.options ? { Options: toStringMap(ipam.options, ['networks', 'ipam', 'options']) } : {}),
  };
}

function referencedKeys(raw: unknown): string[] {
  if (!Array.isArray(raw)) return [];
  return raw.map((entry: unknown) => (typeof entry === 'string' ? entry : String((entry as { source?: unknown }).source)));
}

function fileObjectsOf(kind: 'secrets' | 'configs', project: Project, inputs: SwarmInputs, referenced: readonly string[]): DesiredFileObject[] {
  const keys = [...new Set(referenced)].filter((key) => project[kind][key] !== undefined).sort();
  return keys.map((key) => {
    const definition = project[kind][key]!;
    const path = [kind, key];
    const base = typeof definition.name === 'string' && definition.name !== '' ? definition.name : scoped(project.name, key);
    if (definition.external === true) return { kind, key, name: base, external: true, labels: {} };
    const data = fileObjectData(kind, key, definition, project, inputs, path);
    const labels = { ...(definition.labels ? toStringMap(definition.labels, [...path, 'labels']) : {}), [NAMESPACE_LABEL]: project.name };
    if (definition.driver !== undefined || definition.template_driver !== undefined) {
      throw new BerthError(`${kind} "${key}": driver and template_driver are not supported by berth deploy`, { path });
    }
    return { kind, key, name: versionedName(base, data), external: false, labels, data };
  });
}

function fileObjectData(kind: string, key: string, definition: Dict, project: Project, inputs: SwarmInputs, path: string[]): Buffer {
  if (typeof definition.file === 'string') {
    try {
      return inputs.readFile(definition.file);
    } catch (error) {
      throw new BerthError(`${kind} "${key}": cannot read ${definition.file}: ${(error as Error).message}`, { path: [...path, 'file'], cause: error });
    }
  }
  if (typeof definition.environment === 'string') {
    const value = project.environment[definition.environment];
    if (value === undefined) throw new BerthError(`${kind} "${key}": environment variable ${definition.environment} is not set`, { path: [...path, 'environment'] });
    return Buffer.from(value, 'utf8');
  }
  if (typeof definition.content === 'string') return Buffer.from(definition.content, 'utf8');
  throw new BerthError(`${kind} "${key}" needs file, environment or content (or external: true)`, { path });
}
