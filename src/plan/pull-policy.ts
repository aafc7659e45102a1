// What to do about a service's image before its containers are made: use what the engine has, pull it, build it,
// or fail because nothing will produce it. Pure: given the services that run the image, what the engine holds
// (and when it last tagged it), the flags and the time, it decides as docker compose does (pull.go's mustPull and
// build.go's ensureImagesExists), and says why.
import { parseDuration } from '../model/duration.js';
import { BerthError } from '../model/errors.js';
import type { ServiceConfig } from '../model/types.js';

export type PullPolicy =
  | { readonly kind: 'always' | 'never' | 'missing' | 'build' }
  /** daily, weekly, every_<duration>: pull when the engine tagged its copy longer ago than this. */
  | { readonly kind: 'refresh'; readonly everyMs: number };

/** `up --pull` values (compose's list); each replaces every service's pull_policy. */
export const PULL_FLAG_VALUES = ['always', 'missing', 'never', 'build', 'if_not_present'] as const;

/**
 * pull_policy as compose-go reads it: unset (and anything it does not know, `refresh` included) is `missing`;
 * `daily` is 24 h, `weekly` 7 days, `every_<duration>` takes Go durations plus d and w.
 */
export function parsePullPolicy(value: string | undefined, service: string): PullPolicy {
  switch (value) {
    case 'always':
    case 'never':
    case 'build':
    case 'missing':
      return { kind: value };
    case 'if_not_present':
      return { kind: 'missing' };
    case 'daily':
      return { kind: 'refresh', everyMs: DAY };
    case 'weekly':
      return { kind: 'refresh', everyMs: 7 * DAY };
  }
  if (value?.startsWith('every_')) {
    let nanoseconds = 0;
    try {
      nanoseconds = parseDuration(value.slice('every_'.length));
    } catch {
      // reported below, with the key
    }
    if (!(nanoseconds > 0)) throw new BerthError(`services.${service}.pull_policy: "${value}" needs a positive duration after every_ (every_12h, every_2d)`, { kind: 'invalid' });
    return { kind: 'refresh', everyMs: nanoseconds / 1e6 };
  }
  return { kind: 'missing' };
}

const DAY = 24 * 3600 * 1000;

/** What the engine holds under the image's name. */
export interface LocalImage {
  /** When the engine last tagged it (pull, build, tag), ms; absent when the engine never recorded it. */
  readonly lastTagTime?: number;
}

export type ImageService = Pick<ServiceConfig, 'name' | 'image' | 'build' | 'pull_policy'>;

export interface ImageFlags {
  /** `--build`: every buildable image is built; `--no-build`: none is; else when missing (or pull_policy: build). */
  readonly build: 'missing' | 'always' | 'never';
  /** `--pull`: one of PULL_FLAG_VALUES, in place of every service's pull_policy. */
  readonly pull?: string;
}

export type ImageDecision =
  | { readonly action: 'use'; readonly cause: string }
  /**
   * Pull; when that fails: build instead (the image is missing and can be built), go on with the copy the engine
   * has (it can be built, so the registry need not have it), or fail.
   */
  | { readonly action: 'pull'; readonly cause: string; readonly onFailure: 'build' | 'use' | 'fail' }
  | { readonly action: 'build'; readonly cause: string }
  /** Nothing will put the image on the engine: `up` fails with this. */
  | { readonly action: 'missing'; readonly cause: string };

/**
 * The decision for one image, given every service that runs it (one with a build section says how to build it).
 * Order as compose: pull_policy build (or --build) builds; else a pull when a service's policy wants one; else a
 * missing buildable image is built; else what is there is used; else nothing can make it.
 */
