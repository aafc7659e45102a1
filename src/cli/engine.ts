// `berth engine`: runs berth's own engine in the foreground, serving the Engine API on a unix socket. The rest of the
// CLI never imports the engine: it talks to it over the socket like any other engine.
import { InvalidArgumentError } from 'commander';
import type { Command } from 'commander';
import { BerthError } from '../model/errors.js';
import type { RunVerb, VerbContext } from './main.js';
import { packageVersion } from './package-version.js';

interface EngineFlags {
  root: string;
  socket: string;
  runtime: string;
  configFile?: string;
  insecureRegistry: string[];
  registryMirror: string[];
  maxConcurrentDownloads?: number;
  maxConcurrentUploads?: number;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const count = (value: string): number => {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 64) throw new InvalidArgumentError('expected an integer from 1 to 64');
  return parsed;
};

export function registerEngineCommand(program: Command, run: RunVerb): void {
  program
    .command('engine')
    .description("run berth's engine in the foreground (an Engine API server that runs containers with runc)")
    .option('--root <dir>', 'where the engine keeps images and containers', '/var/lib/berth')
    .option('--socket <path>', 'the unix socket to serve the Engine API on', '/run/berth/engine.sock')
    .option('--runtime <path>', 'the OCI runtime to run containers with', '/usr/sbin/runc')
    .option('--config-file <path>', 'settings in daemon.json\'s shape (default: <root>/daemon.json, if there)')
    .option('--insecure-registry <host>', 'a registry (host[:port] or CIDR) that may be reached over plain HTTP; loopback always may (repeatable)', collect, [])
    .option('--registry-mirror <url>', 'a Docker Hub mirror, tried before the Hub (repeatable)', collect, [])
    .option('--max-concurrent-downloads <n>', 'layers a pull fetches side by side (default 3)', count)
    .option('--max-concurrent-uploads <n>', 'layers a push sends side by side (default 5)', count)
    .action(run((ctx, cmd) => runEngine(ctx, cmd.opts<EngineFlags>())));
}

async function runEngine(ctx: VerbContext, flags: EngineFlags): Promise<number> {
  const { startEngine } = await import('../engine/daemon.js');
  // Not session.ts's VERSION: that module brings the project loader and the engine client, which the engine never uses.
  const VERSION = packageVersion();
  // A log whose reader went away (the terminal closed, the parent died) must not turn into errors that are logged.
  let logOpen = true;
  (ctx.stderr as NodeJS.WritableStream).on?.('error', () => {
    logOpen = false;
  });
  const log = (line: string): void => {
    if (logOpen) ctx.stderr.write(`${new Date().toISOString()} ${line}\n`);
  };
  const settings = {
    ...(flags.configFile ? { configFile: flags.configFile } : {}),
    insecureRegistries: flags.insecureRegistry,
    registryMirrors: flags.registryMirror,
    ...(flags.maxConcurrentDownloads ? { maxConcurrentDownloads: flags.maxConcurrentDownloads } : {}),
    ...(flags.maxConcurrentUploads ? { maxConcurrentUploads: flags.maxConcurrentUploads } : {}),
  };
  const crashAt = ctx.environment.BERTH_ENGINE_CRASH_AT;
  const engine = await startEngine({ root: flags.root, socket: flags.socket, runtime: flags.runtime, version: VERSION, log, settings, ...(crashAt ? { crashAt } : {}) }).catch((error: unknown) => {
    // What the engine refuses to start with (its root in use, a bad daemon.json) is the user's to fix: no stack.
    if (error instanceof Error && error.name === 'EngineError') throw new BerthError(error.message, { kind: 'engine' });
    throw error;
  });
  // A fault in one request's callbacks must not take the engine, and every client with it, down: it is logged.
  process.on('uncaughtException', (error) => log(`internal error: ${error.stack ?? String(error)}`));
  process.on('unhandledRejection', (error) => log(`internal error: ${(error as Error)?.stack ?? String(error)}`));
  log(`berth engine ${VERSION} serving the Engine API on unix://${flags.socket} (root ${flags.root})`);
  await new Promise<void>((resolve) => {
    const stop = (): void => resolve();
    const release = ctx.onInterrupt?.(stop);
    process.once('SIGTERM', stop);
    engine.server.once('close', () => {
      release?.();
      resolve();
    });
  });
  await engine.close();
  log('berth engine stopped (containers keep running; they are adopted at the next start)');
  // Timers and watchers of containers still running would keep the process alive: the engine is done, it exits.
  setTimeout(() => process.exit(0), 500).unref();
  return 0;
}
