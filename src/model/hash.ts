// The config hash compose stores on each container (com.docker.compose.config-hash): sha256 of the service as
// compose's JSON encoder writes it, leaving out what may change without recreating containers.
import { createHash } from 'node:crypto';
import { renderServiceJson } from './output/render.js';
import { isDict } from './tree.js';
import type { Dict } from './tree.js';

export function serviceConfigHash(service: Dict): string {
  const hashed: Dict = { ...service };
  for (const key of ['build', 'pull_policy', 'scale', 'depends_on', 'profiles']) delete hashed[key];
  if (isDict(hashed.deploy)) {
    const { replicas: _replicas, ...deploy } = hashed.deploy;
    hashed.deploy = deploy;
  }
  return createHash('sha256').update(renderServiceJson(hashed)).digest('hex');
}
