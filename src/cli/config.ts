// `berth config`: load and validate the project, and list parts of it as `docker compose config` does.
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { buildGraph, dependencyOrder } from '../graph/graph.js';
import { BerthError } from '../model/errors.js';
import { loadModel } from '../model/load.js';
import type { LoadedModel } from '../model/load.js';
import { listProfiles } from '../model/profiles.js';
import { isDict } from '../model/tree.js';
import type { Dict } from '../model/tree.js';
import type { RunVerb, VerbContext } from './main.js';

interface ConfigFlags {
  format?: string;
  output?: string;
  quiet: boolean;
  services: boolean;
  images: boolean;
  profiles: boolean;
  environment: boolean;
  interpolate: boolean;
  consistency: boolean;
}

// Flags of `docker compose config` that need passes berth does not have yet (canonical form, paths, registries),
// each with the option key commander gives it and the value it has when the flag was given.
const NOT_YET: ReadonlyArray<readonly [flag: string, key: string, given: (value: unknown) => boolean]> = [
  ['--volumes', 'volumes', (v) => v === true],
  ['--networks', 'networks', (v) => v === true],
  ['--hash <services>', 'hash', (v) => v !== undefined],
  ['--variables', 'variables', (v) => v === true],
  ['--no-normalize', 'normalize', (v) => v === false],
  ['--no-path-resolution', 'pathResolution', (v) => v === false],
  ['--no-env-resolution', 'envResolution', (v) => v === false],
  ['--resolve-image-digests', 'resolveImageDigests', (v) => v === true],
  ['--lock-image-digests', 'lockImageDigests', (v) => v === true],
];

export function registerConfigCommand(program: Command, run: RunVerb): void {
  const command = program
    .command('config')
    .alias('convert')
    .description('load and validate the compose files; list services, images, profiles or the environment')
    .argument('[services...]', 'only these services (and what they need)')
    .option('-q, --quiet', 'only validate the configuration, print nothing', false)
    .option('--services', 'print the service names, one per line, in dependency order', false)
    .option('--images', 'print the image names, one per line', false)
    .option('--profiles', 'print the profile names, one per line', false)
    .option('--environment', 'print the environment used for interpolation', false)
    .option('--no-interpolate', 'do not interpolate variables')
    .option('--no-consistency', 'do not check references between services')
    .option('--format <format>', 'output format (yaml or json): not available yet')
    .option('-o, --output <file>', 'save to a file: not available yet');
  for (const [flag] of NOT_YET) command.option(flag, 'not available yet');
  command.action(run((ctx, cmd) => runConfig(ctx, cmd.opts<ConfigFlags & Record<string, unknown>>(), cmd.args)));
}

function runConfig(ctx: VerbContext, flags: ConfigFlags & Record<string, unknown>, services: string[]): number {
  for (const [flag, key, given] of NOT_YET) {
    if (given(flags[key])) throw new BerthError(`config ${flag.split(' ')[0]} is not available yet in berth`);
  }
  const listing = flags.quiet || flags.services || flags.images || flags.profiles || flags.environment;
  if (!listing || flags.format !== undefined || flags.output !== undefined) {
    throw new BerthError(
      'printing the canonical model is not available yet: use config -q (validate), --services, --images, --profiles or --environment',
    );
  }
  const loaded = loadModel({
    cwd: ctx.cwd,
    environment: ctx.environment,
    files: ctx.flags.file,
    projectDirectory: ctx.flags.projectDirectory,
    projectName: ctx.flags.projectName,
    // --profiles lists the profiles of every service, enabled or not.
    profiles: flags.profiles ? ['*'] : ctx.flags.profile,
    envFiles: ctx.flags.envFile,
    services: flags.profiles ? [] : services,
    interpolate: flags.interpolate,
    consistency: flags.consistency,
    readStdin: () => readFileSync(0, 'utf8'),
    warn: ctx.warn,
  });
  if (flags.quiet) return 0;
  const print = (lines: readonly string[]): number => {
    for (const line of lines) ctx.stdout.write(`${line}\n`);
    return 0;
  };
  const all = servicesOf(loaded);
  if (flags.services) return print(dependencyOrder(buildGraph(all)));
  if (flags.images) return print(Object.keys(all).sort().map((name) => imageName(all[name]!, loaded.name, name)));
  if (flags.profiles) return print(listProfiles(loaded.tree));
  const { environment } = loaded;
  return print(Object.keys(environment).sort().map((key) => `${key}=${environment[key]}`));
}

function servicesOf(loaded: LoadedModel): Record<string, Dict> {
  const services = loaded.tree.services;
  return isDict(services) ? (services as Record<string, Dict>) : {};
}

/** The image a service runs: its `image`, or `<project>-<service>`, the one berth builds for it. */
function imageName(service: Dict, project: string, name: string): string {
  return typeof service.image === 'string' && service.image !== '' ? service.image : `${project}-${name}`;
}

