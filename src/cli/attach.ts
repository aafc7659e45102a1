// `berth attach SERVICE`: the user's terminal wired to a running container's own streams, as `docker attach` wires
// it: the output (one raw stream when the container has a terminal), the input when the container keeps stdin open
// (unless --no-stdin), signals passed on when it has no terminal (unless --sig-proxy=false), the detach keys
// watched for on a terminal. berth exits with the container's exit code once it stops, 0 when the user detaches.
import type { Command } from 'commander';
import { DEFAULT_DETACH_KEYS, detachKeyBytes } from '../engine-api/detach-keys.js';
import { BerthError } from '../model/errors.js';
import type { RunVerb, VerbContext } from './main.js';
import { projectOrName } from './project-ref.js';
import { checkService, parseIndex, serviceContainer } from './service-target.js';
import { connect } from './session.js';
import { proxySignals } from './stdio/signals.js';
import { pumpStreams } from './stdio/streams.js';
import { isTerminal, terminalSize, watchSize } from './stdio/terminal.js';

interface AttachFlags {
  detachKeys?: string;
  index?: number;
  stdin: boolean;
  /** true, false, or (`--sig-proxy SERVICE`) the word after a bare --sig-proxy. */
  sigProxy: boolean | string;
}

export function registerAttachCommand(program: Command, run: RunVerb): void {
  program
    .command('attach')
    .description("attach local standard input, output, and error streams to a service's running container")
    .argument('[service]')
    .option('--detach-keys <keys>', 'override the key sequence for detaching from a container')
    .option('--index <n>', 'index of the container if the service has several replicas', parseIndex)
    .option('--no-stdin', 'do not attach STDIN')
    .option('--sig-proxy [bool]', 'proxy all received signals to the process (default true; --sig-proxy=false to turn off)', true)
    .action(run((ctx, cmd) => runAttach(ctx, cmd.opts<AttachFlags>(), cmd.args[0])));
}

async function runAttach(ctx: VerbContext, flags: AttachFlags, named: string | undefined): Promise<number> {
  const { service, sigProxy } = serviceAndProxy(named, flags.sigProxy);
  const keys = flags.detachKeys ?? DEFAULT_DETACH_KEYS;
  const detachKeys = detachKeyBytes(keys);
  if (!detachKeys || detachKeys.length === 0) throw new BerthError(`invalid --detach-keys "${keys}": use keys such as ctrl-p,ctrl-q or a,b`);
  const ref = await projectOrName(ctx);
  checkService(ref, service);
  const engine = await connect(ctx);
  const target = await serviceContainer(engine, ref.project.name, service, { ...(flags.index ? { index: flags.index } : {}), oneoffs: true });
  const details = await engine.containers.inspect(target.id);
  if (!details?.state.running) throw new BerthError(`service "${service}" is not running`, { kind: 'not-found' });
  // As docker attach: stdin only when the container keeps it open; a terminal container wants a terminal to type in.
  const stdin = flags.stdin && details.openStdin;
  if (stdin && details.tty && !isTerminal(ctx.stdin)) throw new BerthError('the input device is not a TTY (use --no-stdin to only watch the output)');
  if (ctx.flags.dryRun) {
    ctx.stdout.write(`DRY-RUN MODE - attach to container ${target.name}\n`);
    return 0;
  }

  // Asked for before the attach, so that an exit while attaching is not missed.
  const exited = engine.containers.wait(target.id, 'not-running');
  exited.catch(() => {});
  const connection = await engine.containers.attach(target.id, { stdin, detachKeys: keys });
  const size = details.tty && isTerminal(ctx.stdout) ? terminalSize(ctx.stdout) : undefined;
  const resize = (rows: number, columns: number): void => void engine.containers.resize(target.id, rows, columns).catch(() => {});
  if (size) resize(...size);
  const stopWatching = size ? watchSize(ctx.stdout, resize) : () => {};
  const stopProxy =
    sigProxy && !details.tty ? proxySignals(engine, target.id, { ...(ctx.onSignal ? { onSignal: ctx.onSignal } : {}), note: (line) => ctx.stderr.write(`${line}\n`) }) : () => {};
  try {
    const ended = await pumpStreams(connection, ctx, { tty: details.tty, stdin, ...(details.tty ? { detachKeys } : {}) });
    if (ended === 'detached') {
      ctx.stderr.write(`detached from ${target.name}\n`);
      return 0;
    }
    return await exited;
  } finally {
    stopWatching();
    stopProxy();
  }
}

/** `--sig-proxy=false`, `--sig-proxy`, and `--sig-proxy web` (the option took the service as its value). */
function serviceAndProxy(named: string | undefined, sigProxy: boolean | string): { service: string; sigProxy: boolean } {
  if (sigProxy === true || sigProxy === 'true') return withService(named, true);
  if (sigProxy === false || sigProxy === 'false') return withService(named, false);
  if (named === undefined) return { service: sigProxy, sigProxy: true };
  throw new BerthError(`invalid --sig-proxy value "${sigProxy}": use --sig-proxy=true or --sig-proxy=false`);
}

function withService(named: string | undefined, sigProxy: boolean): { service: string; sigProxy: boolean } {
  if (named === undefined) throw new BerthError('attach needs a service: berth attach [options] SERVICE');
  return { service: named, sigProxy };
}
