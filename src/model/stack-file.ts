// A swarm stack file (`docker-stack.yml`) brought up on one engine that is not a swarm manager. What only a swarm
// can do is adapted or set aside, each with ONE warning line for the whole project (not one per service or
// container): overlay networks become bridge networks (their driver options are overlay's), and the deploy keys that
// describe a swarm's scheduling are dropped. Replicas, resources and the restart policy keep their meaning on one
// engine and stay.
import { isDict } from './tree.js';
import type { Dict } from './tree.js';
import type { NetworkConfig, Project, ServiceConfig } from './types.js';

/** deploy keys that only a swarm acts on. */
export const SWARM_ONLY_DEPLOY_KEYS = ['endpoint_mode', 'labels', 'placement', 'rollback_config', 'update_config'] as const;

export interface OneEngineProject {
  readonly project: Project;
  readonly warnings: readonly string[];
}

export function adaptToOneEngine(project: Project): OneEngineProject {
  const warnings: string[] = [];
  const overlays = Object.keys(project.networks).filter((key) => project.networks[key]!.driver === 'overlay' && project.networks[key]!.external !== true).sort();
  const networks: Record<string, NetworkConfig> = { ...project.networks };
  for (const key of overlays) {
    const { driver_opts: _overlayOptions, ...rest } = networks[key]!;
    networks[key] = { ...rest, driver: 'bridge' };
  }
  if (overlays.length > 0) {
    warnings.push(`networks ${overlays.join(', ')} use the overlay driver, which needs a swarm manager: created as bridge networks on this engine (their driver_opts are ignored)`);
  }
  const users = new Map<string, string[]>();
  const services: Record<string, ServiceConfig> = {};
  for (const [name, service] of Object.entries(project.services)) {
    if (!isDict(service.deploy)) {
      services[name] = service;
      continue;
    }
    const deploy: Dict = { ...service.deploy };
    for (const key of SWARM_ONLY_DEPLOY_KEYS) {
      if (deploy[key] === undefined || deploy[key] === null) continue;
      delete deploy[key];
      users.set(key, [...(users.get(key) ?? []), name]);
    }
    services[name] = Object.freeze({ ...service, deploy });
  }
  for (const key of SWARM_ONLY_DEPLOY_KEYS) {
    const names = users.get(key);
    if (names) warnings.push(`deploy.${key} is a swarm setting, ignored on an engine that is not a swarm manager (services ${names.sort().join(', ')})`);
  }
  if (warnings.length === 0) return { project, warnings };
  return { project: Object.freeze({ ...project, networks: Object.freeze(networks), services: Object.freeze(services) }), warnings };
}
