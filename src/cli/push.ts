// `berth push [SERVICE...]`: the images of services that are built here (a build section and an image name), under
// that name and every build.tags entry, pushed side by side with this user's credentials, as `docker compose push`.
// The plan comes from src/plan/pull-push.ts.
import type { Command } from 'commander';
import { selectServices } from '../model/select.js';
import { planPush } from '../plan/pull-push.js';
import { progressEvent } from '../progress/events.js';
import { createSink } from '../progress/sinks.js';
import type { RunVerb, VerbContext } from './main.js';
import { PlanRunner } from './plan-runner.js';
import { connect, loadProject, progressSink } from './session.js';

interface PushFlags {
  quiet: boolean;
  includeDeps: boolean;
  ignorePushFailures: boolean;
}

export function registerPushCommand(program: Command, run: RunVerb): void {
  program
    .command('push')
    .description('push service images')
    .argument('[services...]')
    .option('-q, --quiet', 'push without printing progress information', false)
    .option('--include-deps', 'also push images of services declared as dependencies', false)
    .option('--ignore-push-failures', 'push what it can and ignore images with push failures', false)
    .action(run((ctx, cmd) => runPush(ctx, cmd.opts<PushFlags>(), cmd.args)));
}

async function runPush(ctx: VerbContext, flags: PushFlags, names: string[]): Promise<number> {
  const project = selectServices(loadProject(ctx, { services: names }), names, { withDependencies: flags.includeDeps });
  const { plan, skipped } = planPush(project, { ignoreFailures: flags.ignorePushFailures });
  const engine = await connect(ctx);
  const sink = flags.quiet ? createSink({ mode: 'quiet', stream: ctx.stderr, color: false }) : progressSink(ctx, 'Pushing');
  try {
    for (const { resource, detail } of skipped) sink.event(progressEvent(resource, 'Skipped', detail || undefined));
    const runner = new PlanRunner(ctx, engine, project, sink);
    await runner.run(plan);
    runner.finish();
  } finally {
    sink.close();
  }
  return 0;
}
