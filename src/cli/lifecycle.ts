// The verbs that act on existing containers: start, stop, restart, kill, rm, pause, unpause. Each plans what it does
// (src/plan/lifecycle.ts, src/plan/start.ts) and carries the plan out, or prints it with --dry-run.
import type { Command } from 'commander';
import { waitForServices } from '../apply/start.js';
import type { Engine } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import { selectServices } from '../graph/select.js';
import type { Project } from '../model/types.js';
import { observeContainers } from '../observe/observe.js';
import { planContainerAction, planRemove } from '../plan/lifecycle.js';
import type { ContainerAction } from '../plan/lifecycle.js';
import { planStart } from '../plan/start.js';
import type { Plan } from '../plan/types.js';
import type { ProgressSink } from '../progress/events.js';
import type { RunVerb, VerbContext } from './main.js';
import { PlanRunner } from './plan-runner.js';
import type { RunPlanOptions } from './plan-runner.js';
import { noProfiledServices, profiledServices } from './profiles-only.js';
import { projectOrName, withServicesFromLabels } from './project-ref.js';
import { connect, parseSeconds, progressSink } from './session.js';

interface Flags {
  timeout?: number;
  signal?: string;
  force?: boolean;
  stop?: boolean;
  volumes?: boolean;
  wait?: boolean;
  waitTimeout?: number;
  profilesOnly?: boolean;
}

const PROFILES_ONLY = ['--profiles-only', 'only the services of the active profiles (of every profile when none is active), never those without profiles'] as const;

export function registerLifecycleCommands(program: Command, run: RunVerb): void {
  program
    .command('start')
    .description('start existing containers')
    .argument('[services...]')
    .option('--wait', 'wait for services to be running and healthy', false)
    .option('--wait-timeout <seconds>', 'maximum time to wait', parseSeconds)
    .action(run((ctx, cmd) => runStart(ctx, cmd.opts<Flags>(), cmd.args)));
  program
    .command('stop')
    .description('stop running containers without removing them')
    .argument('[services...]')
    .option('-t, --timeout <seconds>', 'shutdown timeout in seconds', parseSeconds)
    .option(...PROFILES_ONLY)
    .action(run((ctx, cmd) => runAction(ctx, 'stop', cmd.opts<Flags>(), cmd.args)));
  program
    .command('restart')
    .description('restart service containers')
    .argument('[services...]')
    .option('-t, --timeout <seconds>', 'shutdown timeout in seconds', parseSeconds)
    .option(...PROFILES_ONLY)
    .action(run((ctx, cmd) => runAction(ctx, 'restart', cmd.opts<Flags>(), cmd.args)));
  program
    .command('kill')
    .description('force stop service containers')
    .argument('[services...]')
    .option('-s, --signal <signal>', 'signal to send to the container', 'SIGKILL')
    .action(run((ctx, cmd) => runAction(ctx, 'kill', cmd.opts<Flags>(), cmd.args)));
  program
    .command('pause')
    .description('pause services')
    .argument('[services...]')
    .action(run((ctx, cmd) => runAction(ctx, 'pause', cmd.opts<Flags>(), cmd.args)));
  program
    .command('unpause')
    .description('unpause services')
    .argument('[services...]')
    .action(run((ctx, cmd) => runAction(ctx, 'unpause', cmd.opts<Flags>(), cmd.args)));
  program
    .command('rm')
    .description('remove stopped service containers')
    .argument('[services...]')
    .option('-f, --force', "don't ask to confirm removal", false)
    .option('-s, --stop', 'stop the containers, if required, before removing', false)
    .option('-v, --volumes', 'remove any anonymous volumes attached to containers', false)
    .action(run((ctx, cmd) => runRemove(ctx, cmd.opts<Flags>(), cmd.args)));
}

/** The project (from files or labels) and its service containers, narrowed to the named services. */
async function target(ctx: VerbContext, services: readonly string[]) {
  const ref = await projectOrName(ctx, { services });
  const engine = await connect(ctx);
  const all = await observeContainers(engine, ref.project.name);
  const project = ref.fromFiles ? ref.project : withServicesFromLabels(ref.project, all);
  for (const name of services) {
    if (!(name in project.services) && !all.some((container) => container.service === name)) {
      throw new BerthError(`no such service: ${name}`, { kind: 'not-found' });
    }
  }
  const containers = all.filter((container) => services.length === 0 || services.includes(container.service));
  return { engine, project, containers };
}

async function runAction(ctx: VerbContext, action: ContainerAction, flags: Flags, named: string[]): Promise<number> {
  let services = named;
  if (flags.profilesOnly) {
    const profiled = await profiledServices(ctx, named);
    if (profiled.services.length === 0) return noProfiledServices(ctx, profiled);
    services = profiled.services;
  }
  const { engine, project, containers } = await target(ctx, services);
  const plan = planContainerAction(project, containers, action, { ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}), ...(flags.signal ? { signal: flags.signal } : {}) });
  await runPlan(ctx, engine, project, plan);
  return 0;
}

async function runStart(ctx: VerbContext, flags: Flags, services: string[]): Promise<number> {
  const ref = await projectOrName(ctx, { services });
  const engine = await connect(ctx);
  const containers = await observeContainers(engine, ref.project.name);
  const project = ref.fromFiles ? selectServices(ref.project, services) : withServicesFromLabels(ref.project, containers);
  const plan = planStart(project, containers.filter((container) => container.service in project.services));
  await runPlan(ctx, engine, project, plan, { stopOnFailure: true }, async (sink) => {
    if (flags.wait && !ctx.flags.dryRun) await waitForServices({ engine, project, sink }, services.length > 0 ? services : Object.keys(project.services), flags.waitTimeout);
  });
  return 0;
}

async function runRemove(ctx: VerbContext, flags: Flags, services: string[]): Promise<number> {
  const { engine, project, containers } = await target(ctx, services);
  const plan = planRemove(project, containers, { stop: flags.stop ?? false, volumes: flags.volumes ?? false });
  const doomed = plan.nodes.flatMap(({ operation }) => (operation.kind === 'remove-container' ? [operation.container.name] : []));
  if (doomed.length === 0) {
    ctx.stderr.write('No stopped containers\n');
    return 0;
  }
  if (!flags.force) {
    const question = `Going to remove ${doomed.join(', ')}. Are you sure?`;
    if (!ctx.confirm) throw new BerthError(`${question} There is no terminal to ask on: run rm -f to remove them`);
    if (!(await ctx.confirm(question))) return 0;
  }
  await runPlan(ctx, engine, project, plan);
  return 0;
}

/** Carries out one plan with its own progress display; `then` runs after it, before the display closes. */
async function runPlan(ctx: VerbContext, engine: Engine, project: Project, plan: Plan, options: RunPlanOptions = {}, then?: (sink: ProgressSink) => Promise<void>): Promise<void> {
  const sink = progressSink(ctx);
  try {
    const runner = new PlanRunner(ctx, engine, project, sink);
    await runner.run(plan, options);
    runner.finish();
    await then?.(sink);
  } finally {
    sink.close();
  }
}
