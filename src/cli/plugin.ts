// `berth plugin install [--as compose|berth]` and `berth plugin uninstall`: berth as a docker CLI plugin, so that
// `docker berth up` (or, with --as compose, `docker compose up`) runs berth. The plugin is a small shell script in
// the docker CLI's plugin directory ($DOCKER_CONFIG/cli-plugins, else ~/.docker/cli-plugins) that answers
// `docker-cli-plugin-metadata` and hands the rest to berth. A docker-compose plugin already there is moved aside,
// and put back by uninstall; files berth did not write are never removed.
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { packageVersion } from '../app/package-version.js';
import { BerthError } from '../model/errors.js';
import type { RunVerb, VerbContext } from './main.js';

const NAMES = ['berth', 'compose'] as const;
type PluginName = (typeof NAMES)[number];

/** The line that marks a plugin file as berth's own (uninstall removes only those). */
const MARK = '# docker CLI plugin written by `berth plugin install`';
/** Where a docker-compose plugin that was there before is kept while berth answers to `docker compose`. */
const SAVED_SUFFIX = '.before-berth';

export function registerPluginCommand(program: Command, run: RunVerb): void {
  const plugin = program.command('plugin').description('make berth a docker CLI plugin (`docker berth ...`, or `docker compose ...`)');
  plugin
    .command('install')
    .description('write the docker CLI plugin (a docker-compose plugin already there is moved aside)')
    .option('--as <name>', 'the name docker knows it by: berth (docker berth ...) or compose (docker compose ...)', 'berth')
    .action(run((ctx, cmd) => install(ctx, pluginName(cmd.opts<{ as: string }>().as))));
  plugin
    .command('uninstall')
    .description("remove berth's docker CLI plugins (both names unless --as says one), putting back a docker-compose plugin moved aside")
    .option('--as <name>', 'only this one: berth or compose')
    .action(
      run((ctx, cmd) => {
        const as = cmd.opts<{ as?: string }>().as;
        return uninstall(ctx, as === undefined ? NAMES : [pluginName(as)]);
      }),
    );
}

function pluginName(value: string): PluginName {
  if (!(NAMES as readonly string[]).includes(value)) throw new BerthError(`invalid --as "${value}": use berth or compose`);
  return value as PluginName;
}

/** The docker CLI's plugin directory, as the docker CLI finds its config directory. */
export function pluginDirectory(environment: Readonly<Record<string, string | undefined>>): string {
  const config = environment.DOCKER_CONFIG || join(environment.HOME || homedir(), '.docker');
  return join(resolve(config), 'cli-plugins');
}

function install(ctx: VerbContext, name: PluginName): number {
  const directory = pluginDirectory(ctx.environment);
  mkdirSync(directory, { recursive: true });
  const file = join(directory, `docker-${name}`);
  if (existsSync(file) && !isOurs(file)) {
    const saved = `${file}${SAVED_SUFFIX}`;
    if (existsSync(saved)) throw new BerthError(`${file} is not berth's, and ${saved} (kept from an earlier install) is in the way: move one of them`, { kind: 'conflict' });
    renameSync(file, saved);
    ctx.stdout.write(`moved ${file} aside to ${saved} (berth plugin uninstall puts it back)\n`);
  }
  writeFileSync(`${file}.tmp`, pluginScript(name));
  chmodSync(`${file}.tmp`, 0o755);
  renameSync(`${file}.tmp`, file);
  ctx.stdout.write(`installed ${file}: \`docker ${name} ...\` runs berth\n`);
  return 0;
}

function uninstall(ctx: VerbContext, names: readonly PluginName[]): number {
  const directory = pluginDirectory(ctx.environment);
  for (const name of names) {
    const file = join(directory, `docker-${name}`);
    if (existsSync(file)) {
      if (!isOurs(file)) {
        ctx.stderr.write(`WARN[0000] ${file} was not written by berth: left as it is\n`);
        continue;
      }
      rmSync(file);
      ctx.stdout.write(`removed ${file}\n`);
    }
    const saved = `${file}${SAVED_SUFFIX}`;
    if (existsSync(saved) && !existsSync(file)) {
      renameSync(saved, file);
      ctx.stdout.write(`put ${file} back\n`);
    }
  }
  return 0;
}

function isOurs(file: string): boolean {
  try {
    return readFileSync(file, 'utf8').split('\n', 3).includes(MARK);
  } catch {
    return false;
  }
}

function shellQuote(text: string): string {
  return `'${text.replaceAll("'", "'\\''")}'`;
}

/**
 * The docker CLI runs a plugin as `docker-NAME docker-cli-plugin-metadata` to learn about it, and as
 * `docker-NAME [GLOBAL FLAGS] NAME ARGS...` to use it: its global flags become berth's -H or the environment the
 * docker CLI would have read them from (DOCKER_CONTEXT, DOCKER_CONFIG, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH), the
 * name is dropped, and the rest is handed to berth, run by this node.
 */
function pluginScript(name: PluginName): string {
  const berth = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'berth.js');
  const metadata = JSON.stringify({
    SchemaVersion: '0.1.0',
    Vendor: 'berth',
    Version: packageVersion(),
    ShortDescription: name === 'compose' ? 'Docker Compose (berth)' : 'berth: Compose-style stacks, applying only what changed',
  });
  return `#!/bin/sh
${MARK}
if [ "$1" = docker-cli-plugin-metadata ]; then
  printf '%s\\n' ${shellQuote(metadata)}
  exit 0
fi
host=
while [ $# -gt 0 ] && [ "$1" != ${name} ]; do
  case "$1" in
    -H|--host) host=$2; shift 2 ;;
    --host=*) host=\${1#*=}; shift ;;
    -c|--context) export DOCKER_CONTEXT="$2"; shift 2 ;;
    --context=*) export DOCKER_CONTEXT="\${1#*=}"; shift ;;
    --config) export DOCKER_CONFIG="$2"; shift 2 ;;
    --config=*) export DOCKER_CONFIG="\${1#*=}"; shift ;;
    --tlscacert|--tlscert|--tlskey) export DOCKER_CERT_PATH="$(dirname "$2")"; shift 2 ;;
    --tlscacert=*|--tlscert=*|--tlskey=*) export DOCKER_CERT_PATH="$(dirname "\${1#*=}")"; shift ;;
    --tls|--tlsverify) export DOCKER_TLS_VERIFY=1; shift ;;
    -l|--log-level) shift 2 ;;
    *) shift ;;
  esac
done
if [ "$1" = ${name} ]; then shift; fi
if [ -n "$host" ]; then set -- -H "$host" "$@"; fi
exec ${shellQuote(process.execPath)} ${shellQuote(resolve(berth))} "$@"
`;
}
