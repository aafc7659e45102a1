// `berth exec SERVICE COMMAND...`: a process in a running container of the service, wired to the user's terminal
// as `docker exec` wires it: a pseudo-terminal when stdin and stdout are terminals (unless -T), sized like the
// user's and resized with it; stdin streamed in (EOF when it ends); the process's exit code is berth's.
import { Option } from 'commander';
import type { Command } from 'commander';
import { DEFAULT_DETACH_KEYS, detachKeyBytes } from '../engine-api/detach-keys.js';
import { exitCodeOf } from '../engine-client/exec.js';
import { BerthError } from '../model/errors.js';
import { ownValue } from '../model/keys.js';
import { resolveEnvFlags } from './env-flags.js';
import type { RunVerb, VerbContext } from './main.js';
import { projectOrName } from './project-ref.js';
import { checkService, parseIndex, serviceContainer } from './service-target.js';
import { connect } from './session.js';
import { pumpStreams } from './stdio/streams.js';
import { isTerminal, terminalSize, watchSize } from './stdio/terminal.js';

interface ExecFlags {
  detach: boolean;
  env: string[];
  index?: number;
  privileged: boolean;
  user?: string;
  workdir?: string;
  /** false with -T / --no-TTY. */
  TTY: boolean;
  /** -t (true) or --no-tty (false); undefined when neither is given. */
  tty?: boolean;
  interactive: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function registerExecCommand(program: Command, run: RunVerb): void {
  program
    .command('exec')
    .description('execute a command in a running container')
    .argument('<service>', 'the service whose container runs the command')
    .argument('<command...>', 'the command and its arguments')
    .option('-d, --detach', 'run the command in the background', false)
    .option('-e, --env <KEY=VALUE>', 'set an environment variable (repeatable; KEY alone takes it from the environment)', collect, [])
    .option('--index <n>', 'index of the container if the service has several replicas', parseIndex)
    .option('--privileged', 'give extended privileges to the process', false)
    .option('-u, --user <user>', 'run the command as this user')
    .option('-w, --workdir <path>', 'working directory for the command')
    .option('-T, --no-TTY', 'disable pseudo-TTY allocation (default: a TTY when stdin and stdout are terminals)')
    // --tty first: then --no-tty does not make true the default (undefined: neither was given).
    .addOption(new Option('-t, --tty').hideHelp())
    .addOption(new Option('--no-tty').hideHelp())
    .addOption(new Option('-i, --interactive', 'keep STDIN open (the default)').hideHelp().default(true))
    .passThroughOptions()
    .action(run((ctx, cmd) => runExec(ctx, cmd.opts<ExecFlags>(), cmd.args[0]!, cmd.args.slice(1))));
}

async function runExec(ctx: VerbContext, flags: ExecFlags, service: string, command: string[]): Promise<number> {
  if (flags.tty === true && flags.TTY === false) throw new BerthError('--tty and --no-TTY cannot be used together');
  const interactiveTerminal = isTerminal(ctx.stdin) && isTerminal(ctx.stdout);
  // -t on input that is not a terminal is docker's error; by default a terminal only when both ends are one.
  if (flags.tty === true && !flags.detach && !isTerminal(ctx.stdin)) throw new BerthError('the input device is not a TTY');
  const tty = flags.TTY !== false && flags.tty !== false && (flags.tty === true || interactiveTerminal);

  const ref = await projectOrName(ctx);
  checkService(ref, service);
  const env = resolveEnvFlags(flags.env, (name) => ownValue(ctx.environment, name) ?? ownValue(ref.project.environment, name));
  if (ctx.flags.dryRun) {
    ctx.stdout.write(`DRY-RUN MODE - exec in a container of service ${service}: ${command.join(' ')}\n`);
    return 0;
  }
  const engine = await connect(ctx);
  const target = await serviceContainer(engine, ref.project.name, service, { ...(flags.index ? { index: flags.index } : {}), oneoffs: true });
  const size = tty ? terminalSize(ctx.stdout) : undefined;
  const id = await engine.execs.create(target.id, {
    command,
    tty,
    stdin: !flags.detach && flags.interactive !== false,
    output: !flags.detach,
    env,
    ...(flags.user ? { user: flags.user } : {}),
    ...(flags.workdir ? { workingDir: flags.workdir } : {}),
    ...(flags.privileged ? { privileged: true } : {}),
    ...(size ? { consoleSize: size } : {}),
  });
  if (flags.detach) {
    await engine.execs.startDetached(id, tty);
    return 0;
  }
  const connection = await engine.execs.attach(id, { tty, ...(size ? { consoleSize: size } : {}) });
  const resize = (rows: number, columns: number): void => void engine.execs.resize(id, rows, columns).catch(() => {});
  if (size) resize(...size);
  const stopWatching = tty ? watchSize(ctx.stdout, resize) : () => {};
  try {
    // The detach keys are the engine's default (the docker CLI sends none unless configured); berth watches for
    // them too, since not every engine ends an exec's stream on them.
    const ended = await pumpStreams(connection, ctx, { tty, stdin: flags.interactive !== false, ...(tty ? { detachKeys: detachKeyBytes(DEFAULT_DETACH_KEYS)! } : {}) });
    if (ended === 'detached') return 0;
  } finally {
    stopWatching();
  }
  return exitCodeOf(engine.execs, id);
}
