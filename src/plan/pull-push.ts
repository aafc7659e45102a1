// The plans of `berth pull` and `berth push`: one operation per image (an image several services run is pulled
// once), and the services left out with compose's reason for each, which the verb shows as Skipped.
import type { Project } from '../model/types.js';
import { PlanBuilder } from './builder.js';
import { decidePullVerb, pullPlatform } from './pull-policy.js';
import type { Plan } from './types.js';

/** A service or image left out, as compose shows it: `Image web:1  Skipped Image is already present locally`. */
export interface Skipped {
  readonly resource: string;
  readonly detail: string;
}

export interface PullPlanOptions {
  /** `--policy`: missing or always, over each pull_policy. */
  readonly policy?: string;
  /** `--ignore-buildable`. */
  readonly ignoreBuildable: boolean;
  /** `--ignore-pull-failures`: a failed pull is a warning. */
  readonly ignoreFailures: boolean;
}

/** `berth pull`: the images of these services, given the images the engine has (reference -> id). */
export function planPull(project: Project, images: Readonly<Record<string, string>>, options: PullPlanOptions): { plan: Plan; skipped: Skipped[] } {
  const plan = new PlanBuilder();
  const skipped: Skipped[] = [];
  const planned = new Set<string>();
  for (const name of Object.keys(project.services).sort()) {
    const service = project.services[name]!;
    const reference = service.image;
    if (!reference) {
      skipped.push({ resource: name, detail: 'No image to be pulled' });
      continue;
    }
    const decision = decidePullVerb(service, reference in images ? {} : undefined, options.policy);
    if (!decision.pull) {
      skipped.push({ resource: `Image ${reference}`, detail: decision.reason });
      continue;
    }
    if (service.build !== undefined && options.ignoreBuildable) {
      skipped.push({ resource: `Image ${reference}`, detail: 'Image can be built' });
      continue;
    }
    if (planned.has(reference)) continue;
    planned.add(reference);
    const platform = pullPlatform(project.environment, service);
    const cause = options.policy ? `--policy ${options.policy}` : service.pull_policy ? `pull_policy: ${service.pull_policy}` : 'berth pull';
    plan.add({
      kind: 'pull-image',
      resource: `image:${reference}`,
      cause,
      service: name,
      reference,
      ...(platform ? { platform } : {}),
      onFailure: { kind: options.ignoreFailures ? 'warn' : 'fail' },
    });
  }
  return { plan: plan.build(), skipped };
}

/**
 * `berth push`: the images of the services built here (a build section and an image name), under that name and each
 * build.tags entry; one service's tags one after the other (the layers go up with the first), services side by side.
 */
export function planPush(project: Project, options: { readonly ignoreFailures: boolean }): { plan: Plan; skipped: Skipped[] } {
  const plan = new PlanBuilder();
  const skipped: Skipped[] = [];
  const planned = new Set<string>();
  for (const name of Object.keys(project.services).sort()) {
    const service = project.services[name]!;
    if (service.build === undefined || !service.image) {
      skipped.push({ resource: name, detail: '' });
      continue;
    }
    let previous: number | undefined;
    for (const tag of [service.image, ...(service.build.tags ?? [])]) {
      if (planned.has(tag)) continue;
      planned.add(tag);
      const operation = { kind: 'push-image', resource: `image:${tag}`, cause: 'berth push', service: name, reference: tag, onFailure: options.ignoreFailures ? 'warn' : 'fail' } as const;
      previous = plan.add(operation, previous === undefined ? [] : [previous]);
    }
  }
  return { plan: plan.build(), skipped };
}
