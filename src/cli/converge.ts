// `up`'s and `create`'s convergence carried out by the CLI's PlanRunner (dry-run printing, --parallel, Ctrl-C,
// the operation log). The stages themselves are src/app/converge.ts, shared with the library's `up()`.
import { converge as convergeWith } from '../app/converge.js';
import type { Converged as ConvergedWith, ConvergeOptions } from '../app/converge.js';
import type { Engine } from '../engine-client/index.js';
import type { Project } from '../model/types.js';
import type { ProgressSink } from '../progress/events.js';
import { withoutLayers } from '../progress/layers.js';
import type { VerbContext } from './main.js';
import { PlanRunner } from './plan-runner.js';

export { startConverged } from '../app/converge.js';
export type { ConvergeOptions } from '../app/converge.js';
export type Converged = ConvergedWith<PlanRunner>;

export function converge(ctx: VerbContext, engine: Engine, project: Project, sink: ProgressSink, options: ConvergeOptions): Promise<Converged> {
  const runner = new PlanRunner(ctx, engine, project, options.quietPull ? withoutLayers(sink) : sink);
  return convergeWith(runner, engine, project, options, ctx.confirm);
}
