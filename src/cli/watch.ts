// `berth watch [SERVICE...]`: the project is brought up (unless --no-up), then develop.watch rules sync, restart,
// exec or rebuild as files change, until Ctrl-C. The watching itself, shared with `up --watch`, is watch-project.ts.
import type { Command } from 'commander';
import { selectServices } from '../graph/select.js';
import { watchRules } from '../watch/rules.js';
import type { RunVerb, VerbContext } from './main.js';
import { connect, loadProject } from './session.js';
import { upInBackground } from './up.js';
import { watchProject } from './watch-project.js';

interface WatchFlags {
  up: boolean;
  prune: boolean;
  quiet: boolean;
}

export function registerWatchCommand(program: Command, run: RunVerb): void {
  program
    .command('watch')
    .description('watch the build context of services and rebuild or refresh containers when files change (the first change is sent at once, later ones once none has come for BERTH_WATCH_QUIET_MS, default 20)')
    .argument('[services...]', 'only these services')
    .option('--no-up', "don't build and start the services before watching")
    .option('--prune', 'remove the dangling image a rebuild leaves behind', false)
    .option('--quiet', "hide the build output", false)
    .action(run((ctx, cmd) => runWatch(ctx, cmd.opts<WatchFlags>(), cmd.args)));
}

async function runWatch(ctx: VerbContext, flags: WatchFlags, services: string[]): Promise<number> {
  const full = await loadProject(ctx, { services });
  const project = selectServices(full, services, { withDependencies: true });
  const rules = watchRules(project, services);
  if (flags.up) {
    const code = await upInBackground(ctx, services);
    if (code !== 0) return code;
  }
  if (ctx.flags.dryRun) {
    // Nothing is watched on a dry run (watching acts on each change): the rules it would follow are printed.
    for (const rule of rules) ctx.stdout.write(`DRY-RUN MODE - watch ${rule.path} for service ${rule.service}: ${rule.action}${rule.target ? ` to ${rule.target}` : ''}\n`);
    return 0;
  }
  const engine = await connect(ctx);
  const session = watchProject(ctx, engine, project, services, { prune: flags.prune, quiet: flags.quiet, rules });
  await session.ready;
  await new Promise<void>((resolve) => {
    const release = ctx.onInterrupt?.(() => {
      release?.();
      resolve();
    });
  });
  await session.stop();
  ctx.stderr.write('Stopped watching\n');
  return 0;
}
