// Before planning: every service's image on the engine, pulled or built as its pull_policy and the flags decide
// (src/plan/pull-policy.ts), side by side. A failure names the service.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { Readable } from 'node:stream';
import type { Engine, ImageDetails } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import { convertUlimits } from './convert/ulimits.js';
import { namedContexts, substituteContexts } from './build/named-contexts.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { serviceImage } from '../observe/observe.js';
import { LABEL } from '../plan/labels.js';
import { decideImage } from '../plan/pull-policy.js';
import type { ImageDecision, ImageFlags } from '../plan/pull-policy.js';
import { progressEvent } from '../progress/events.js';
import type { ProgressSink } from '../progress/events.js';
import { pullImage } from './transfer.js';
import { buildContext, INLINE_DOCKERFILE } from './build/context.js';

export interface ImageOptions {
  /** `--build`: always; `--no-build`: never; else when missing. */
  readonly build: 'missing' | 'always' | 'never';
  /** `build --build-arg`: over the files' own args. */
  readonly buildArgs?: Readonly<Record<string, string>>;
  readonly noCache?: boolean;
  readonly pullBase?: boolean;
  /** `--pull`: one of PULL_FLAG_VALUES, in place of each service's pull_policy. */
  readonly pull?: string;
  /** `--quiet-pull`: each image's line, not its layers'. */
  readonly quietPull?: boolean;
  readonly version: string;
}

/** One image the services run, what the engine holds under its name, and what is to be done about it. */
export interface ImageStep {
  readonly reference: string;
  /** The services that run it, by name. */
  readonly services: readonly ServiceConfig[];
  readonly local: ImageDetails | undefined;
  readonly decision: ImageDecision;
}

/**
 * What to do about each image the services run: the engine's copies read once, then the pure pull_policy decision
 * (src/plan/pull-policy.ts) for each. `up`, `create` and their --dry-run all go through here.
 */
export async function decideImages(engine: Engine, project: Project, services: readonly string[], flags: ImageFlags, now = Date.now()): Promise<ImageStep[]> {
  // One image may serve several services; it is built when one of them says how.
  const byImage = new Map<string, ServiceConfig[]>();
  for (const name of [...services].sort()) {
    const service = project.services[name];
    if (!service) continue;
    const reference = serviceImage(project.name, service);
    byImage.set(reference, [...(byImage.get(reference) ?? []), service]);
  }
  return Promise.all(
    [...byImage].map(async ([reference, users]) => {
      const local = await engine.images.inspect(reference);
      return { reference, services: users, local, decision: decideImage(reference, users, local, flags, now) };
    }),
  );
}

/**
 * Before planning: every service's image on the engine, as decideImages says. Returns the ids of the images it
 * found already there and left as they are, so that observing the project need not ask the engine about them again.
 */
export async function ensureImages(engine: Engine, project: Project, services: readonly string[], options: ImageOptions, sink: ProgressSink): Promise<Record<string, string>> {
  const known: Record<string, string> = {};
  const steps = await decideImages(engine, project, services, { build: options.build, ...(options.pull !== undefined ? { pull: options.pull } : {}) });
  const byImage = new Map(steps.map((step) => [step.reference, step] as const));
  // Images are independent of one another: built and pulled side by side (a build after the images it names).
  const needs = (reference: string): string[] => {
    const builder = byImage.get(reference)!.services.find((service) => service.build !== undefined);
    return builder ? namedContexts(project, builder).services.map((name) => serviceImage(project.name, project.services[name]!)) : [];
  };
  await eachInParallel([...byImage], IMAGE_PARALLELISM, ([reference]) => needs(reference), async ([reference, step]) => {
    const { decision, local } = step;
    const builder = step.services.find((service) => service.build !== undefined);
    const service = builder ?? step.services[0]!;
    const build = () => buildImage(engine, project, builder!, reference, options, sink);
    switch (decision.action) {
      case 'use':
        known[reference] = local!.id;
        return;
      case 'build':
        return build();
      case 'missing':
        throw new BerthError(`service ${service.name}: ${decision.cause}`, { kind: 'not-found' });
      case 'pull': {
        const platform = typeof service.platform === 'string' ? service.platform : undefined;
        const failure = await pullImage(engine, reference, platform, sink, { quiet: options.quietPull === true, fallback: decision.onFailure !== 'fail' });
        if (failure === undefined) return;
        if (decision.onFailure === 'build') return build();
        if (decision.onFailure === 'use') {
          known[reference] = local!.id;
          return;
        }
        throw new BerthError(`service ${service.name}: pulling ${reference} failed: ${failure.message}`, { kind: 'engine', cause: failure });
      }
    }
  });
  return known;
}

