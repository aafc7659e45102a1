// The verbs that act on existing containers: start, stop, restart, kill, rm, pause, unpause.
import type { Command } from 'commander';
import { actOnContainers } from '../apply/lifecycle.js';
import type { ContainerAction } from '../apply/lifecycle.js';
import { startProject, waitForServices } from '../apply/start.js';
import type { ContainerSummary } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import { selectServices } from '../model/select.js';
import { LABEL } from '../plan/labels.js';
import type { RunVerb, VerbContext } from './main.js';
import { projectContainers, projectOrName, servicesAsDicts, withServicesFromLabels } from './project-ref.js';
import { connect, parallelLimit, parseSeconds, progressSink } from './session.js';


interface Flags {
  timeout?: number;
  signal?: string;
  force?: boolean;
  stop?: boolean;
  volumes?: boolean;
  wait?: boolean;
  waitTimeout?: number;
}

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
    .action(run((ctx, cmd) => runAction(ctx, 'stop', cmd.opts<Flags>(), cmd.args)));
  program
    .command('restart')
    .description('restart service containers')
    .argument('[services...]')
    .option('-t, --timeout <seconds>', 'shutdown timeout in seconds', parseSeconds)
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

/** The project (from files or labels) and its containers, by service, narrowed to the named services. */
async function target(ctx: VerbContext, services: readonly string[]) {
  const ref = projectOrName(ctx, { services });
  const engine = await connect(ctx);
  const all = (await projectContainers(engine, ref.project.name)).filter((container) => container.labels[LABEL.oneoff] !== 'True');
  const project = ref.fromFiles ? ref.project : withServicesFromLabels(ref.project, all);
  for (const name of services) {
    if (!(name in project.services) && !all.some((container) => container.labels[LABEL.service] === name)) {
      throw new BerthError(`no such service: ${name}`, { kind: 'not-found' });
    }
  }
  const byService = new Map<string, ContainerSummary[]>();
  for (const container of all) {
    const service = container.labels[LABEL.service] ?? '';
    if (services.length > 0 && !services.includes(service)) continue;
    byService.set(service, [...(byService.get(service) ?? []), container]);
  }
  return { engine, project, byService };
}

const WANTS: Partial<Record<ContainerAction, (container: ContainerSummary) => boolean>> = {
  stop: (container) => container.state === 'running' || container.state === 'paused' || container.state === 'restarting',
  kill: (container) => container.state === 'running' || container.state === 'restarting',
  pause: (container) => container.state === 'running',
  unpause: (container) => container.state === 'paused',
};

async function runAction(ctx: VerbContext, action: ContainerAction, flags: Flags, services: string[]): Promise<number> {
  const { engine, project, byService } = await target(ctx, services);
  const wants = WANTS[action];
  if (wants) for (const [service, list] of byService) byService.set(service, list.filter(wants));
  if (ctx.flags.dryRun) {
    for (const container of [...byService.values()].flat()) ctx.stdout.write(`DRY-RUN MODE - ${action} container ${container.name}\n`);
    return 0;
  }
  const sink = progressSink(ctx);
  try {
    await actOnContainers(engine, servicesAsDicts(project), byService, action, sink, {
      reverse: action === 'stop' || action === 'kill' || action === 'pause',
      parallel: parallelLimit(ctx),
      ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
      ...(flags.signal ? { signal: flags.signal } : {}),
    });
  } finally {
    sink.close();
  }
  return 0;
}

async function runStart(ctx: VerbContext, flags: Flags, services: string[]): Promise<number> {
  const ref = projectOrName(ctx, { services });
  const engine = await connect(ctx);
  const project = ref.fromFiles ? selectServices(ref.project, services) : withServicesFromLabels(ref.project, await projectContainers(engine, ref.project.name));
  if (ctx.flags.dryRun) return 0;
  const sink = progressSink(ctx);
  try {
    const startContext = { engine, project, sink, warn: ctx.warn, parallel: parallelLimit(ctx) };
    await startProject(startContext);
    if (flags.wait) await waitForServices(startContext, services.length > 0 ? services : Object.keys(project.services), flags.waitTimeout);
  } finally {
    sink.close();
  }
  return 0;
}

async function runRemove(ctx: VerbContext, flags: Flags, services: string[]): Promise<number> {
  const { engine, project, byService } = await target(ctx, services);
  if (flags.stop) {
    const sink = progressSink(ctx);
    try {
      await actOnContainers(engine, servicesAsDicts(project), byService, 'stop', sink, { reverse: true });
    } finally {
      sink.close();
    }
    for (const [service, list] of byService) byService.set(service, list.map((container) => ({ ...container, state: 'exited' })));
  }
  for (const [service, list] of byService) byService.set(service, list.filter((container) => container.state !== 'running' && container.state !== 'paused'));
  const doomed = [...byService.values()].flat();
  if (doomed.length === 0) {
    ctx.stderr.write('No stopped containers\n');
    return 0;
  }
  if (!flags.force) {
    const question = `Going to remove ${doomed.map((container) => container.name).join(', ')}. Are you sure?`;
    if (!ctx.confirm) throw new BerthError(`${question} There is no terminal to ask on: run rm -f to remove them`);
    if (!(await ctx.confirm(question))) return 0;
  }
  if (ctx.flags.dryRun) return 0;
  const sink = progressSink(ctx);
  try {
    await actOnContainers(engine, servicesAsDicts(project), byService, 'remove', sink, { reverse: true, removeVolumes: flags.volumes ?? false });
  } finally {
    sink.close();
  }
  return 0;
}
