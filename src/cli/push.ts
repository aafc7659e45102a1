// `berth push [SERVICE...]`: the images of services that are built here (a build section and an image name), under
// that name and every build.tags entry, pushed side by side with this user's credentials, as `docker compose push`.
// The plan comes from src/plan/pull-push.ts.
import type { Command } from 'commander';
import { selectServices } from '../graph/select.js';
import { planPush } from '../plan/pull-push.js';
import type { RunVerb, VerbContext } from './main.js';
import { connect, loadProject } from './session.js';
import { runTransfers } from './transfer.js';

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
  const project = selectServices(await loadProject(ctx, { services: names }), names, { withDependencies: flags.includeDeps });
  const planned = planPush(project, { ignoreFailures: flags.ignorePushFailures });
  const engine = await connect(ctx);
  await runTransfers(ctx, engine, project, planned, { quiet: flags.quiet, title: 'Pushing' });
  return 0;
}
