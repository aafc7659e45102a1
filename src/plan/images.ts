// The images a project's services run, planned: built from a service's build section, pulled, or left as they are,
// as pull_policy, --pull, --build and --no-build say (one decision, `decideImage` in pull-policy.ts, for `up`,
// `create`, `run` and the dry run alike). A build that names another service's image as a context (`service:x`),
// or whose service depends on x, comes after x's image.
import { BerthError } from '../model/errors.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { serviceImage } from '../observe/observe.js';
import { PlanBuilder } from './builder.js';
import { namedContexts } from './named-contexts.js';
import { decideImage, pullPlatform } from './pull-policy.js';
import type { BuildFlags, Plan, PullFallback } from './types.js';

/** `--build`: always; `--no-build`: never; else when the image is missing. */
export type BuildPolicy = 'missing' | 'always' | 'never';

export interface ImagePlanOptions {
  readonly build: BuildPolicy;
  /** `--pull`: one of PULL_FLAG_VALUES (src/plan/pull-policy.ts), over each service's pull_policy. */
  readonly pull?: string;
  readonly flags?: BuildFlags;
  /** Image reference -> when the engine last tagged it (ms), for pull_policy daily/weekly/every_. */
  readonly tagged?: Readonly<Record<string, number>>;
  /** The time those windows are measured against (ms). */
  readonly now: number;
}

/** What an image needs before services can run on it: the pull_policy decision, as an operation (or none). */
type ImageStep =
  | { readonly action: 'build'; readonly cause: string }
  | { readonly action: 'pull'; readonly cause: string; readonly onFailure: 'build' | 'use' | 'fail' }
  | { readonly action: 'none' };

/**
 * `up`, `create`: what each image of these services needs, given the images the engine has (reference -> id), as
 * decideImage (src/plan/pull-policy.ts) says; an image nothing will produce is an error that names the service.
 */
export function planImages(project: Project, services: readonly string[], images: Readonly<Record<string, string>>, options: ImagePlanOptions): Plan {
  const steps = new Map<string, { service: ServiceConfig; step: ImageStep }>();
  const flags = { build: options.build, ...(options.pull !== undefined ? { pull: options.pull } : {}) };
  for (const [reference, users] of imagesOf(project, services)) {
    const service = users.find((user) => user.build !== undefined) ?? users[0]!;
    const tagged = options.tagged?.[reference];
    const local = reference in images ? (tagged !== undefined ? { lastTagTime: tagged } : {}) : undefined;
    const decision = decideImage(reference, users, local, flags, options.now);
    if (decision.action === 'missing') throw new BerthError(`service ${service.name}: ${decision.cause}`, { kind: 'not-found' });
    steps.set(reference, { service, step: decision.action === 'use' ? { action: 'none' } : decision });
  }
  return imagePlan(project, steps, options.flags ?? {}, false);
}

/** `berth build`: the image of every service with a build section, built now; pushed after with `push`. */
export function planBuilds(project: Project, services: readonly string[], options: { readonly flags?: BuildFlags; readonly push?: boolean }): Plan {
  const steps = new Map<string, { service: ServiceConfig; step: ImageStep }>();
  for (const [reference, users] of imagesOf(project, services)) {
    const service = users.find((user) => user.build !== undefined);
    if (service) steps.set(reference, { service, step: { action: 'build', cause: 'build requested' } });
  }
  return imagePlan(project, steps, options.flags ?? {}, options.push ?? false);
}

/** Image reference -> the services (in the order given) that run it. */
function imagesOf(project: Project, services: readonly string[]): Map<string, ServiceConfig[]> {
  const byImage = new Map<string, ServiceConfig[]>();
  for (const name of services) {
    const service = project.services[name];
    if (!service) continue;
    const reference = serviceImage(project.name, service);
    byImage.set(reference, [...(byImage.get(reference) ?? []), service]);
  }
  return byImage;
}

function imagePlan(project: Project, steps: ReadonlyMap<string, { service: ServiceConfig; step: ImageStep }>, flags: BuildFlags, push: boolean): Plan {
  const plan = new PlanBuilder();
  const nodes = new Map<string, number>();
  const visiting: string[] = [];
  // Depth first, so that a build is added after the builds it takes images from.
  const add = (reference: string): number | undefined => {
    if (nodes.has(reference)) return nodes.get(reference);
    const entry = steps.get(reference);
    if (!entry || entry.step.action === 'none') return undefined;
    const { service, step } = entry;
    const resource = `image:${reference}`;
    const mayBuild = step.action === 'build' || step.onFailure === 'build';
    if (mayBuild) refuseUnbuildable(service);
    if (visiting.includes(reference)) throw new BerthError(`the builds depend on one another in a cycle: ${[...visiting.slice(visiting.indexOf(reference)), reference].join(' -> ')}`);
    visiting.push(reference);
    // A build (or a pull that may turn into one) comes after the images it takes as contexts, and after those of
    // the services it depends on: its Dockerfile may start FROM one of them (compose builds them all at once, #5228).
    const dependencies = Object.keys(service.depends_on ?? {}).filter((name) => name in project.services && serviceImage(project.name, project.services[name]!) !== reference);
    const after = (mayBuild ? [...namedContexts(project, service).services, ...dependencies] : []).map((name) => add(serviceImage(project.name, project.services[name]!)));
    visiting.pop();
    const needs = after.filter((node): node is number => node !== undefined);
    if (step.action === 'pull') {
      const platform = pullPlatform(project.environment, service);
      const onFailure: PullFallback = step.onFailure === 'build' ? { kind: 'build', flags } : { kind: step.onFailure === 'use' ? 'warn' : 'fail' };
      const id = plan.add({ kind: 'pull-image', resource, cause: step.cause, service: service.name, reference, ...(platform ? { platform } : {}), onFailure }, needs);
      nodes.set(reference, id);
      return id;
    }
    const id = plan.add({ kind: 'build-image', resource, cause: step.cause, service: service.name, reference, flags }, needs);
    nodes.set(reference, id);
    return id;
  };
  for (const reference of steps.keys()) add(reference);
  if (push) {
    const pushed = new Set<string>();
    for (const [reference, { service }] of steps) {
      for (const name of [reference, ...(service.build?.tags ?? [])]) {
        if (pushed.has(name)) continue;
        pushed.add(name);
        plan.add({ kind: 'push-image', resource: `image:${name}`, cause: 'build --push', service: service.name, reference: name, onFailure: 'fail' }, [nodes.get(reference)!]);
      }
    }
  }
  return plan.build();
}

/** A build the classic builder cannot do right is refused before anything runs. */
function refuseUnbuildable(service: ServiceConfig): void {
  // A secret the build needs cannot be left out quietly (the build would run without it).
  if (service.build?.secrets !== undefined) {
    throw new BerthError(`services.${service.name}.build.secrets: build secrets need BuildKit, and the engine's classic builder cannot receive them; pass the value as a build arg or copy it into the context instead`);
  }
}
