// Profiles: which services are active. A service without profiles always is; one named on the command line is,
// together with everything it depends on, whatever their profiles.
import { BerthError } from './errors.js';
import { isDict } from './tree.js';
import type { Dict } from './tree.js';

export interface ProfiledTree {
  readonly tree: Dict;
  /** Services left out by profiles, sorted. */
  readonly disabled: readonly string[];
}

export function applyProfiles(tree: Dict, activeProfiles: readonly string[], requestedServices: readonly string[]): ProfiledTree {
  const services = isDict(tree.services) ? tree.services : {};
  const all = activeProfiles.includes('*');
  const enabled = new Set(
    Object.keys(services).filter((name) => {
      const profiles = profilesOf(services[name]);
      return profiles.length === 0 || all || profiles.some((profile) => activeProfiles.includes(profile));
    }),
  );
  const pending = [...requestedServices];
  const visited = new Set<string>();
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (visited.has(name)) continue;
    const service = services[name];
    if (!isDict(service)) throw new BerthError(`no such service: ${name}`, { kind: 'not-found' });
    visited.add(name);
    enabled.add(name);
    pending.push(...requiredServices(service));
  }
  const kept: Dict = {};
  for (const name of Object.keys(services)) if (enabled.has(name)) kept[name] = services[name];
  const disabled = Object.keys(services).filter((name) => !enabled.has(name)).sort();
  return { tree: 'services' in tree ? { ...tree, services: kept } : tree, disabled };
}

/** Every profile any service names, sorted: `config --profiles`. */
export function listProfiles(tree: Dict): string[] {
  const services = isDict(tree.services) ? tree.services : {};
  return [...new Set(Object.values(services).flatMap(profilesOf))].sort();
}

function profilesOf(service: unknown): string[] {
  return isDict(service) && Array.isArray(service.profiles) ? service.profiles.map(String) : [];
}

/** Services this one cannot start without: depends_on (unless `required: false`), links, namespaces, volumes_from. */
function requiredServices(service: Dict): string[] {
  const out: string[] = [];
  const dependsOn = service.depends_on;
  if (Array.isArray(dependsOn)) out.push(...dependsOn.map(String));
  else if (isDict(dependsOn)) {
    for (const [name, spec] of Object.entries(dependsOn)) if (!(isDict(spec) && spec.required === false)) out.push(name);
  }
  if (Array.isArray(service.links)) out.push(...service.links.map((link) => String(link).split(':')[0]!));
  for (const key of ['network_mode', 'ipc', 'pid']) {
    const value = service[key];
    if (typeof value === 'string' && value.startsWith('service:')) out.push(value.slice('service:'.length));
  }
  if (Array.isArray(service.volumes_from)) {
    for (const source of service.volumes_from.map(String)) if (!source.startsWith('container:')) out.push(source.split(':')[0]!);
  }
  return out;
}

/**
 * `--profiles-only` (stop, restart, down): the services a profile enables, those of the active profiles or, when
 * none is active, of every profile; never a service without profiles. Sorted.
 */
export function servicesOfProfiles(services: Readonly<Record<string, { readonly profiles?: readonly string[] }>>, activeProfiles: readonly string[]): string[] {
  const any = activeProfiles.length === 0 || activeProfiles.includes('*');
  return Object.keys(services)
    .filter((name) => {
      const profiles = services[name]!.profiles ?? [];
      return profiles.length > 0 && (any || profiles.some((profile) => activeProfiles.includes(profile)));
    })
    .sort();
}
