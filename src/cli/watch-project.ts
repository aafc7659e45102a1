// Watching a project's develop.watch rules on behalf of a verb (`berth watch`, `up --watch`): the rules' restart and
// rebuild actions carried out as plans. Its own module so that up.ts and watch.ts each import it, not each other.
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
import type { VerbContext } from './main.js';
import { PlanRunner } from './plan-runner.js';
import { progressSink } from './session.js';

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
