// `berth run SERVICE [COMMAND...]`: a one-off container of the service, as `docker compose run` makes it. First the
// project is brought to what the container needs (images, networks, volumes, and unless --no-deps the service's
// dependencies created and started as `up` would, waiting on their conditions), without touching the service's own
// containers; then the one-off is created with compose's labels (oneoff=True, a slug), attached like `docker run`
// (a terminal when stdin and stdout are terminals, else stdout and stderr apart, signals passed on), started, and
// waited for: its exit code is berth's. `-d` prints its id and returns; `--rm` removes it when it stops.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { buildContainerCreateRequest } from '../apply/convert/index.js';
import type { Engine } from '../engine-client/index.js';
import { DEFAULT_DETACH_KEYS, detachKeyBytes } from '../engine-api/detach-keys.js';
import { parseRawEnvFile } from '../model/dotenv.js';
import { BerthError } from '../model/errors.js';
import { serviceConfigHash } from '../model/hash.js';
import { ownValue } from '../model/keys.js';
import { selectServices } from '../graph/select.js';
import { splitShellWords } from '../model/syntax/shell-words.js';
import { parsePortSpec } from '../model/syntax/port-spec.js';
import { parseVolumeSpec } from '../model/syntax/volume-spec.js';
import type { Dict } from '../model/tree.js';
import type { Project, ServiceConfig } from '../model/types.js';
import { observeContainers, serviceImage } from '../observe/observe.js';
import { containerLabels, LABEL } from '../model/labels.js';
import { PULL_FLAG_VALUES } from '../plan/pull-policy.js';
import { resolveServiceReferences } from '../plan/reconcile.js';
import { oneOffName, oneOffService, resolveMountSource } from '../plan/run.js';
import { planStart } from '../plan/start.js';
import { inlineObjectFiles } from '../apply/convert/secrets.js';
import { writeInlineFiles } from '../apply/inline-files.js';
import { dependsOnLabel } from '../apply/create-container.js';
import { withoutLayers } from '../progress/layers.js';
import { converge } from './converge.js';
import { resolveEnvFlags } from './env-flags.js';
import type { RunVerb, VerbContext } from './main.js';
import { checkService } from './service-target.js';
import { connect, loadProject, progressSink, VERSION } from './session.js';
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

  const full = loadProject(ctx, { services: [serviceName] });
  checkService({ project: full, fromFiles: true }, serviceName);
  const project = selectServices(full, [serviceName], { withDependencies: flags.deps !== false });
  const service = project.services[serviceName]!;
  // With --no-deps the plan knows nothing of the dependencies (the one-off still gets its links from `service`).
  const planned = flags.deps === false ? { ...project, services: { [serviceName]: withoutDependencies(service) } } : project;
  const options = oneOffOptions(ctx, project, service, flags, command, tty, interactive);

  const engine = await connect(ctx);
  const sink = progressSink(ctx);
  let containersByService: Record<string, { id: string; name: string }[]>;
  try {
    containersByService = await prepare(ctx, engine, planned, serviceName, flags, flags.quiet || flags.quietPull ? withoutLayers(sink) : sink);
  } finally {
    sink.close();
  }
  const slug = randomBytes(32).toString('hex');
  const name = flags.name ?? service.container_name ?? oneOffName(project.name, serviceName, slug, ctx.flags.compatibility ? '_' : '-');
  if (ctx.flags.dryRun) {
    ctx.stdout.write(`DRY-RUN MODE - run ${name} (service ${serviceName})${command.length > 0 ? `: ${command.join(' ')}` : ''}\n`);
    return 0;
  }

  const oneOff = resolveServiceReferences(oneOffService(service, options), containersByService);
  const image = serviceImage(project.name, oneOff);
  const labels = {
    ...containerLabels({
      project: project.name,
      service: serviceName,
      number: 1,
      configHash: serviceConfigHash(oneOff as unknown as Dict),
      imageDigest: '',
      workingDir: project.workingDir,
      configFiles: project.configFiles,
      version: VERSION,
      dependsOn: dependsOnLabel(oneOff),
      ...(oneOff.labels ? { userLabels: oneOff.labels } : {}),
    }),
    [LABEL.oneoff]: 'True',
    [LABEL.slug]: slug,
  };
  const request = buildContainerCreateRequest(oneOff, {
    projectName: project.name,
    serviceName,
    containerName: name,
    number: 1,
    labels,
    networkNames: Object.fromEntries(Object.entries(project.networks).map(([key, network]) => [key, network.name ?? `${project.name}_${key}`])),
    volumeNames: Object.fromEntries(Object.entries(project.volumes).map(([key, volume]) => [key, volume.name ?? `${project.name}_${key}`])),
    containersByService,
    apiVersion: engine.apiVersion,
    image,
    useNetworkAliases: flags.useAliases,
    engineOs: engine.os,
    readFile: (path) => readFileSync(path, 'utf8'),
    workingDir: project.workingDir,
    secrets: project.secrets,
    configs: project.configs,
  });
  for (const warning of request.warnings) ctx.warn(warning);
  const inline = inlineObjectFiles(oneOff, project);
  const body = request.body as { HostConfig?: Record<string, unknown>; OpenStdin?: boolean; StdinOnce?: boolean; AttachStdin?: boolean };
  // As docker run: the input is attached once and closed with the client's; --rm is the engine's AutoRemove.
  if (interactive) Object.assign(body, { OpenStdin: true, StdinOnce: true, AttachStdin: true });
  if (flags.rm) body.HostConfig = { ...body.HostConfig, AutoRemove: true };
  const created = await engine.containers.create(request.name, body, request.platform);
  for (const warning of created.warnings) ctx.warn(warning);
  await writeInlineFiles(engine, created.id, inline);
  for (const extra of request.extraNetworks) await engine.networks.connect(extra.network, created.id, extra.endpointConfig);

  try {
    if (flags.detach) {
      await engine.containers.start(created.id);
      ctx.stdout.write(`${created.id}\n`);
      return 0;
    }
    return await runAttached(ctx, engine, created.id, { tty, interactive, rm: flags.rm });
  } catch (error) {
    // A one-off that never ran is not left behind when --rm was asked for.
    if (flags.rm) await engine.containers.remove(created.id, { force: true }).catch(() => {});
    throw error;
  }
}

