// Images pinned to their registry digests before a spec is sent, as `docker stack deploy` does: every node then
// runs the same bytes, and a tag moved in the registry shows up as a change of the spec. The digest comes from the
// registry through the engine (`/distribution`), with the user's credentials for that registry.
import { BerthError } from '../model/errors.js';
import type { ServiceSpec } from '../engine-client/swarm.js';

/** `registry:5000/app` -> `registry:5000/app:latest`; a reference with a tag or digest stays as it is. */
export function withTag(reference: string): string {
  if (reference.includes('@')) return reference;
  const slash = reference.lastIndexOf('/');
  return reference.lastIndexOf(':') > slash ? reference : `${reference}:latest`;
}

/** `name:tag@sha256:...`: what the spec's image becomes (a reference that names a digest already keeps it). */
export function pinned(reference: string, digest: string): string {
  return reference.includes('@') ? reference : `${withTag(reference)}@${digest}`;
}

export function withImage(spec: ServiceSpec, image: string): ServiceSpec {
  const container = spec.TaskTemplate.ContainerSpec as Record<string, unknown>;
  return { ...spec, TaskTemplate: { ...spec.TaskTemplate, ContainerSpec: { ...container, Image: image } } };
}

export interface DigestSource {
  digest(reference: string): Promise<string>;
  hasLocalImage(reference: string): Promise<boolean>;
}

/** Each distinct image's digest, asked once; an image the registry does not have is a clear error. */
export async function resolveDigests(images: readonly string[], source: DigestSource): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const image of [...new Set(images)].sort()) {
    if (image.includes('@')) continue;
    try {
      out.set(image, await source.digest(withTag(image)));
    } catch (error) {
      const why = (error as Error).message;
      const local = await source.hasLocalImage(image).catch(() => false);
      const hint = local
        ? `it exists only on this engine: push it to a registry the swarm's nodes can reach first (berth push, or docker push ${image})`
        : 'push it to a registry the swarm can pull from, or check its name and your credentials (docker login)';
      throw new BerthError(`image ${image} could not be resolved to a registry digest: ${why}\n${hint}`, { kind: 'not-found', cause: error });
    }
  }
  return out;
}
