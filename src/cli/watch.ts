// `berth watch [SERVICE...]` and the watch half of `up --watch`: the project is brought up (unless --no-up), then
// develop.watch rules sync, restart, exec or rebuild as files change, until Ctrl-C.
import type { Command } from 'commander';
import type { Engine } from '../engine-client/index.js';
import type { Project } from '../model/types.js';
import { observeContainers, serviceImage } from '../observe/observe.js';
import { planBuilds } from '../plan/images.js';
import { planContainerAction } from '../plan/lifecycle.js';
import { createSink } from '../progress/sinks.js';
import { quietPeriod } from '../watch/batch.js';
import { watchRules } from '../watch/rules.js';
import { startWatch } from '../watch/session.js';
import type { WatchSession } from '../watch/session.js';
import { converge, startConverged } from './converge.js';
import type { RunVerb, VerbContext } from './main.js';
import { PlanRunner } from './plan-runner.js';
import { connect, loadProject, progressSink } from './session.js';
import { selectServices } from '../model/select.js';
import { upInBackground } from './up.js';

interface WatchFlags {
  up: boolean;
  prune: boolean;
  quiet: boolean;
}

export function registerWatchCommand(program: Command, run: RunVerb): void {
  program
    .command('watch')
    .description('watch the build context of services and rebuild or refresh containers when files change (quiet period: BERTH_WATCH_QUIET_MS, default 50)')
    .argument('[services...]', 'only these services')
    .option('--no-up', "don't build and start the services before watching")
    .option('--prune', 'remove the dangling image a rebuild leaves behind', false)
    .option('--quiet', "hide the build output", false)
    .action(run((ctx, cmd) => runWatch(ctx, cmd.opts<WatchFlags>(), cmd.args)));
}

async function runWatch(ctx: VerbContext, flags: WatchFlags, services: string[]): Promise<number> {
  const full = loadProject(ctx, { services });
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

/** Starts watching the project's rules (all of the selected services). */
export function watchProject(
  ctx: VerbContext,
  engine: Engine,
  project: Project,
  services: readonly string[],
  options: { prune: boolean; quiet: boolean; rules?: ReturnType<typeof watchRules> },
): WatchSession {
  return startWatch({
    engine,
    project,
    rules: options.rules ?? watchRules(project, services),
    quietMs: quietPeriod(ctx.environment),
    log: (line) => ctx.stderr.write(`${line}\n`),
    rebuild: (service) => rebuildService(ctx, engine, project, service, options),
    restart: (service) => restartService(ctx, engine, project, service),
  });
}

/** A restart rule: the service's running containers restarted, as `berth restart` plans it. */
async function restartService(ctx: VerbContext, engine: Engine, project: Project, service: string): Promise<void> {
  const running = (await observeContainers(engine, project.name)).filter((container) => container.service === service && container.state === 'running');
  const sink = progressSink(ctx);
  try {
    await new PlanRunner(ctx, engine, project, sink).run(planContainerAction(project, running, 'restart'));
  } finally {
    sink.close();
  }
}

/**
 * A rebuild: the service's image built again (a failure leaves the running container as it is), then the service
 * converged alone: recreated if its image changed, its `restart: true` dependents restarted, the rest untouched.
 */
async function rebuildService(ctx: VerbContext, engine: Engine, project: Project, service: string, options: { prune: boolean; quiet: boolean }): Promise<void> {
  const sink = options.quiet ? createSink({ mode: 'quiet', stream: ctx.stderr, color: false }) : progressSink(ctx);
  const reference = serviceImage(project.name, project.services[service]!);
  const before = (await engine.images.inspect(reference))?.id;
  try {
    await new PlanRunner(ctx, engine, project, sink).run(planBuilds(project, [service], {}));
    const converged = await converge(ctx, engine, project, sink, { services: [service], recreate: 'diverged', recreateDependencies: 'never', inherit: true, build: 'never' });
    await startConverged(engine, project, converged);
  } finally {
    sink.close();
  }
  const after = (await engine.images.inspect(reference))?.id;
  if (options.prune && before && after && before !== after) await engine.images.remove(before).catch(() => {});
}
