// The part of `up` and `create` that makes the engine match the files: images, one observation, a plan, its
// execution. `--dry-run` prints the plan instead.
import { decideImages, ensureImages } from '../apply/images.js';
import { executePlan } from '../apply/execute.js';
import type { Engine } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import { volumeConfigHash } from '../model/hash.js';
import type { Dict } from '../model/tree.js';
import type { Project } from '../model/types.js';
import { observeProject } from '../observe/observe.js';
import type { ObservedState } from '../observe/observe.js';
import { reconcile } from '../plan/reconcile.js';
import type { ReconcileOptions } from '../plan/reconcile.js';
import { renderPlanSteps } from '../plan/render.js';
import type { Plan } from '../plan/types.js';
import type { ProgressSink } from '../progress/events.js';
import type { VerbContext } from './main.js';
import { parallelLimit, VERSION } from './session.js';

export interface ConvergeOptions extends ReconcileOptions {
  readonly build: 'missing' | 'always' | 'never';
  /** `--pull`: one of PULL_FLAG_VALUES (src/plan/pull-policy.ts). */
  readonly pull?: string;
  /** `--quiet-pull`: no layer lines. */
  readonly quietPull?: boolean;
  /** `-y`: agree to recreate volumes whose configuration changed. */
  readonly assumeYes?: boolean;
}

export interface Converged {
  readonly plan: Plan;
  readonly observed: ObservedState;
}

export async function converge(ctx: VerbContext, engine: Engine, project: Project, sink: ProgressSink, options: ConvergeOptions): Promise<Converged> {
  if (ctx.flags.dryRun) return dryRun(ctx, engine, project, options);
  const imageOptions = { build: options.build, ...(options.pull ? { pull: options.pull } : {}), ...(options.quietPull ? { quietPull: true } : {}), version: VERSION };
  const images = await ensureImages(engine, project, Object.keys(project.services).sort(), imageOptions, sink);
  const observed = await observeProject(engine, project, images);
  const plan = reconcile(project, observed, { ...options, recreateVolumes: await volumesToRecreate(ctx, project, observed, options) });
  for (const warning of plan.warnings) sink.note(`WARN[0000] ${warning}`);
  const result = await executePlan(plan, { engine, project, observed, sink, parallel: parallelLimit(ctx), version: VERSION, envFiles: ctx.flags.envFile, warn: (message) => sink.note(`WARN[0000] ${message}`) });
  if (result.failures.length > 0) {
    const first = result.failures[0]!;
    throw new BerthError(`${first.resource}: ${first.message}${result.failures.length > 1 ? ` (and ${result.failures.length - 1} more failures)` : ''}`, { kind: 'engine' });
  }
  return { plan, observed };
}

/** Volumes whose configuration changed are recreated (losing their data) only when the user agrees: -y, or asked. */
async function volumesToRecreate(ctx: VerbContext, project: Project, observed: ObservedState, options: ConvergeOptions): Promise<Set<string>> {
  const diverged = divergedVolumes(project, observed);
  if (options.assumeYes || diverged.size === 0 || !ctx.confirm) return options.assumeYes ? diverged : new Set();
  const agreed = new Set<string>();
  for (const key of diverged) {
    const name = project.volumes[key]?.name ?? `${project.name}_${key}`;
    if (await ctx.confirm(`Volume "${name}" exists but doesn't match configuration in compose file. Recreate (data will be lost)?`)) agreed.add(key);
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

/** What `up` would do, one line per step with its cause, on stdout; nothing on the engine changes. */
async function dryRun(ctx: VerbContext, engine: Engine, project: Project, options: ConvergeOptions): Promise<Converged> {
  const observed = await observeProject(engine, project);
  const lines: string[] = [];
  // The same image decisions `up` acts on (src/plan/pull-policy.ts).
  for (const step of await decideImages(engine, project, Object.keys(project.services), { build: options.build, ...(options.pull ? { pull: options.pull } : {}) })) {
    const names = step.services.map((service) => service.name).join(', ');
    const { decision } = step;
    if (decision.action === 'missing') throw new BerthError(`service ${step.services[0]!.name}: ${decision.cause}`, { kind: 'not-found' });
    if (decision.action !== 'use') lines.push(`${decision.action} image ${step.reference} for service ${names}`);
  }
  const plan = reconcile(project, observed, { ...options, recreateVolumes: options.assumeYes ? divergedVolumes(project, observed) : new Set() });
  lines.push(...renderPlanSteps(plan));
  for (const warning of plan.warnings) ctx.warn(warning);
  for (const line of lines) ctx.stdout.write(`DRY-RUN MODE - ${line}\n`);
  if (lines.length === 0) ctx.stdout.write('DRY-RUN MODE - nothing to do\n');
  return { plan, observed };
}
