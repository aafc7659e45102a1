// The part of `up` and `create` (and of the library's `up()`) that makes the engine match the files, in stages,
// each a plan that the dry run prints and the executor carries out: the images (built or pulled as pull_policy
// says), then the networks, volumes and containers (planned against the images as they now are, as compose does: a
// build's result is only known once it has run), then, for `up`, starting them in dependency order.
import type { Engine } from '../engine-client/index.js';
import { volumeConfigHash } from '../model/hash.js';
import type { Dict } from '../model/tree.js';
import type { Project } from '../model/types.js';
import { observeContainers, observeImages, observeProject } from '../observe/observe.js';
import type { ObservedState } from '../observe/observe.js';
import { planImages } from '../plan/images.js';
import type { BuildPolicy } from '../plan/images.js';
import { containersAfter } from '../plan/predict.js';
import { reconcile } from '../plan/reconcile.js';
import type { ReconcileOptions } from '../plan/reconcile.js';
import { planStart } from '../plan/start.js';
import type { Plan } from '../plan/types.js';

export interface ConvergeOptions extends ReconcileOptions {
  readonly build: BuildPolicy;
  /** `--pull`: one of PULL_FLAG_VALUES (src/plan/pull-policy.ts). */
  readonly pull?: string;
  /** `--quiet-pull`: no layer lines. */
  readonly quietPull?: boolean;
  /** `-y`: agree to recreate volumes whose configuration changed. */
  readonly assumeYes?: boolean;
}

/** What carries the plans out: the CLI's PlanRunner (dry-run printing, --parallel, Ctrl-C), or the library's. */
export interface PlanRunning {
  /** Plans are printed and reported, not carried out. */
  readonly dryRun: boolean;
  run(plan: Plan, options?: { readonly observed?: Pick<ObservedState, 'containers' | 'images'>; readonly stopOnFailure?: boolean }): Promise<void>;
}

export interface Converged<R extends PlanRunning = PlanRunning> {
  readonly plan: Plan;
  readonly observed: ObservedState;
  readonly runner: R;
}

/** Asks the user a yes/no question; absent when nobody can be asked. */
export type Confirm = (question: string) => Promise<boolean>;

export async function converge<R extends PlanRunning>(runner: R, engine: Engine, project: Project, options: ConvergeOptions, confirm?: Confirm): Promise<Converged<R>> {
  const before = await observeProject(engine, project);
  const images = planImages(project, Object.keys(project.services).sort(), before.images, {
    build: options.build,
    ...(options.pull ? { pull: options.pull } : {}),
    ...(before.imagesTagged ? { tagged: before.imagesTagged } : {}),
    now: Date.now(),
  });
  await runner.run(images);
  const obtained = images.nodes.flatMap(({ operation }) => (operation.kind === 'build-image' || operation.kind === 'pull-image' ? [operation.reference] : []));
  const observed = runner.dryRun || obtained.length === 0 ? before : { ...before, images: { ...before.images, ...(await observeImages(engine, obtained)) } };
  const plan = reconcile(project, observed, { ...options, recreateVolumes: await volumesToRecreate(project, observed, options, runner.dryRun ? undefined : confirm) });
  await runner.run(plan, { observed });
  return { plan, observed, runner };
}

/**
 * After convergence: the stopped containers started, in dependency order, waiting on what depends_on says. On a dry
 * run, the containers are those the convergence plan would have left.
 */
export async function startConverged(engine: Engine, project: Project, converged: Converged): Promise<void> {
  // A plan that changed nothing leaves the containers as observed: no second look (a no-op up's last round trip).
  const unchanged = converged.runner.dryRun || converged.plan.nodes.length === 0;
  const containers = unchanged ? containersAfter(converged.observed.containers, converged.plan) : await observeContainers(engine, project.name);
  await converged.runner.run(planStart(project, containers, converged.plan.blocked), { stopOnFailure: true });
}

/** Volumes whose configuration changed are recreated (losing their data) only when the user agrees: -y, or asked. */
async function volumesToRecreate(project: Project, observed: ObservedState, options: ConvergeOptions, confirm: Confirm | undefined): Promise<Set<string>> {
  const diverged = divergedVolumes(project, observed);
  if (options.assumeYes || diverged.size === 0 || !confirm) return options.assumeYes ? diverged : new Set();
  const agreed = new Set<string>();
  for (const key of diverged) {
    const name = project.volumes[key]?.name ?? `${project.name}_${key}`;
    if (await confirm(`Volume "${name}" exists but doesn't match configuration in compose file. Recreate (data will be lost)?`)) agreed.add(key);
  }
  return agreed;
}

function divergedVolumes(project: Project, observed: ObservedState): Set<string> {
  const keys = new Set<string>();
  for (const [key, volume] of Object.entries(project.volumes)) {
    const found = observed.volumes[key];
    if (found && found.configHash !== '' && found.configHash !== volumeConfigHash(volume as Dict)) keys.add(key);
  }
  return keys;
}
