// berth's command line: global flags, one file per verb, errors reported in one place.
import { Command, CommanderError } from 'commander';
import { packageVersion } from './package-version.js';
import { reportError } from './exit.js';
import { addGlobalOptions, checkGlobalFlags } from './global-options.js';
import type { GlobalFlags } from './global-options.js';
import { indexVerbs, readVerbIndex, registerVerbs } from './verb-index.js';
import type { IndexedVerb } from './verb-index.js';
import { FORWARDED_SIGNALS } from './stdio/signals.js';
import type { InputStream } from './stdio/terminal.js';

export interface CliIo {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
  /** The user's input (a terminal or a pipe): exec, run, attach and `cp -` read it. */
  readonly stdin?: InputStream;
  readonly cwd: string;
  readonly environment: Readonly<Record<string, string | undefined>>;
  /** Registers a Ctrl-C handler (the process's SIGINT); returns a function that removes it. */
  readonly onInterrupt?: (handler: () => void) => () => void;
  /** Registers a handler for the signals a foreground container is sent in turn (run, attach); returns its removal. */
  readonly onSignal?: (handler: (signal: NodeJS.Signals) => void) => () => void;
  /** Asks a yes/no question on the terminal; absent when there is no terminal to ask on. */
  readonly confirm?: (question: string) => Promise<boolean>;
  /** Loading may use the user's cache directory (src/model/load-cache-dir.ts): the real CLI; tests only with `BERTH_CACHE_DIR`. */
  readonly cacheLoads?: boolean;
}

export type VerbContext = CliIo & {
  readonly flags: GlobalFlags;
  readonly warn: (message: string) => void;
};

export async function main(
  args: readonly string[],
  io: CliIo = processIo(),
  /** null: none (every verb module is loaded). */
  verbIndex: readonly IndexedVerb[] | null = readVerbIndex(),
): Promise<number> {
  const verbose = args.includes('--verbose') || Boolean(io.environment.DEBUG);
  const program = berthProgram(io);

  let exitCode = 0;
  const context = (command: Command): VerbContext => {
    const flags = command.optsWithGlobals() as GlobalFlags;
    checkGlobalFlags(flags);
    return { ...io, flags, warn: (message) => io.stderr.write(`WARN[0000] ${message}\n`) };
  };
  const run = (verb: (ctx: VerbContext, command: Command) => Promise<number> | number) =>
    async (...actionArgs: unknown[]): Promise<void> => {
      const command = actionArgs[actionArgs.length - 1] as Command;
      exitCode = await verb(context(command), command);
    };
  // Only the module of the verb asked for is loaded (src/cli/verbs.ts); --help reads the build's verb index.
  await registerVerbs(program, run, args, verbIndex);

  try {
    await program.parseAsync(args.map(renameNoAttach), { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    return reportError(error, { verbose, stderr: io.stderr });
  }
}

function berthProgram(io: Pick<CliIo, 'stdout' | 'stderr'>): Command {
  return addGlobalOptions(new Command('berth'))
    .description('Define and run multi-container applications, applying only what changed')
    .version(`berth version v${packageVersion()}`, '-v, --version', 'show the berth version')
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .showHelpAfterError('(run "berth --help" for usage)');
}

/** Which module registers which command, for dist/cli/verb-index.json (written by scripts/verb-index.mjs). */
export async function buildVerbIndex(): Promise<IndexedVerb[]> {
  const program = berthProgram({ stdout: process.stdout, stderr: process.stderr });
  return indexVerbs(program, () => async () => {});
}

export type RunVerb = (
  verb: (ctx: VerbContext, command: Command) => Promise<number> | number,
) => (...args: unknown[]) => Promise<void>;

function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    environment: process.env,
    stdin: process.stdin,
    cacheLoads: true,
    onInterrupt: (handler) => {
      process.on('SIGINT', handler);
      return () => process.off('SIGINT', handler);
    },
    onSignal: (handler) => {
      for (const signal of FORWARDED_SIGNALS) process.on(signal, handler);
      return () => {
        for (const signal of FORWARDED_SIGNALS) process.off(signal, handler);
      };
    },
    ...(process.stdin.isTTY && process.stderr.isTTY ? { confirm: askOnTerminal } : {}),
  };
}

async function askOnTerminal(question: string): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await terminal.question(`${question} [y/N] `)).trim());
  } finally {
    terminal.close();
  }
}

/** `up --no-attach <service>` is not the negation of `--attach`: it goes to commander under a name of its own. */
function renameNoAttach(arg: string): string {
  if (arg === '--no-attach') return '--skip-attach';
  if (arg.startsWith('--no-attach=')) return `--skip-attach=${arg.slice('--no-attach='.length)}`;
  return arg;
}
