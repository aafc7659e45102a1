// `berth config`: load, validate and print the project in canonical form, or list parts of it, as
// `docker compose config` does.
import type { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { buildGraph } from '../model/dependencies.js';
import { dependencyOrder } from '../graph/graph.js';
import { BerthError } from '../model/errors.js';
import { serviceConfigHash } from '../model/hash.js';
import { loadModel } from '../model/load.js';
import type { LoadedModel, LoadOptions } from '../model/load.js';
import { goYamlKeyCompare, toGoYaml } from '../model/output/go-yaml.js';
import { renderModel } from '../model/output/render.js';
import type { OutputFormat } from '../model/output/render.js';
import { listProfiles } from '../model/profiles.js';
import { isDict } from '../model/tree.js';
import type { Dict } from '../model/tree.js';
import { extractVariables } from '../model/variables.js';
import type { RunVerb, VerbContext } from './main.js';
import { loadOptionsFrom } from './project-loading.js';
import { addConvertOptions, runConvertTo, wantsConversion } from './convert.js';
import type { ConvertFlags } from './convert.js';
import { formatTable } from './table.js';
import { explainEnvironment, formatExplained } from './config-environment.js';

interface ConfigFlags extends ConvertFlags {
  format?: string;
  output?: string;
  quiet: boolean;
  services: boolean;
  volumes: boolean;
  networks: boolean;
  models: boolean;
  hash?: string;
  images: boolean;
  profiles: boolean;
  variables: boolean;
  environment: boolean;
  explain: boolean;
  interpolate: boolean;
  normalize: boolean;
  pathResolution: boolean;
  envResolution: boolean;
  consistency: boolean;
  resolveImageDigests: boolean;
  lockImageDigests: boolean;
}

export function registerConfigCommand(program: Command, run: RunVerb): void {
  const command = program
    .command('config')
    .alias('convert')
    .description('parse, resolve and render the compose files in canonical form')
    .argument('[services...]', 'only these services (and what they need)')
    .option('--format <format>', 'format the output: yaml or json')
    .option('-o, --output <file>', 'save to a file (default: standard output)')
    .option('-q, --quiet', "only validate the configuration, don't print anything", false)
    .option('--services', 'print the service names, one per line, in dependency order', false)
    .option('--volumes', 'print the volume names, one per line', false)
    .option('--networks', 'print the network names, one per line', false)
    .option('--models', 'print the model names, one per line', false)
    .option('--profiles', 'print the profile names, one per line', false)
    .option('--images', 'print the image names, one per line', false)
    .option('--hash <services>', "print each service's config hash, one per line ('*' for all)")
    .option('--variables', 'print the variables the model uses, with their defaults', false)
    .option('--environment', 'print the environment used for interpolation', false)
    .option('--explain', 'with --environment: say where each value came from (shell, --env-file, .env, a default in the files)', false)
    .option('--no-interpolate', "don't interpolate environment variables")
    .option('--no-normalize', "don't normalize the compose model")
    .option('--no-path-resolution', "don't resolve file paths")
    .option('--no-env-resolution', "don't resolve service env files")
    .option('--no-consistency', "don't check model consistency (the output may not be valid)")
    .option('--resolve-image-digests', 'pin image tags to digests (needs a registry: not supported by berth yet)', false)
    .option('--lock-image-digests', 'produce an override file with image digests (not supported by berth yet)', false);
  addConvertOptions(command).action(run((ctx, cmd) => runConfig(ctx, cmd.opts<ConfigFlags>(), cmd.args)));
}

async function runConfig(ctx: VerbContext, flags: ConfigFlags, services: string[]): Promise<number> {
  if (wantsConversion(flags)) return runConvertTo(ctx, flags, services);
  if (flags.resolveImageDigests || flags.lockImageDigests) {
    throw new BerthError('config --resolve-image-digests and --lock-image-digests need registry access, which berth does not have yet');
  }
  const requested = flags.format ?? 'yaml';
  if (requested !== 'yaml' && requested !== 'json' && !flags.variables) throw new BerthError(`unsupported format "${requested}"`);
  const format: OutputFormat = requested === 'json' ? 'json' : 'yaml';
  const out = (text: string): number => {
    if (!flags.quiet) ctx.stdout.write(text);
    return 0;
  };
  const lines = (items: readonly string[]): number => out(items.map((line) => `${line}\n`).join(''));
  const load = (overrides: Partial<LoadOptions> = {}): Promise<LoadedModel> => loadModel({ ...loadOptions(ctx, flags, services), ...overrides });

  if (flags.services) return lines(dependencyOrder(buildGraph(servicesOf(await load({ services: [], resolveEnvironment: false })))));
  if (flags.volumes) return lines(sectionKeys((await load({ services: [], resolveEnvironment: false })).tree, 'volumes'));
  if (flags.networks) return lines(sectionKeys((await load({ services: [], resolveEnvironment: false })).tree, 'networks'));
  if (flags.models) {
    const models = (await load({ services: [], resolveEnvironment: false })).tree.models;
    return lines(Object.values(isDict(models) ? models : {}).flatMap((model) => (isDict(model) && typeof model.model === 'string' ? [model.model] : [])));
  }
  if (flags.hash !== undefined) return lines(hashes(await load({ services: [] }), flags.hash));
  if (flags.profiles) return lines(listProfiles((await load({ profiles: ['*'], services: [] })).tree));
  if (flags.images) {
    const loaded = await load();
    const all = servicesOf(loaded);
    return lines(Object.keys(all).sort().map((name) => imageName(all[name]!, loaded.name, name)));
  }
  if (flags.variables) return out(variablesOutput(await load({ interpolate: false, normalize: false, resolveEnvironment: false }), flags.format ?? 'table'));
  if (flags.explain && !flags.environment) throw new BerthError('--explain goes with --environment');
  if (flags.environment && flags.explain) {
    const explained = await explainEnvironment(loadOptions(ctx, flags, services));
    return out(format === 'json' && flags.format !== undefined ? `${JSON.stringify(explained, null, 2)}\n` : formatExplained(explained));
  }
  if (flags.environment) {
    const { environment } = await load();
    return lines(Object.keys(environment).sort().map((key) => `${key}=${environment[key]}`));
  }
  if (services.length > 0 && !flags.interpolate) ctx.warn('service filtering is not applied when --no-interpolate is set, the full model will be rendered');
  const loaded = await load(flags.interpolate ? {} : { services: [] });
  if (flags.quiet) return 0;
  let content = flags.interpolate ? renderModel(loaded.tree, format) : renderRaw(loaded.tree, format);
  // The output must read back the same: a literal `$` is written `$$`.
  if (flags.interpolate) content = content.replaceAll('$', '$$$$');
  if (flags.output !== undefined) {
    if (content.length > 0) writeFileSync(resolve(ctx.cwd, flags.output), content, { mode: 0o666 });
    return 0;
  }
  return out(content);
}

function loadOptions(ctx: VerbContext, flags: ConfigFlags, services: string[]): LoadOptions {
  return {
    ...loadOptionsFrom(ctx),
    services,
    interpolate: flags.interpolate,
    consistency: flags.consistency,
    resolvePaths: flags.pathResolution,
    // --compatibility prints the model as docker-compose 1.x would have: not normalized.
    normalize: flags.normalize && !ctx.flags.compatibility,
    resolveEnvironment: flags.envResolution,
    discardEnvFiles: true,
  };
}

function servicesOf(loaded: LoadedModel): Record<string, Dict> {
  const services = loaded.tree.services;
  return isDict(services) ? (services as Record<string, Dict>) : {};
}

function sectionKeys(tree: Dict, section: string): string[] {
  const value = tree[section];
  return isDict(value) ? Object.keys(value).sort() : [];
}

/** The image a service runs: its `image`, or `<project>-<service>`, the one berth builds for it. */
function imageName(service: Dict, project: string, name: string): string {
  return typeof service.image === 'string' && service.image !== '' ? service.image : `${project}-${name}`;
}

function hashes(loaded: LoadedModel, selection: string): string[] {
  const all = servicesOf(loaded);
  const names = selection === '*' ? Object.keys(all).sort() : selection.split(',');
  return names.map((name) => {
    const service = all[name];
    if (!service) throw new BerthError(`no such service: ${name}`, { kind: 'not-found' });
    return `${name} ${serviceConfigHash(service)}`;
  });
}

function variablesOutput(loaded: LoadedModel, format: string): string {
  const variables = [...extractVariables(loaded.tree).values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  if (format === 'json' || format === 'yaml') {
    const byName: Record<string, Record<string, string | boolean>> = {};
    for (const variable of variables) {
      byName[variable.name] = {
        Name: variable.name,
        DefaultValue: variable.defaultValue,
        PresenceValue: variable.alternateValue,
        Required: variable.required,
      };
    }
    if (format === 'json') return `${JSON.stringify(byName)}\n`;
    const lower: Record<string, Record<string, string | boolean>> = {};
    for (const [name, fields] of Object.entries(byName)) {
      lower[name] = { name, defaultvalue: fields.DefaultValue!, presencevalue: fields.PresenceValue!, required: fields.Required! };
    }
    return toGoYaml(lower);
  }
  if (format !== 'table') throw new BerthError(`unsupported format "${format}"`);
  const rows = [['NAME', 'REQUIRED', 'DEFAULT VALUE', 'ALTERNATE VALUE']];
  for (const variable of variables) rows.push([variable.name, String(variable.required), variable.defaultValue, variable.alternateValue]);
  return formatTable(rows);
}

/** Without interpolation the model cannot be typed (a port may still be `${PORT}`): written as a plain map, keys sorted. */
function renderRaw(tree: Dict, format: string): string {
  const sorted = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(sorted);
    if (!isDict(value)) return value ?? null;
    const out: Dict = {};
    const keys = Object.keys(value).sort(format === 'json' ? undefined : goYamlKeyCompare);
    for (const key of keys) out[key] = sorted(value[key]);
    return out;
  };
  const ordered = sorted(tree) as Parameters<typeof toGoYaml>[0];
  return format === 'json' ? JSON.stringify(ordered, null, 2) : toGoYaml(ordered);
}
