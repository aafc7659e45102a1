// Reading `deploy.resources`: the parts of the Swarm-era deploy block that a single engine can honour.
import { BerthError } from '../../model/errors.js';
import { isDict } from '../../model/tree.js';
import type { Dict } from '../../model/tree.js';
import type { ServiceConfig } from '../../model/types.js';
import { servicePath } from './scalars.js';

/** `deploy.resources.<section>` (limits or reservations), or undefined. */
export function deployResources(service: ServiceConfig, section: 'limits' | 'reservations'): Dict | undefined {
  const deploy: unknown = service.deploy;
  if (!isDict(deploy)) return undefined;
  const resources = deploy['resources'];
  if (resources === undefined || resources === null) return undefined;
  if (!isDict(resources)) throw new BerthError('expected a mapping', { path: servicePath(service.name, 'deploy', 'resources') });
  const value = resources[section];
  if (value === undefined || value === null) return undefined;
  if (!isDict(value)) throw new BerthError('expected a mapping', { path: servicePath(service.name, 'deploy', 'resources', section) });
  return value;
}