/** Images, networks, volumes and (unless --no-deps) the started dependencies; returns the containers by service. */
async function prepare(ctx: VerbContext, engine: Engine, project: Project, serviceName: string, flags: RunFlags, sink: ReturnType<typeof progressSink>): Promise<Record<string, { id: string; name: string }[]>> {
  const before = await observeContainers(engine, project.name);
  // The service's own containers stay as they are: as many as there are, never recreated, not started.
  const own = before.filter((container) => container.service === serviceName).length;
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
  const after = converged.runner.dryRun ? before : await observeContainers(engine, project.name);
  if (flags.deps !== false) {
    const dependencies = Object.keys(project.services).filter((name) => name !== serviceName);
    const candidates = after.filter((container) => dependencies.includes(container.service));
    const { [serviceName]: _own, ...others } = project.services;
    await converged.runner.run(planStart({ services: others }, candidates, converged.plan.blocked), { stopOnFailure: true });
  }
  converged.runner.finish();
  const byService: Record<string, { id: string; name: string }[]> = {};
  for (const container of after) if (!container.oneoff) (byService[container.service] ??= []).push({ id: container.id, name: container.name });
  return byService;
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

/** Attached before it starts (nothing it writes is lost), then waited for: the exit code, or 0 when detached. */
async function runAttached(ctx: VerbContext, engine: Engine, id: string, options: { tty: boolean; interactive: boolean; rm: boolean }): Promise<number> {
  const connection = await engine.containers.attach(id, { stdin: options.interactive });
  // Asked for before the start, as docker run does, so that a quick exit (and an AutoRemove) is not missed.
  const exited = engine.containers.wait(id, options.rm ? 'removed' : 'next-exit');
  exited.catch(() => {});
  await engine.containers.start(id);
  const size = options.tty ? terminalSize(ctx.stdout) : undefined;
  const resize = (rows: number, columns: number): void => void engine.containers.resize(id, rows, columns).catch(() => {});
  if (size) resize(...size);
  const stopWatching = options.tty ? watchSize(ctx.stdout, resize) : () => {};
  // On a terminal, Ctrl-C reaches the container as a key; without one, berth passes its signals on.
  const stopProxy = options.tty ? () => {} : proxySignals(engine, id, { ...(ctx.onSignal ? { onSignal: ctx.onSignal } : {}), note: (line) => ctx.stderr.write(`${line}\n`) });
  try {
    const ended = await pumpStreams(connection, ctx, { tty: options.tty, stdin: options.interactive, ...(options.tty ? { detachKeys: detachKeyBytes(DEFAULT_DETACH_KEYS)! } : {}) });
    if (ended === 'detached') return 0;
    return await exited;
  } finally {
    stopWatching();
    stopProxy();
  }
}
