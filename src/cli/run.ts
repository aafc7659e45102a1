// `berth run SERVICE [COMMAND...]`: a one-off container of the service, as `docker compose run` makes it. First the
// project is brought to what the container needs (images, networks, volumes, and unless --no-deps the service's
// dependencies created and started as `up` would, waiting on their conditions), without touching the service's own
// containers; then the one-off is created with compose's labels (oneoff=True, a slug), attached like `docker run`
// (a terminal when stdin and stdout are terminals, else stdout and stderr apart, signals passed on), started, and
// waited for: its exit code is berth's. `-d` prints its id and returns; `--rm` removes it when it stops.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { OneOffSession } from '../apply/run.js';
import type { Engine } from '../engine-client/index.js';
import { DEFAULT_DETACH_KEYS, detachKeyBytes } from '../engine-api/detach-keys.js';
import { parseRawEnvFile } from '../model/dotenv.js';
import { BerthError } from '../model/errors.js';
import { ownValue } from '../model/keys.js';
import { selectServices } from '../graph/select.js';
import { splitShellWords } from '../model/syntax/shell-words.js';
import { parsePortSpec } from '../model/syntax/port-spec.js';
import { parseVolumeSpec } from '../model/syntax/volume-spec.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { observeContainers } from '../observe/observe.js';
import type { ObservedState } from '../observe/observe.js';
import { containersAfter } from '../plan/predict.js';
import { PULL_FLAG_VALUES } from '../plan/pull-policy.js';
import { oneOffName, oneOffService, planOneOff, resolveMountSource } from '../plan/run.js';
import { planStart } from '../plan/start.js';
import { withoutLayers } from '../progress/layers.js';
import { converge } from './converge.js';
import { resolveEnvFlags } from './env-flags.js';
import type { RunVerb, VerbContext } from './main.js';
import { PlanRunner } from './plan-runner.js';
import { checkService } from './service-target.js';
import { connect, loadProject, progressSink } from './session.js';
import { proxySignals } from './stdio/signals.js';
import { pumpStreams } from './stdio/streams.js';
import { isTerminal, terminalSize, watchSize } from './stdio/terminal.js';

interface RunFlags {
  detach: boolean;
  rm: boolean;
  name?: string;
  entrypoint?: string;
  env: string[];
  envFromFile: string[];
  label: string[];
  user?: string;
  workdir?: string;
  volume: string[];
  publish: string[];
  servicePorts: boolean;
  useAliases: boolean;
  capAdd: string[];
  capDrop: string[];
  /** false with --no-deps. */
  deps?: boolean;
  /** false with -T / --no-TTY. */
  TTY: boolean;
  tty?: boolean;
  interactive: boolean;
  build?: boolean;
  pull?: string;
  removeOrphans: boolean;
  quietPull: boolean;
  quiet: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerRunCommand(program: Command, run: RunVerb): void {
  program
    .command('run')
    .description('run a one-off command on a service')
    .argument('<service>', 'the service whose configuration the container takes')
    .argument('[command...]', 'the command and its arguments (default: the service\'s)')
    .option('-d, --detach', 'run the container in the background and print its id', false)
    .option('--rm', 'remove the container when it exits', false)
    .option('--name <name>', 'name the container')
    .option('--entrypoint <command>', 'override the entrypoint of the image')
    .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable; KEY alone takes it from the environment)', collect, [])
    .option('--env-from-file <file>', 'set environment variables from a file (repeatable)', collect, [])
    .option('-l, --label <KEY=VALUE>', 'add or override a label (repeatable)', collect, [])
    .option('-u, --user <user>', 'run as this user')
    .option('-w, --workdir <path>', 'working directory inside the container')
    .option('-v, --volume <spec>', 'bind mount a volume (repeatable)', collect, [])
    .option('-p, --publish <spec>', "publish a container's port to the host (repeatable)", collect, [])
    .option('-P, --service-ports', "run with the service's ports published", false)
    .option('--use-aliases', "use the service's network aliases in the networks it joins", false)
    .option('--cap-add <capability>', 'add a Linux capability (repeatable)', collect, [])
    .option('--cap-drop <capability>', 'drop a Linux capability (repeatable)', collect, [])
    .option('--no-deps', "don't start the service's dependencies")
    .option('-T, --no-TTY', 'disable pseudo-TTY allocation (default: a TTY when stdin and stdout are terminals)')
    .option('-t, --tty', 'allocate a pseudo-TTY')
    .option('-i, --interactive', 'keep STDIN open (the default)', true)
    .option('--build', 'build the image before starting the container')
    .option('--pull <policy>', 'pull the image before running: always, missing, never or build')
    .option('--remove-orphans', 'remove containers for services not defined in the compose files', false)
    .option('--quiet-pull', 'pull without printing progress information', false)
    .option('-q, --quiet', "don't print anything to stderr while preparing", false)
    .passThroughOptions()
    .action(run((ctx, cmd) => runOneOff(ctx, cmd.opts<RunFlags>(), cmd.args[0]!, cmd.args.slice(1))));
}

