// The images a project's services run, planned: built from a service's build section, pulled, or left as they are,
// as pull_policy, --pull, --build and --no-build say (one decision, `imageStep`, for `up`, `create`, `run` and the
// dry run alike). A build that names another service's image as a context (`service:x`) comes after x's build.
import { BerthError } from '../model/errors.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { serviceImage } from '../observe/observe.js';
import { PlanBuilder } from './builder.js';
import { namedContexts } from './named-contexts.js';
import type { BuildFlags, Plan } from './types.js';

/** `--build`: always; `--no-build`: never; else when the image is missing. */
export type BuildPolicy = 'missing' | 'always' | 'never';

export interface ImagePlanOptions {
  readonly build: BuildPolicy;
  /** `--pull`: over each service's pull_policy. */
  readonly pull?: 'always' | 'missing' | 'never';
  readonly flags?: BuildFlags;
}

/** What an image needs before services can run on it. */
export type ImageStep =
  | { readonly action: 'build'; readonly cause: string }
  | { readonly action: 'pull'; readonly cause: string; readonly keepOnFailure: boolean }
  | { readonly action: 'none' };

export interface ImageFacts {
  /** The service that says how to get it (the one with a build section, when one has). */
  readonly service: Pick<ServiceConfig, 'name' | 'build' | 'pull_policy'>;
  readonly reference: string;
  /** The engine has an image by that name. */
  readonly present: boolean;
}

/** The pull_policy decision: build, pull or nothing; an image that can be neither found nor pulled is an error. */
export function imageStep({ service, reference, present }: ImageFacts, options: Pick<ImagePlanOptions, 'build' | 'pull'>): ImageStep {
  const policy = options.pull ?? service.pull_policy ?? 'missing';
  const why = options.pull ? `--pull ${options.pull}` : `pull_policy: ${policy}`;
  const buildable = service.build !== undefined;
  if (buildable && options.build === 'always') return { action: 'build', cause: '--build' };
  if (buildable && policy === 'build') return { action: 'build', cause: why };
  if (present && policy !== 'always') return { action: 'none' };
  if (!present && buildable && options.build !== 'never') return { action: 'build', cause: 'image not found' };
  if (policy === 'never') {
    if (present) return { action: 'none' };
    throw new BerthError(`service ${service.name}: image ${reference} is not on the engine and its pull_policy is never`, { kind: 'not-found' });
  }
  return present ? { action: 'pull', cause: why, keepOnFailure: true } : { action: 'pull', cause: 'image not found', keepOnFailure: false };
}

/** `up`, `create`: what each image of these services needs, given the images the engine has (reference -> id). */
export function planImages(project: Project, services: readonly string[], images: Readonly<Record<string, string>>, options: ImagePlanOptions): Plan {
  const steps = new Map<string, { service: ServiceConfig; step: ImageStep }>();
  for (const [reference, users] of imagesOf(project, services)) {
    const service = users.find((user) => user.build !== undefined) ?? users[0]!;
    steps.set(reference, { service, step: imageStep({ service, reference, present: reference in images }, options) });
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
    if (step.action === 'pull') {
      const platform = service.platform as string | undefined;
      const id = plan.add({ kind: 'pull-image', resource, cause: step.cause, service: service.name, reference, ...(platform ? { platform } : {}), keepOnFailure: step.keepOnFailure });
      nodes.set(reference, id);
      return id;
    }
    refuseUnbuildable(service);
    if (visiting.includes(reference)) throw new BerthError(`the builds depend on one another in a cycle: ${[...visiting.slice(visiting.indexOf(reference)), reference].join(' -> ')}`);
    visiting.push(reference);
    const after = namedContexts(project, service).services.map((name) => add(serviceImage(project.name, project.services[name]!)));
    visiting.pop();
    const id = plan.add({ kind: 'build-image', resource, cause: step.cause, service: service.name, reference, flags }, after.filter((node): node is number => node !== undefined));
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
        plan.add({ kind: 'push-image', resource: `image:${name}`, cause: 'build --push', service: service.name, reference: name }, [nodes.get(reference)!]);
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