export function decideImage(reference: string, services: readonly ImageService[], local: LocalImage | undefined, flags: ImageFlags, now: number): ImageDecision {
  const builder = services.find((service) => service.build !== undefined);
  const policies = services.map((service) => ({ service, policy: effectivePolicy(service, flags) }));
  const canBuild = builder !== undefined && flags.build !== 'never';
  const wantsBuild = policies.find(({ service, policy }) => service.build !== undefined && policy.kind === 'build');
  if (wantsBuild && canBuild) return { action: 'build', cause: flags.build === 'always' ? '--build' : `pull_policy: build (service ${wantsBuild.service.name})` };
  for (const { service, policy } of policies) {
    // A service without an image key runs the image its build makes: there is nothing to pull.
    if (service.image === undefined || service.image === '') continue;
    const why = pullReason(policy, local, now, policyText(service, flags));
    if (why === undefined) continue;
    const onFailure = builder === undefined ? 'fail' : local ? 'use' : canBuild ? 'build' : 'fail';
    return { action: 'pull', cause: `${why} (service ${service.name})`, onFailure };
  }
  if (!local && canBuild) return { action: 'build', cause: `image ${reference} is not on the engine (service ${builder.name})` };
  if (local) return { action: 'use', cause: `image ${reference} is on the engine` };
  return { action: 'missing', cause: `No such image: ${reference} (${missingWhy(services, flags)})` };
}

/** compose's mustPull: why this policy pulls now, or undefined when it does not. */
function pullReason(policy: PullPolicy, local: LocalImage | undefined, now: number, written: string): string | undefined {
  switch (policy.kind) {
    case 'always':
      return written;
    case 'never':
    case 'build':
      return undefined;
    case 'missing':
      return local ? undefined : 'image not on the engine';
    case 'refresh':
      if (!local) return 'image not on the engine';
      // compose compares with the time the engine last tagged its copy; an engine that never recorded one
      // (year 1 in its answer) has a copy too old to keep.
      if (local.lastTagTime === undefined) return `${written}: the engine does not say when it got its copy`;
      return now > local.lastTagTime + policy.everyMs ? `${written}: the engine's copy is older than that` : undefined;
  }
}

function effectivePolicy(service: ImageService, flags: ImageFlags): PullPolicy {
  if (flags.build === 'always' && service.build !== undefined) return { kind: 'build' };
  return parsePullPolicy(flags.pull ?? service.pull_policy, service.name);
}

function policyText(service: ImageService, flags: ImageFlags): string {
  return flags.pull !== undefined ? `--pull ${flags.pull}` : `pull_policy: ${service.pull_policy ?? 'missing'}`;
}

function missingWhy(services: readonly ImageService[], flags: ImageFlags): string {
  const first = services[0];
  const policy = first ? policyText(first, flags) : '';
  if (services.some((service) => service.build !== undefined)) return `--no-build, and ${policy}`;
  return first?.image ? `${policy}, so it is not pulled` : 'no image to pull and no build section';
}

export type PullVerbDecision = { readonly pull: true } | { readonly pull: false; readonly reason: string };

/**
 * `berth pull`: whether a service's image is pulled. As compose's shouldPullImage: an explicit pull refreshes
 * images whose policy does not say otherwise (unset, always, a refresh window not yet over); `missing` skips a
 * present image unless its tag is `latest`; never and build skip.
 */
export function decidePullVerb(service: ImageService, local: LocalImage | undefined, policyFlag?: string): PullVerbDecision {
  const written = policyFlag ?? service.pull_policy;
  if (written === undefined) return { pull: true };
  const policy = parsePullPolicy(written, service.name);
  switch (policy.kind) {
    case 'always':
    case 'refresh':
      return { pull: true };
    case 'never':
    case 'build':
      return { pull: false, reason: '' };
    case 'missing':
      if (!local || isLatest(service.image ?? '')) return { pull: true };
      return { pull: false, reason: 'Image is already present locally' };
  }
}

/** Whether a reference names the `latest` tag (a bare name does). */
export function isLatest(reference: string): boolean {
  if (reference.includes('@')) return false;
  const slash = reference.lastIndexOf('/');
  const colon = reference.lastIndexOf(':');
  return colon <= slash || reference.slice(colon + 1) === 'latest';
}

/** The platform an image is pulled for: the service's own, else DOCKER_DEFAULT_PLATFORM, as compose does. */
export function pullPlatform(environment: Readonly<Record<string, string | undefined>>, service: Readonly<Record<string, unknown>>): string | undefined {
  if (typeof service.platform === 'string' && service.platform !== '') return service.platform;
  return environment.DOCKER_DEFAULT_PLATFORM || undefined;
}
