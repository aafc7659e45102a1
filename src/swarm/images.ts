// Images pinned to their registry digests before a spec is sent, as `docker stack deploy` does: every node then
// runs the same bytes, and a tag moved in the registry shows up as a change of the spec. The digest comes from the
// registry through the engine (`/distribution`), with the user's credentials for that registry. With `deploy --push`,
// images that are on this engine (built here, or missing from their registry) are pushed first.
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

/** `deploy --push`: images that are on this engine go to their registry before their digests are asked. */
export interface PushStep {
  /** Images of services built here (`build:`): pushed whenever they are on this engine, the local build being what is meant. */
  readonly built: ReadonlySet<string>;
  readonly push: (image: string) => Promise<void>;
  /** --dry-run: `push` only says what it would push, and those images stay unresolved (absent from the result). */
  readonly dryRun: boolean;
}

/**
 * Each distinct image's digest, asked once; an image the registry does not have is a clear error. With `push`, an
 * image built here, or one that is on this engine but not in its registry, is pushed first.
 */
export async function resolveDigests(images: readonly string[], source: DigestSource, push?: PushStep): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const image of [...new Set(images)].sort()) {
    if (image.includes('@')) continue;
    let pushed = false;
    if (push?.built.has(image) && (await source.hasLocalImage(image))) {
      await push.push(image);
      pushed = true;
      if (push.dryRun) continue;
    }
    let failure: unknown;
    try {
      out.set(image, await source.digest(withTag(image)));
      continue;
    } catch (error) {
      failure = error;
    }
    const local = !pushed && (await source.hasLocalImage(image).catch(() => false));
    if (push && local) {
      await push.push(image);
      if (push.dryRun) continue;
      try {
        out.set(image, await source.digest(withTag(image)));
        continue;
      } catch (error) {
        failure = error;
      }
    }
    const why = (failure as Error).message;
    const hint = pushed || (push && local)
      ? 'it was pushed, yet the registry does not give it back: check that the swarm reaches the same registry'
      : local
        ? `it exists only on this engine: push it to a registry the swarm's nodes can reach first (berth deploy --push, berth push, or docker push ${image})`
        : 'push it to a registry the swarm can pull from, or check its name and your credentials (docker login)';
    throw new BerthError(`image ${image} could not be resolved to a registry digest: ${why}\n${hint}`, { kind: 'not-found', cause: failure });
  }
  return out;
}
