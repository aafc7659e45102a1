// The names and labels `docker stack deploy` gives a stack's objects, so that `docker stack ls/ps/rm` see what
// berth deploys (and berth sees what docker deployed).
import { createHash } from 'node:crypto';

/** Every object of a stack carries its stack's name under this label. */
export const NAMESPACE_LABEL = 'com.docker.stack.namespace';
/** A service's image as the compose file names it (the spec holds it pinned to a digest). */
export const IMAGE_LABEL = 'com.docker.stack.image';

/** `<stack>_<name>`: services, and the networks, secrets and configs that have no `name:` of their own. */
export function scoped(stack: string, name: string): string {
  return `${stack}_${name}`;
}

/**
 * A secret's or config's swarm name: its name and the start of its content's hash. Swarm refuses to change the data
 * of a secret in place; a new name for new content makes the services that use it roll onto it.
 */
export function versionedName(name: string, data: Buffer): string {
  return `${name}-${createHash('sha256').update(data).digest('hex').slice(0, 12)}`;
}

/** The filter of every object of one stack. */
export function stackFilter(stack: string): { label: string[] } {
  return { label: [`${NAMESPACE_LABEL}=${stack}`] };
}
