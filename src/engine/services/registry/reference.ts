// Image references as dockerd reads them: `[domain/]path[:tag][@digest]`, with Docker Hub's short names made whole
// (`busybox` -> `docker.io/library/busybox:latest`) and made short again for display. Pure functions.
import { invalid } from '../../errors.js';

export interface ImageReference {
  /** `docker.io`, `127.0.0.1:5000`, `registry.example.com`. */
  readonly domain: string;
  /** The repository inside the registry: `library/busybox`, `team/app`. */
  readonly path: string;
  readonly tag?: string;
  readonly digest?: string;
}

export const DOCKER_HUB = 'docker.io';
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*|\[[0-9a-fA-F:.]+\])(?::[0-9]{1,5})?$/;
const TAG = /^[\w][\w.-]{0,127}$/;
const DIGEST = /^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[a-fA-F0-9]{32,}$/;
const MAX_NAME = 255;

/** Parses a reference the way the docker CLI and dockerd do; anything else is `invalid reference format`. */
export function parseReference(text: string): ImageReference {
  if (typeof text !== 'string' || text === '' || text.length > 1024) throw invalid('invalid reference format');
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST.test(digest)) throw invalid(`invalid reference format: invalid digest ${JSON.stringify(digest.slice(0, 80))}`);
  }
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG.test(tag)) throw invalid('invalid reference format');
  }
  const slash = rest.indexOf('/');
  const first = slash >= 0 ? rest.slice(0, slash) : '';
  let domain = DOCKER_HUB;
  let path = rest;
  if (slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase())) {
    domain = first;
    path = rest.slice(slash + 1);
    if (!DOMAIN.test(domain)) throw invalid('invalid reference format');
  }
  if (domain === 'index.docker.io') domain = DOCKER_HUB;
  if (path !== path.toLowerCase()) throw invalid('invalid reference format: repository name must be lowercase');
  if (path === '' || !path.split('/').every((component) => COMPONENT.test(component))) throw invalid('invalid reference format');
  if (domain === DOCKER_HUB && !path.includes('/')) path = `library/${path}`;
  if (`${domain}/${path}`.length > MAX_NAME) throw invalid(`invalid reference format: repository name must not be more than ${MAX_NAME} characters`);
  return { domain, path, ...(tag !== undefined ? { tag } : {}), ...(digest !== undefined ? { digest } : {}) };
}

/** `docker.io/library/busybox` */
export function repositoryName(reference: Pick<ImageReference, 'domain' | 'path'>): string {
  return `${reference.domain}/${reference.path}`;
}

/** The reference with `latest` filled in when it has neither tag nor digest. */
export function withDefaultTag(reference: ImageReference): ImageReference {
  return reference.tag === undefined && reference.digest === undefined ? { ...reference, tag: 'latest' } : reference;
}

/** The whole form the engine keys its index by: `docker.io/library/busybox:latest`, `host:5000/app@sha256:...`. */
export function canonical(reference: ImageReference): string {
  const name = repositoryName(reference);
  if (reference.digest) return `${name}@${reference.digest}`;
  return `${name}:${reference.tag ?? 'latest'}`;
}

/** The short form users see: `docker.io/library/busybox:latest` -> `busybox:latest`. */
export function familiarName(name: string): string {
  if (name.startsWith(`${DOCKER_HUB}/library/`) && !name.slice(`${DOCKER_HUB}/library/`.length).split(/[:@]/)[0]!.includes('/')) return name.slice(`${DOCKER_HUB}/library/`.length);
  if (name.startsWith(`${DOCKER_HUB}/`)) return name.slice(`${DOCKER_HUB}/`.length);
  return name;
}

/** `busybox:1.36@sha256:...` as the user wrote it but in familiar form (for the `Status:` lines of a pull). */
export function familiarReference(reference: ImageReference): string {
  let text = familiarName(repositoryName(reference));
  if (reference.tag) text += `:${reference.tag}`;
  if (reference.digest) text += `@${reference.digest}`;
  return text;
}
