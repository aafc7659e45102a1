// `berth up` and `berth create`: converge the engine on the files, then (up) start in dependency order, and either
// return (-d, --wait) or follow the containers' output until they stop or the user presses Ctrl-C.
import { Option } from 'commander';
import type { Command } from 'commander';
import { ServicesWaitError, waitForServices } from '../apply/start.js';
import type { ContainerWait } from '../apply/start.js';
import type { Engine } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import { userKey } from '../model/keys.js';
import { MAX_REPLICAS } from '../model/limits.js';
import { selectServices } from '../graph/select.js';
import { PULL_FLAG_VALUES } from '../plan/pull-policy.js';
import { converge, startConverged } from './converge.js';
import type { RunVerb, VerbContext } from './main.js';
import { progressEvent } from '../progress/events.js';
import { connect, envBoolean, loadProject, parseSeconds, progressSink } from './session.js';
import { forThisEngine } from './stack-file.js';
import { exitCodeOf } from './exit.js';
import type { Project } from '../model/types.js';

interface UpFlags {
  detach: boolean;
  build?: boolean;
  pull?: string;
  forceRecreate: boolean;
  /** false with --no-recreate. */
  recreate?: boolean;
  /** false with --no-deps. */
  deps?: boolean;
  alwaysRecreateDeps: boolean;
  start: boolean;
  removeOrphans: boolean;
  renewAnonVolumes: boolean;
  scale: string[];
  timeout?: number;
  wait: boolean;
  waitTimeout?: number;
  abortOnContainerExit: boolean;
  abortOnContainerFailure: boolean;
  exitCodeFrom?: string;
  attach: string[];
  skipAttach: string[];
  attachDependencies: boolean;
  color: boolean;
  logPrefix: boolean;
  timestamps: boolean;
  yes: boolean;
  quietPull: boolean;
  watch: boolean;
  /** `--report FILE|-`: the CI report written once up (and its wait) has ended. */
  report?: string;
}

/** What `up` with no flags gets from its options (for `scale`, which is `up` with a few of them). */
const UP_DEFAULTS: UpFlags = {
  detach: false,
  forceRecreate: false,
  alwaysRecreateDeps: false,
  start: true,
  removeOrphans: false,
  renewAnonVolumes: false,
  scale: [],
  wait: false,
  abortOnContainerExit: false,
  abortOnContainerFailure: false,
  attach: [],
  skipAttach: [],
  attachDependencies: false,
  color: true,
  logPrefix: true,
  timestamps: false,
  yes: false,
  quietPull: false,
  watch: false,
};

const collect = (value: string, previous: string[]): string[] => [...previous, value];

function addConvergeOptions(command: Command): Command {
  return command
    .option('--build', 'build images before starting containers')
    .option('--no-build', "don't build an image, even if it's missing")
    .option('--pull <policy>', 'pull images before running: always, missing, never or build (in place of each pull_policy)')
    .option('--force-recreate', "recreate containers even if their configuration and image haven't changed", false)
    .option('--no-recreate', "if containers already exist, don't recreate them")
    .option('--always-recreate-deps', 'recreate dependent containers', false)
    .option('--remove-orphans', 'remove containers for services not defined in the compose files', false)
    .option('-V, --renew-anon-volumes', 'recreate anonymous volumes instead of keeping the data of the previous containers', false)
    .option('--scale <service=n>', 'scale a service to n instances, overriding its scale (repeatable)', collect, [])
    .option('-y, --yes', 'assume yes to prompts (recreate volumes whose configuration changed)', false)
    .option('--quiet-pull', 'pull without printing progress information', false);
}