/** `berth build`: the images of the services that have a build section, built now. */
export async function buildServices(engine: Engine, project: Project, services: readonly string[], options: ImageOptions, sink: ProgressSink): Promise<void> {
  // Services sharing one image build it once; different images build side by side.
  const byImage = new Map<string, ServiceConfig>();
  for (const name of services) {
    const service = project.services[name];
    if (!service?.build) continue;
    const reference = serviceImage(project.name, service);
    if (!byImage.has(reference)) byImage.set(reference, service);
  }
  const needs = ([, service]: [string, ServiceConfig]): string[] => namedContexts(project, service).services.map((name) => serviceImage(project.name, project.services[name]!));
  await eachInParallel([...byImage], IMAGE_PARALLELISM, needs, ([reference, service]) => buildImage(engine, project, service, reference, options, sink));
}

/** `build.ulimits`, in the form and with the checks of a service's own ulimits. */
function buildUlimits(service: ServiceConfig): Array<{ Name: string; Soft: number; Hard: number }> {
  const fragment = convertUlimits({ name: service.name, ulimits: service.build!.ulimits } as ServiceConfig);
  return (fragment.host?.Ulimits as Array<{ Name: string; Soft: number; Hard: number }> | undefined) ?? [];
}

/** How many images are built or pulled at once. */
export const IMAGE_PARALLELISM = 4;

/**
 * Runs `task` over the items (keyed by their first element), at most `limit` at a time, each once the items it
 * needs (by key, among these) are done; every task runs, then the first failure is thrown. An item whose need
 * failed is not run.
 */
export async function eachInParallel<T extends readonly [string, unknown]>(items: readonly T[], limit: number, needs: (item: T) => readonly string[], task: (item: T) => Promise<void>): Promise<void> {
  const keys = new Set(items.map((item) => item[0]));
  const done = new Set<string>();
  const failed = new Set<string>();
  const failures: unknown[] = [];
  let waiting = [...items];
  while (waiting.length > 0) {
    const ready = waiting.filter((item) => needs(item).every((key) => !keys.has(key) || done.has(key) || failed.has(key)));
    if (ready.length === 0) throw new BerthError(`the builds depend on one another in a cycle: ${waiting.map((item) => item[0]).join(', ')}`);
    waiting = waiting.filter((item) => !ready.includes(item));
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < ready.length) {
        const item = ready[next++]!;
        if (needs(item).some((key) => failed.has(key))) {
          failed.add(item[0]);
          continue;
        }
        await task(item).then(
          () => done.add(item[0]),
          (error: unknown) => {
            failed.add(item[0]);
            failures.push(error);
          },
        );
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, ready.length) }, worker));
  }
  if (failures.length > 0) throw failures[0];
}

/** Build keys berth does not pass to the engine's classic builder, and why: each is a warning when used. */
const NOT_SENT: Readonly<Record<string, string>> = {
  ssh: 'needs BuildKit, which berth does not use yet',
  cache_to: 'needs BuildKit, which berth does not use yet',
  entitlements: 'needs BuildKit, which berth does not use yet',
  no_cache_filter: 'needs BuildKit, which berth does not use yet',
  provenance: 'needs BuildKit, which berth does not use yet',
  sbom: 'needs BuildKit, which berth does not use yet',
  privileged: 'needs BuildKit, which berth does not use yet',
  isolation: 'only applies to Windows engines',
};

