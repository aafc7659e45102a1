// The deploy diff, pure: the stack as converted (images already pinned to digests) against what the swarm holds.
// A service whose spec, normalised, equals the stored one is left alone (no version bump, unlike `docker stack
// deploy`, which updates every service every time); a changed one is updated from the version it was read at;
// objects that are missing are created first. Every operation says why.
import type { ServiceSpec, SwarmFileObject, SwarmService } from '../engine-client/swarm.js';
import { BerthError } from '../model/errors.js';
import type { DesiredFileObject, DesiredNetwork, SwarmStack } from './convert.js';
import { NAMESPACE_LABEL } from './names.js';
import { holderOf, portClashes } from './ports.js';

export interface ObservedStack {
  /** The stack's services (by the namespace label). */
  readonly services: readonly SwarmService[];
  /** Every other service of the swarm (for the ports they publish). */
  readonly otherServices: readonly SwarmService[];
  /** Network name -> id, for every network the stack names. */
  readonly networks: ReadonlyMap<string, string>;
  /** The stack's secrets and configs, and the external ones it names. */
  readonly secrets: readonly SwarmFileObject[];
  readonly configs: readonly SwarmFileObject[];
}

export type DeployOperation =
  | { readonly kind: 'create-network'; readonly network: DesiredNetwork }
  | { readonly kind: 'create-file-object'; readonly object: DesiredFileObject; readonly replaces?: readonly string[] }
  | { readonly kind: 'create-service'; readonly key: string; readonly spec: ServiceSpec }
  | { readonly kind: 'update-service'; readonly key: string; readonly id: string; readonly version: number; readonly spec: ServiceSpec; readonly changed: readonly string[] }
  | { readonly kind: 'remove-service'; readonly name: string; readonly id: string }
  | { readonly kind: 'remove-file-object'; readonly objectKind: 'secrets' | 'configs'; readonly name: string; readonly id: string };

export interface DeployPlan {
  readonly operations: readonly DeployOperation[];
  /** Services whose stored spec already is the desired one. */
  readonly unchanged: readonly string[];
}

export interface PlanOptions {
  /** Remove the stack's services that the compose file no longer has. */
  readonly prune: boolean;
}

export function planDeploy(stack: SwarmStack, observed: ObservedStack, options: PlanOptions): DeployPlan {
  const operations: DeployOperation[] = [];
  const missing = (reason: string): never => {
    throw new BerthError(reason, { kind: 'not-found' });
  };
  for (const network of stack.networks) {
    if (observed.networks.has(network.name)) continue;
    if (network.external) missing(`network "${network.name}" is declared as external, but could not be found (create it with \`docker network create --driver overlay ${network.name}\`)`);
    operations.push({ kind: 'create-network', network });
  }
  for (const object of stack.fileObjects) {
    const known = object.kind === 'secrets' ? observed.secrets : observed.configs;
    if (known.some((other) => other.name === object.name)) continue;
    if (object.external) missing(`${object.kind === 'secrets' ? 'secret' : 'config'} "${object.name}" is declared as external, but could not be found`);
    // Content is never changed in place (a manager refuses it): new content is a new version, and the old one goes.
    const replaces = known.filter((other) => other.labels[NAMESPACE_LABEL] === stack.name && sameBaseName(other.name, object.name)).map((other) => other.name);
    operations.push({ kind: 'create-file-object', object, ...(replaces.length > 0 ? { replaces } : {}) });
  }
  const wanted = new Set(stack.services.map((service) => service.spec.Name));
  const leftOver = observed.services.filter((service) => !wanted.has(service.spec.Name)).map((service) => ({ ...holderOf(service), leftOver: true }));
  const holders = [...observed.otherServices.map(holderOf), ...leftOver];
  const clashes = portClashes(stack.services, holders);
  if (clashes.length > 0) {
    throw new BerthError(`${clashes.join('\n')}\nnothing was deployed: publish another port, or free it on the swarm first`, { kind: 'conflict' });
  }
  const stored = new Map(observed.services.map((service) => [service.spec.Name, service]));
  const networkNames = new Map([...observed.networks].map(([name, id]) => [id, name]));
  const unchanged: string[] = [];
  for (const service of stack.services) {
    const current = stored.get(service.spec.Name);
    if (current === undefined) {
      operations.push({ kind: 'create-service', key: service.key, spec: service.spec });
      continue;
    }
    const changed = specDifferences(service.spec, withNetworkNames(current.spec, networkNames));
    if (changed.length === 0) unchanged.push(service.key);
    else operations.push({ kind: 'update-service', key: service.key, id: current.id, version: current.version, spec: service.spec, changed });
  }
  if (options.prune) {
    for (const service of observed.services) {
      if (!wanted.has(service.spec.Name)) operations.push({ kind: 'remove-service', name: service.spec.Name, id: service.id });
    }
  }
  // Older versions of the stack's secrets and configs (names carry a content hash), once no service refers to them.
  const referenced = new Set(stack.fileObjects.map((object) => `${object.kind}/${object.name}`));
  const kept = options.prune ? [] : observed.services.filter((service) => !wanted.has(service.spec.Name)).flatMap((service) => fileObjectNames(service.spec));
  for (const name of kept) referenced.add(name);
  for (const [objectKind, known] of [['secrets', observed.secrets], ['configs', observed.configs]] as const) {
    for (const object of known) {
      if (object.labels[NAMESPACE_LABEL] !== stack.name || referenced.has(`${objectKind}/${object.name}`)) continue;
      operations.push({ kind: 'remove-file-object', objectKind, name: object.name, id: object.id });
    }
  }
  return { operations, unchanged };
}