async function runOneOff(ctx: VerbContext, flags: RunFlags, serviceName: string, command: string[]): Promise<number> {
  if (flags.tty === true && flags.TTY === false) throw new BerthError('--tty and --no-TTY cannot be used together');
  if (flags.pull !== undefined && !(PULL_FLAG_VALUES as readonly string[]).includes(flags.pull)) throw new BerthError(`invalid --pull option "${flags.pull}": use always, missing, never or build`);
  if (flags.tty === true && !flags.detach && !isTerminal(ctx.stdin)) throw new BerthError('the input device is not a TTY');
  const tty = !flags.detach && flags.TTY !== false && (flags.tty === true || (isTerminal(ctx.stdin) && isTerminal(ctx.stdout)));
  const interactive = !flags.detach && flags.interactive !== false;

  const full = await loadProject(ctx, { services: [serviceName] });
  checkService({ project: full, fromFiles: true }, serviceName);
  const project = selectServices(full, [serviceName], { withDependencies: flags.deps !== false });
  const service = project.services[serviceName]!;
  // With --no-deps the plan knows nothing of the dependencies (the one-off still gets its links from `service`).
  const planned = flags.deps === false ? { ...project, services: { [serviceName]: withoutDependencies(service) } } : project;
  const options = oneOffOptions(ctx, project, service, flags, command, tty, interactive);

  const engine = await connect(ctx);
  const sink = progressSink(ctx);
  let prepared: Prepared;
  try {
    prepared = await prepare(ctx, engine, planned, serviceName, flags, flags.quiet || flags.quietPull ? withoutLayers(sink) : sink);
  } finally {
    sink.close();
  }
  const slug = randomBytes(32).toString('hex');
  const name = flags.name ?? service.container_name ?? oneOffName(project.name, serviceName, slug, ctx.flags.compatibility ? '_' : '-');
  const plan = planOneOff({ config: oneOffService(service, options), name, slug, detach: flags.detach, autoRemove: flags.rm, interactive, useAliases: flags.useAliases });
  const session = new TerminalSession(ctx, engine, { tty, interactive, rm: flags.rm });
  // The progress display is over: what the one-off writes is the terminal's. Warnings go to stderr as they come.
  const runner = new PlanRunner(ctx, engine, project, { event: () => {}, note: (line: string) => ctx.stderr.write(`${line}\n`), close: () => {} });
  try {
    await runner.run(plan, { observed: prepared.observed, oneOff: session });
  } catch (error) {
    // As compose: a one-off that failed has its own exit code, which wins over a failed post_start hook.
    if (session.exitCode !== undefined && session.exitCode !== 0) return session.exitCode;
    throw error;
  }
  if (ctx.flags.dryRun) return 0;
  if (flags.detach) {
    ctx.stdout.write(`${session.id ?? name}\n`);
    return 0;
  }
  return session.exitCode ?? 0;
}

interface Prepared {
  /** What the one-off is planned from: the project's containers once its dependencies are up, the images. */
  readonly observed: Pick<ObservedState, 'containers' | 'images'>;
}

/** Images, networks, volumes and (unless --no-deps) the started dependencies, each stage a plan the dry run prints. */
async function prepare(ctx: VerbContext, engine: Engine, project: Project, serviceName: string, flags: RunFlags, sink: ReturnType<typeof progressSink>): Promise<Prepared> {
  const before = await observeContainers(engine, project.name);
  // The service's own containers stay as they are: as many as there are, never recreated, not started.
  const own = before.filter((container) => container.service === serviceName && !container.oneoff).length;
  const converged = await converge(ctx, engine, project, sink, {
    services: [serviceName],
    recreate: 'never',
    recreateDependencies: 'diverged',
    inherit: true,
    removeOrphans: flags.removeOrphans,
    scale: { [serviceName]: own },
    compatibility: ctx.flags.compatibility,
    build: flags.build === true ? 'always' : flags.build === false ? 'never' : 'missing',
    ...(flags.pull ? { pull: flags.pull } : {}),
    ...(flags.quietPull ? { quietPull: true } : {}),
  });
  const dryRun = converged.runner.dryRun;
  if (flags.deps !== false) {
    // On a dry run, the containers are those the convergence plan would have left (as up's dry run plans its starts).
    const candidates = dryRun ? containersAfter(converged.observed.containers, converged.plan) : await observeContainers(engine, project.name);
    const { [serviceName]: _own, ...others } = project.services;
    const dependencies = candidates.filter((container) => container.service in others);
    await converged.runner.run(planStart({ services: others }, dependencies, converged.plan.blocked), { stopOnFailure: true });
  }
  const containers = dryRun ? converged.observed.containers : await observeContainers(engine, project.name);
  return { observed: { containers, images: converged.observed.images } };
}

