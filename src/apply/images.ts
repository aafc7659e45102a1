// Images as the plan asks for them: built through the engine's classic builder from a service's build section,
// pulled, or pushed (with the user's registry credentials, and each layer's progress). Which image needs what was decided by the planner (src/plan/images.ts). A failure names the
// service.
import { readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import type { Engine } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import { convertUlimits } from './convert/ulimits.js';
import { substituteContexts } from './build/named-contexts.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { LABEL } from '../model/labels.js';
import { namedContexts } from '../plan/named-contexts.js';
import type { BuildFlags } from '../plan/types.js';
import type { ProgressEvent, ProgressSink } from '../progress/events.js';
import { layerEvent } from '../progress/layers.js';
import { buildContext, INLINE_DOCKERFILE } from './build/context.js';

/**
 * The image, pulled (on the service's platform) with its layers' progress under `Image <reference>`, unless quiet.
 * A failure is thrown as the engine words it; what it means is the caller's (the plan's onFailure).
 */
export async function pullImage(engine: Engine, sink: ProgressSink, reference: string, platform: string | undefined): Promise<void> {
  const resource = `Image ${reference}`;
  await engine.images.pull(reference, { ...(platform ? { platform } : {}), onProgress: (message) => forward(sink, layerEvent(resource, message, 'pull')) });
}

/** The image, under one of its names, to the registry that name says, with its layers' progress. */
export async function pushImage(engine: Engine, sink: ProgressSink, reference: string): Promise<void> {
  const resource = `Image ${reference}`;
  await engine.images.push(reference, { onProgress: (message) => forward(sink, layerEvent(resource, message, 'push')) });
}

function forward(sink: ProgressSink, event: ProgressEvent | undefined): void {
  if (event) sink.event(event);
}

/** `build.ulimits`, in the form and with the checks of a service's own ulimits. */
function buildUlimits(service: ServiceConfig): Array<{ Name: string; Soft: number; Hard: number }> {
  const fragment = convertUlimits({ name: service.name, ulimits: service.build!.ulimits } as ServiceConfig);
  return (fragment.host?.Ulimits as Array<{ Name: string; Soft: number; Hard: number }> | undefined) ?? [];
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

export interface BuildContext {
  readonly engine: Engine;
  readonly project: Project;
  readonly version: string;
  /** A warning line for the user. */
  readonly note: (line: string) => void;
}

/** Builds the service's image, tagged `reference` and its extra tags. */
export async function buildImage({ engine, project, version, note }: BuildContext, service: ServiceConfig, reference: string, flags: BuildFlags): Promise<void> {
  const build = service.build!;
  for (const [key, why] of Object.entries(NOT_SENT)) {
    if (build[key] !== undefined) note(`WARN[0000] services.${service.name}.build.${key} ${why}: it is ignored for this build`);
  }
  const platforms = build.platforms as string[] | undefined;
  if (platforms && platforms.length > 1) note(`WARN[0000] services.${service.name}.build.platforms: the classic builder builds one platform; building for ${platforms[0]}`);
  const named = namedContexts(project, service);
  for (const [name, value] of named.unsupported) {
    note(`WARN[0000] services.${service.name}.build.additional_contexts.${name}: ${value} is not an image; the classic builder takes only images as named contexts (service:name, docker-image://ref), so it is left out`);
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
    Object.assign(args, flags.args);
    const tags = [reference, ...((build.tags as string[] | undefined) ?? [])];
    await engine.images.build({
      context,
      tag: tags,
      dockerfile,
      buildArgs: args,
      labels: buildLabels(project, service, version),
      ...(build.target ? { target: build.target } : {}),
      ...(build.no_cache || flags.noCache ? { noCache: true } : {}),
      ...(build.pull || flags.pullBase ? { pull: true } : {}),
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
    const tail = output.join('').trimEnd().split('\n').slice(-10).join('\n');
    throw new BerthError(`service ${service.name}: ${message}${tail ? `\n${tail}` : ''}`, { kind: 'engine', cause: error });
  }
}