/** A manager stores the networks a spec names by their ids: back to the names the converter writes. */
function withNetworkNames(spec: ServiceSpec, names: ReadonlyMap<string, string>): ServiceSpec {
  const networks = spec.TaskTemplate.Networks as Array<{ Target?: string }> | undefined;
  if (!Array.isArray(networks)) return spec;
  const named = networks.map((network) => ({ ...network, Target: names.get(network.Target ?? '') ?? network.Target }));
  named.sort((a, b) => ((a.Target ?? '') < (b.Target ?? '') ? -1 : (a.Target ?? '') > (b.Target ?? '') ? 1 : 0));
  return { ...spec, TaskTemplate: { ...spec.TaskTemplate, Networks: named } };
}

/** `shop_token-<hash>` and `shop_token-<other hash>`: two versions of one secret or config. */
function sameBaseName(a: string, b: string): boolean {
  const base = (name: string) => /^(.*)-[0-9a-f]{12}$/.exec(name)?.[1];
  return base(a) !== undefined && base(a) === base(b);
}

/** `secrets/<name>` and `configs/<name>` a stored spec refers to. */
function fileObjectNames(spec: ServiceSpec): string[] {
  const container = (spec.TaskTemplate.ContainerSpec ?? {}) as { Secrets?: Array<{ SecretName?: string }>; Configs?: Array<{ ConfigName?: string }> };
  return [...(container.Secrets ?? []).map((secret) => `secrets/${secret.SecretName}`), ...(container.Configs ?? []).map((config) => `configs/${config.ConfigName}`)];
}

/**
 * The top-level paths (`TaskTemplate.ContainerSpec.Env`) where the desired spec and the stored one differ, after
 * both are normalised: empty values dropped, the defaults a manager fills in removed, object ids (which the desired
 * spec gets only when it is sent) left out.
 */
export function specDifferences(desired: ServiceSpec, stored: ServiceSpec): string[] {
  const a = normalise(desired, []) ?? {};
  const b = normalise(stored, []) ?? {};
  const out: string[] = [];
  diff(a, b, [], out);
  return out;
}

/** Whether a task was made from this task template (a manager stores both with defaults of its own filled in). */
export function sameTaskTemplate(taskSpec: unknown, template: unknown): boolean {
  return JSON.stringify(normalise(taskSpec, ['TaskTemplate'])) === JSON.stringify(normalise(template, ['TaskTemplate']));
}

/** Values a manager writes into a stored spec when the one sent left them out. */
const MANAGER_DEFAULTS: ReadonlyArray<readonly [string, unknown]> = [
  ['TaskTemplate.Runtime', 'container'],
  ['TaskTemplate.ContainerSpec.Isolation', 'default'],
  ['EndpointSpec.Mode', 'vip'],
];
const IGNORED = new Set(['TaskTemplate.ContainerSpec.Secrets.SecretID', 'TaskTemplate.ContainerSpec.Configs.ConfigID', 'TaskTemplate.ForceUpdate']);

function normalise(value: unknown, path: readonly string[]): unknown {
  const at = path.join('.');
  if (IGNORED.has(at)) return undefined;
  if (MANAGER_DEFAULTS.some(([where, fallback]) => where === at && value === fallback)) return undefined;
  if (value === null || value === undefined || value === '' || value === false || value === 0) return undefined;
  if (Array.isArray(value)) {
    const items = value.map((item) => normalise(item, path)).filter((item) => item !== undefined);
    return items.length > 0 ? items : undefined;
  }
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const item = normalise((value as Record<string, unknown>)[key], [...path, key]);
      if (item !== undefined) out[key] = item;
    }
    return Object.keys(out).length > 0 ? out : undefined;
  }
  return value;
}

function diff(a: unknown, b: unknown, path: readonly string[], out: string[]): void {
  if (isRecord(a) && isRecord(b)) {
    for (const key of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) diff(a[key], b[key], [...path, key], out);
    return;
  }
  if (JSON.stringify(a) !== JSON.stringify(b)) out.push(path.join('.') || '(spec)');
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
