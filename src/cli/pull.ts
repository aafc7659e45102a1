// `berth pull [SERVICE...]`: the service images, pulled from their registries side by side with this user's
// credentials, as `docker compose pull` does: pull_policy honoured (never and build skip, missing skips what is
// there unless its tag is latest), one image pulled once for all the services that run it. The plan comes from
// src/plan/pull-push.ts and is carried out (or, with --dry-run, printed) like every other.
import { Option } from 'commander';
import type { Command } from 'commander';
import { BerthError } from '../model/errors.js';
import { selectServices } from '../graph/select.js';
import { observeImages } from '../observe/observe.js';
import { planPull } from '../plan/pull-push.js';
import type { RunVerb, VerbContext } from './main.js';
import { connect, loadProject } from './session.js';
import { runTransfers } from './transfer.js';

interface PullFlags {
  quiet: boolean;
  includeDeps: boolean;
  ignorePullFailures: boolean;
  ignoreBuildable: boolean;
  policy?: string;
}

export function registerPullCommand(program: Command, run: RunVerb): void {
  program
    .command('pull')
    .description('pull service images')
    .argument('[services...]')
    .option('-q, --quiet', 'pull without printing progress information', false)
    .option('--include-deps', 'also pull services declared as dependencies', false)
    .option('--ignore-pull-failures', 'pull what it can and ignore images with pull failures', false)
    .option('--ignore-buildable', 'ignore images that can be built', false)
    .option('--policy <policy>', 'apply pull policy ("missing"|"always")')
    // compose's deprecated switches: accepted, with its warning.
    .addOption(new Option('--parallel').hideHelp())
    .addOption(new Option('--no-parallel').hideHelp())
    .action(
      run((ctx, cmd) => {
        if (cmd.getOptionValueSource('parallel') === 'cli') {
          ctx.stderr.write(`option '--${cmd.getOptionValue('parallel') ? '' : 'no-'}parallel' is DEPRECATED and will be ignored.\n`);
        }
        return runPull(ctx, cmd.opts<PullFlags>(), cmd.args);
      }),
    );
}

async function runPull(ctx: VerbContext, flags: PullFlags, names: string[]): Promise<number> {
  if (flags.policy !== undefined && !['missing', 'always'].includes(flags.policy)) {
    throw new BerthError(`invalid --policy option "${flags.policy}": use missing or always`);
  }
  const project = selectServices(await loadProject(ctx, { services: names }), names, { withDependencies: flags.includeDeps });
  const engine = await connect(ctx);
  const references = [...new Set(Object.values(project.services).flatMap((service) => (service.image ? [service.image] : [])))];
  const planned = planPull(project, await observeImages(engine, references), {
    ...(flags.policy ? { policy: flags.policy } : {}),
    ignoreBuildable: flags.ignoreBuildable,
    ignoreFailures: flags.ignorePullFailures,
  });
  await runTransfers(ctx, engine, project, planned, { quiet: flags.quiet, title: 'Pulling' });
  return 0;
}