/** The labels a built image carries: the service's own, and compose's (version, project, service, builder). */
export function buildLabels(project: Project, service: ServiceConfig, version: string): Record<string, string> {
  const build = service.build!;
  return { ...build.labels, [LABEL.version]: version, [LABEL.project]: project.name, [LABEL.service]: service.name, [LABEL.imageBuilder]: 'classic' };
}

async function buildImage(engine: Engine, project: Project, service: ServiceConfig, reference: string, options: ImageOptions, sink: ProgressSink): Promise<void> {
  const build = service.build!;
  // A secret the build needs cannot be left out quietly (the build would run without it): the classic builder
  // has no way to receive one.
  if (build.secrets !== undefined) {
    throw new BerthError(`services.${service.name}.build.secrets: build secrets need BuildKit, and the engine's classic builder cannot receive them; pass the value as a build arg or copy it into the context instead`);
  }
  for (const [key, why] of Object.entries(NOT_SENT)) {
    if (build[key] !== undefined) sink.note(`WARN[0000] services.${service.name}.build.${key} ${why}: it is ignored for this build`);
  }
  const platforms = build.platforms as string[] | undefined;
  if (platforms && platforms.length > 1) sink.note(`WARN[0000] services.${service.name}.build.platforms: the classic builder builds one platform; building for ${platforms[0]}`);
  const resource = `Image ${reference}`;
  sink.event(progressEvent(resource, 'Building'));
  const named = namedContexts(project, service);
  for (const [name, value] of named.unsupported) {
    sink.note(`WARN[0000] services.${service.name}.build.additional_contexts.${name}: ${value} is not an image; the classic builder takes only images as named contexts (service:name, docker-image://ref), so it is left out`);
  }
  // Image contexts are named in the Dockerfile itself (sent inline), which is how the classic builder can use them.
  let inline = build.dockerfile_inline;
  if (named.images.size > 0) {
    const file = build.dockerfile ?? 'Dockerfile';
    const text = inline ?? readFileSync(isAbsolute(file) ? file : join(build.context, file), 'utf8');
    inline = substituteContexts(text, named.images);
  }
  const dockerfile = inline !== undefined ? INLINE_DOCKERFILE : (build.dockerfile ?? 'Dockerfile');
  const output: string[] = [];
  try {
    const context = buildContext(build.context, dockerfile, inline);
    const args: Record<string, string> = {};
    for (const [key, value] of Object.entries(build.args ?? {})) if (value !== null && value !== undefined) args[key] = value;
    Object.assign(args, options.buildArgs);
    const tags = [reference, ...((build.tags as string[] | undefined) ?? [])];
    await engine.images.build({
      context: Readable.from([context]),
      tag: tags,
      dockerfile,
      buildArgs: args,
      labels: buildLabels(project, service, options.version),
      ...(build.target ? { target: build.target } : {}),
      ...(build.no_cache || options.noCache ? { noCache: true } : {}),
      ...(build.pull || options.pullBase ? { pull: true } : {}),
      ...(build.network ? { network: build.network } : {}),
      ...(typeof build.shm_size === 'number' ? { shmSize: build.shm_size } : {}),
      ...(build.extra_hosts ? { extraHosts: build.extra_hosts.map((entry) => entry.replace('=', ':')) } : {}),
      ...(build.ulimits !== undefined ? { ulimits: buildUlimits(service) } : {}),
      ...(build.cache_from && build.cache_from.length > 0 ? { cacheFrom: build.cache_from } : {}),
      ...(platforms && platforms.length > 0 ? { platform: platforms[0]! } : {}),
      onOutput: (line) => output.push(line),
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    sink.event(progressEvent(resource, 'Error', message));
    const tail = output.join('').trimEnd().split('\n').slice(-10).join('\n');
    throw new BerthError(`service ${service.name}: ${message}${tail ? `\n${tail}` : ''}`, { kind: 'engine', cause: error });
  }
  sink.event(progressEvent(resource, 'Built'));
}
