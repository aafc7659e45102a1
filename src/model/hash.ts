// The config hash compose stores on each container (com.docker.compose.config-hash): sha256 of the service as
// compose's JSON encoder writes it, leaving out what may change without recreating containers.
import { createHash } from 'node:crypto';
import { renderCompactJson } from './output/render.js';
import { isDict } from './tree.js';
import type { Dict } from './tree.js';

export function serviceConfigHash(service: Dict): string {
  const hashed: Dict = { ...service };
  for (const key of ['build', 'pull_policy', 'scale', 'depends_on', 'profiles']) delete hashed[key];
  if (isDict(hashed.deploy)) {
    const { replicas: _replicas, ...deploy } = hashed.deploy;
    hashed.deploy = deploy;
  }
  return sha256(renderCompactJson('Service', hashed));
}

/** A network's hash (com.docker.compose.config-hash on the network): a change recreates it. */
export function networkConfigHash(network: Dict): string {
  return sha256(renderCompactJson('Network', network));
}

/** A volume's hash; compose counts an unset driver as `local`. */
export function volumeConfigHash(volume: Dict): string {
  return sha256(renderCompactJson('Volume', { ...volume, driver: volume.driver || 'local' }));
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