export function registerUpCommand(program: Command, run: RunVerb): void {
  const up = addConvergeOptions(
    program
      .command('up')
      .description('create and start containers')
      .argument('[services...]', 'only these services (and what they need)')
      .option('-d, --detach', 'run containers in the background', false),
  )
    .option('--no-deps', "don't start linked services")
    .option('--no-start', "don't start the services after creating them")
    .option('-t, --timeout <seconds>', 'shutdown timeout in seconds', parseSeconds)
    .option('--wait', 'wait for services to be running and healthy (implies --detach)', false)
    .option('--wait-timeout <seconds>', 'maximum time to wait for the project to be running and healthy', parseSeconds)
    .option('--abort-on-container-exit', 'stop all containers if any container was stopped', false)
    .option('--abort-on-container-failure', 'stop all containers if any container exited with failure', false)
    .option('--exit-code-from <service>', 'return the exit code of the selected service container (implies --abort-on-container-exit)')
    .option('--attach <service>', 'restrict attaching to the given services (repeatable)', collect, [])
    // `--no-attach` would read as the negation of --attach: main() passes it on under this name.
    .addOption(new Option('--skip-attach <service>').hideHelp().argParser(collect).default([]))
    .option('--attach-dependencies', "show the dependencies' output too", false)
    .option('--no-color', 'produce monochrome output')
    .option('--no-log-prefix', "don't print the prefix in logs")
    .option('--timestamps', 'show timestamps', false)
    .option('--report <file>', 'with --wait or --detach: write a JSON report of every container (state, health, ports, start time, logs of failed ones) to FILE, or - for stdout')
    .option('-w, --watch', 'watch source code and sync, restart or rebuild services as develop.watch says (attached only)', false);
  up.addHelpText('after', "\n  --no-attach <service>  don't attach to the given service's output (repeatable)");
  up.action(run((ctx, cmd) => runUp(ctx, cmd.opts<UpFlags>(), cmd.args, 'up')));

  program
    .command('scale')
    .description('scale services')
    .argument('<service=replicas...>', 'services and how many containers each should have')
    .option('--no-deps', "don't start linked services")
    .action(
      run((ctx, cmd) => {
        const entries = cmd.args;
        const services = entries.map((entry) => entry.split('=')[0]!);
        const options = cmd.opts<{ deps?: boolean }>();
        // `scale` is `up -d --scale ... SERVICES`: the flags it does not have keep up's defaults.
        return runUp(ctx, { ...UP_DEFAULTS, detach: true, scale: entries, ...(options.deps === false ? { deps: false } : {}) }, services, 'up');
      }),
    );

  const create = addConvergeOptions(program.command('create').description('create containers for services').argument('[services...]', 'only these services'));
  create.action(run((ctx, cmd) => runUp(ctx, { ...cmd.opts<UpFlags>(), start: false, detach: true, deps: true } as UpFlags, cmd.args, 'create')));
}

function parseScale(entries: readonly string[]): Record<string, number> {
  const scale: Record<string, number> = {};
  for (const entry of entries) {
    const match = /^([^=]+)=(\d+)$/.exec(entry);
    if (!match) throw new BerthError(`invalid --scale "${entry}": use service=number`);
    if (Number(match[2]) > MAX_REPLICAS) throw new BerthError(`invalid --scale "${entry}": at most ${MAX_REPLICAS} containers per service`);
    scale[userKey(match[1]!, ['--scale'])] = Number(match[2]);
  }
  return scale;
}

