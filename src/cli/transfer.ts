// What `pull` and `push` share: the services left out said as Skipped, then the plan carried out (or printed, with
// --dry-run), with progress on stderr (none at all with -q).
import type { Engine } from '../engine-client/index.js';
import type { Project } from '../model/types.js';
import type { Skipped } from '../plan/pull-push.js';
import type { Plan } from '../plan/types.js';
import { progressEvent } from '../progress/events.js';
import { createSink } from '../progress/sinks.js';
import type { VerbContext } from './main.js';
import { PlanRunner } from './plan-runner.js';
import { progressSink } from './session.js';

export async function runTransfers(ctx: VerbContext, engine: Engine, project: Project, planned: { plan: Plan; skipped: readonly Skipped[] }, options: { quiet: boolean; title: string }): Promise<void> {
  const sink = options.quiet ? createSink({ mode: 'quiet', stream: ctx.stderr, color: false }) : progressSink(ctx, options.title);
  try {
    for (const { resource, detail } of planned.skipped) sink.event(progressEvent(resource, 'Skipped', detail || undefined));
    const runner = new PlanRunner(ctx, engine, project, sink);
    await runner.run(planned.plan);
    runner.finish();
  } finally {
    sink.close();
  }
}