function oneOffOptions(ctx: VerbContext, project: Project, service: ServiceConfig, flags: RunFlags, command: string[], tty: boolean, interactive: boolean) {
  const lookup = (name: string): string | undefined => ownValue(ctx.environment, name) ?? ownValue(project.environment, name);
  const environment: string[] = [];
  for (const file of flags.envFromFile) {
    const path = resolvePath(ctx.cwd, file);
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      throw new BerthError(`--env-from-file ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (error as Error).message}`);
    }
    for (const [key, value] of parseRawEnvFile(text, path)) environment.push(`${key}=${value ?? ''}`);
  }
  environment.push(...resolveEnvFlags(flags.env, lookup));
  const labels: Record<string, string> = {};
  for (const label of flags.label) {
    const equals = label.indexOf('=');
    labels[equals < 0 ? label : label.slice(0, equals)] = equals < 0 ? '' : label.slice(equals + 1);
  }
  return {
    command,
    ...(flags.entrypoint !== undefined ? { entrypoint: splitShellWords(flags.entrypoint, ['--entrypoint']) } : {}),
    environment,
    labels,
    ...(flags.user ? { user: flags.user } : {}),
    ...(flags.workdir ? { workingDir: flags.workdir } : {}),
    volumes: flags.volume.map((spec) => resolveMountSource(parseVolumeSpec(spec, ['--volume']), project.workingDir)),
    servicePorts: flags.servicePorts,
    publish: flags.publish.flatMap((spec) => parsePortSpec(spec, ['--publish'])),
    capAdd: flags.capAdd,
    capDrop: flags.capDrop,
    tty,
    interactive,
  };
}

function withoutDependencies(service: ServiceConfig): ServiceConfig {
  const { depends_on: _dependsOn, links: _links, ...rest } = service;
  return rest as ServiceConfig;
}

function resolvePath(cwd: string, file: string): string {
  return file.startsWith('/') ? file : `${cwd}/${file}`;
}

/**
 * The one-off on the user's terminal, as `docker run` wires it: attached before it starts (a terminal when stdin and
 * stdout are terminals, else stdout and stderr apart), its exit asked for before the start (so that a quick exit, or
 * an AutoRemove, is not missed), the terminal's size followed, signals passed on when there is no terminal.
 */
class TerminalSession implements OneOffSession {
  id: string | undefined;
  exitCode: number | undefined;
  private streams: ReturnType<Engine['containers']['attach']> | undefined;
  private exited: Promise<number> | undefined;

  constructor(
    private readonly ctx: VerbContext,
    private readonly engine: Engine,
    private readonly options: { readonly tty: boolean; readonly interactive: boolean; readonly rm: boolean },
  ) {}

  created(id: string): void {
    this.id = id;
  }

  async attach(id: string): Promise<void> {
    this.streams = this.engine.containers.attach(id, { stdin: this.options.interactive });
    await this.streams;
    this.exited = this.engine.containers.wait(id, this.options.rm ? 'removed' : 'next-exit');
    this.exited.catch(() => {});
  }

  async follow(id: string): Promise<number | undefined> {
    const { ctx, engine, options } = this;
    if (!this.streams || !this.exited) throw new BerthError(`internal: container ${id} followed before it was attached`, { kind: 'internal' });
    const connection = await this.streams;
    const size = options.tty ? terminalSize(ctx.stdout) : undefined;
    const resize = (rows: number, columns: number): void => void engine.containers.resize(id, rows, columns).catch(() => {});
    if (size) resize(...size);
    const stopWatching = options.tty ? watchSize(ctx.stdout, resize) : () => {};
    // On a terminal, Ctrl-C reaches the container as a key; without one, berth passes its signals on.
    const stopProxy = options.tty ? () => {} : proxySignals(engine, id, { ...(ctx.onSignal ? { onSignal: ctx.onSignal } : {}), note: (line) => ctx.stderr.write(`${line}\n`) });
    try {
      const ended = await pumpStreams(connection, ctx, { tty: options.tty, stdin: options.interactive, ...(options.tty ? { detachKeys: detachKeyBytes(DEFAULT_DETACH_KEYS)! } : {}) });
      if (ended === 'detached') return undefined;
      this.exitCode = await this.exited;
      return this.exitCode;
    } finally {
      stopWatching();
      stopProxy();
    }
  }
}