async function runUp(ctx: VerbContext, flags: UpFlags, services: string[], verb: 'up' | 'create'): Promise<number> {
  if (flags.forceRecreate && flags.recreate === false) throw new BerthError('--force-recreate and --no-recreate are incompatible');
  if (flags.watch && (flags.detach || flags.wait)) throw new BerthError('--watch cannot be combined with --detach or --wait: it runs attached, until Ctrl-C');
  if (flags.detach && (flags.abortOnContainerExit || flags.abortOnContainerFailure || flags.exitCodeFrom)) {
    throw new BerthError('--abort-on-container-exit, --abort-on-container-failure and --exit-code-from cannot be combined with --detach');
  }
  if (flags.report !== undefined) {
    if (verb !== 'up' || !(flags.wait || flags.detach)) throw new BerthError('--report needs --wait or --detach: it describes the containers once up has returned');
    if (ctx.flags.dryRun) throw new BerthError('--report cannot be combined with --dry-run: there are no containers to report on');
    if (flags.report === '') throw new BerthError('--report needs a file name, or - for stdout');
  }
  const pull = flags.pull;
  if (pull !== undefined && !(PULL_FLAG_VALUES as readonly string[]).includes(pull)) throw new BerthError(`invalid --pull option "${pull}": use always, missing, never or build`);
  const startedAt = Math.floor(Date.now() / 1000);
  const scale = parseScale(flags.scale ?? []);
  const noDeps = flags.deps === false;
  const full = await loadProject(ctx, { services });
  let project = selectServices(full, services, { withDependencies: !noDeps });
  for (const name of Object.keys(scale)) if (!(name in project.services)) throw new BerthError(`no such service: ${name}`, { kind: 'not-found' });
  if (flags.exitCodeFrom && !(flags.exitCodeFrom in project.services)) throw new BerthError(`no such service: ${flags.exitCodeFrom}`, { kind: 'not-found' });

  const engine = await connect(ctx);
  project = await forThisEngine(ctx, engine, project);
  const sink = progressSink(ctx);
  const recreate = flags.forceRecreate ? 'force' : flags.recreate === false ? 'never' : 'diverged';
  let converged;
  const report = flags.report !== undefined ? { target: flags.report, startedAt: Date.now(), waits: [] as ContainerWait[] } : undefined;
  const targets = services.length > 0 ? services : Object.keys(project.services);
  try {
    converged = await converge(ctx, engine, project, sink, {
      services,
      recreate,
      recreateDependencies: flags.alwaysRecreateDeps ? 'force' : recreate === 'never' ? 'never' : 'diverged',
      inherit: !flags.renewAnonVolumes,
      removeOrphans: flags.removeOrphans || envBoolean(ctx.environment.COMPOSE_REMOVE_ORPHANS),
      scale,
      ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
      compatibility: ctx.flags.compatibility,
      knownServices: [...Object.keys(full.services), ...full.disabledServices],
      build: flags.build === true ? 'always' : flags.build === false ? 'never' : 'missing',
      ...(pull ? { pull } : {}),
      ...(flags.quietPull ? { quietPull: true } : {}),
      assumeYes: flags.yes,
    });
    if (flags.start !== false && verb === 'up') {
      for (const container of converged.observed.containers) {
        const why = converged.plan.blocked[container.service];
        if (why !== undefined) sink.event(progressEvent(`Container ${container.name}`, 'Error', why));
      }
      await startConverged(engine, project, converged);
    }
    converged.runner.finish();
    if (ctx.flags.dryRun || flags.start === false || verb === 'create') return reportBlocked(ctx, converged.plan.blocked);
    if (flags.wait) {
      const waits = await waitForServices({ engine, project, sink }, targets.filter((name) => !(name in converged!.plan.blocked)), flags.waitTimeout);
      if (report) report.waits = waits;
    }
  } catch (error) {
    if (report) {
      if (error instanceof ServicesWaitError) report.waits = [...error.waits];
      const facts = { ...report, services: targets, notStarted: converged?.plan.blocked ?? {}, exitCode: exitCodeOf(error), error: error instanceof Error ? error.message : String(error) };
      // The up's own error is the one to show: a report that cannot be written is only a warning then.
      await upReport(ctx, engine, project, facts).catch((failure: unknown) => ctx.warn(failure instanceof Error ? failure.message : String(failure)));
    }
    throw error;
  } finally {
    sink.close();
  }
  const blocked = reportBlocked(ctx, converged.plan.blocked);
  if (report) {
    const notStarted = converged.plan.blocked;
    const error = Object.keys(notStarted).length > 0 ? Object.entries(notStarted).map(([service, why]) => `service ${service} not started: ${why}`).join('; ') : undefined;
    await upReport(ctx, engine, project, { ...report, services: targets, notStarted, exitCode: blocked, ...(error ? { error } : {}) });
  }
  if (flags.detach || flags.wait || blocked !== 0) return blocked;
  // Loaded only here: a detached up (the common case) needs neither the attached output nor the watcher.
  const [{ followProject }, { watchProject }] = await Promise.all([import('./attached.js'), flags.watch ? import('./watch-project.js') : { watchProject: undefined }]);
  // With --watch the rules run beside the attached output, and stop with it.
  const watching = watchProject?.(ctx, engine, project, services, { prune: false, quiet: false });
  await watching?.ready;
  try {
    return await followProject(ctx, engine, project, {
      attach: attachedServices(project.services, services, flags),
      abortOnExit: flags.abortOnContainerExit || flags.exitCodeFrom !== undefined,
      abortOnFailure: flags.abortOnContainerFailure,
      ...(flags.exitCodeFrom ? { exitCodeFrom: flags.exitCodeFrom } : {}),
      ...(flags.timeout !== undefined ? { timeout: flags.timeout } : {}),
      color: flags.color !== false,
      prefix: flags.logPrefix !== false,
      timestamps: flags.timestamps,
      since: startedAt - 1,
    });
  } finally {
    await watching?.stop();
  }
}

/** `up -d` of the services with every flag at its default (berth watch brings the project up this way). */
export function upInBackground(ctx: VerbContext, services: string[]): Promise<number> {
  return runUp(ctx, { detach: true, scale: [], attach: [], skipAttach: [], start: true } as unknown as UpFlags, services, 'up');
}

interface UpReportFacts {
  readonly target: string;
  readonly startedAt: number;
  readonly waits: readonly ContainerWait[];
  readonly services: readonly string[];
  readonly notStarted: Readonly<Record<string, string>>;
  readonly exitCode: number;
  readonly error?: string;
}

async function upReport(ctx: VerbContext, engine: Engine, project: Project, facts: UpReportFacts): Promise<void> {
  const { target, ...inputs } = facts;
  const { collectReport, writeReport } = await import('../app/up-report.js');
  const report = await collectReport(engine, { ...inputs, project: project.name, finishedAt: Date.now() });
  writeReport(report, target, ctx.stdout, ctx.cwd);
}

/** Services the plan could not bring up are named on stderr; any of them makes the exit code 1. */
function reportBlocked(ctx: VerbContext, blocked: Readonly<Record<string, string>>): number {
  for (const [service, why] of Object.entries(blocked)) ctx.stderr.write(`service ${service} not started: ${why}\n`);
  return Object.keys(blocked).length > 0 ? 1 : 0;
}

function attachedServices(all: Readonly<Record<string, unknown>>, named: readonly string[], flags: UpFlags): string[] {
  let attach: string[] = [...(flags.attach.length > 0 ? flags.attach : named.length > 0 && !flags.attachDependencies ? named : Object.keys(all))];
  for (const name of [...flags.attach, ...flags.skipAttach]) if (!(name in all)) throw new BerthError(`no such service: ${name}`, { kind: 'not-found' });
  attach = attach.filter((name) => !flags.skipAttach.includes(name));
  return attach.sort();
}
