// `develop.watch` as berth acts on it: one rule per entry, its path absolute, its ignore and include patterns
// (.dockerignore syntax, relative to the path) joined by what is never worth a sync: the build context's
// .dockerignore, `.git/` and editor temporary files. Checked here, before anything is watched.
import { existsSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { parseDockerignore } from '../engine-api/dockerignore.js';
import { BerthError } from '../model/errors.js';
import type { Dict } from '../model/tree.js';
import type { Project, ServiceConfig } from '../model/types.js';

export type WatchAction = 'sync' | 'rebuild' | 'restart' | 'sync+restart' | 'sync+exec';

export interface ExecHook {
  readonly command: readonly string[];
  readonly user?: string;
  readonly privileged?: boolean;
  readonly workingDir?: string;
  readonly env: readonly string[];
}

export interface WatchRule {
  readonly service: string;
  readonly action: WatchAction;
  /** Absolute path on the host (a directory or a file). */
  readonly path: string;
  /** Where it goes in the container (sync actions). */
  readonly target?: string;
  readonly initialSync: boolean;
  readonly exec?: ExecHook;
  /** Whether a changed path (absolute) is left alone by this rule. */
  readonly ignores: (path: string) => boolean;
}

const ACTIONS = new Set<WatchAction>(['sync', 'rebuild', 'restart', 'sync+restart', 'sync+exec']);
/** Editor and VCS droppings: vim's swap files and its 4913 probe, emacs locks and backups, `.git`. */
const ALWAYS_IGNORED = ['.git', '**/.git', '**/*~', '**/.*.swp', '**/.*.swx', '**/4913', '**/.#*', '**/#*#'];

/** The rules of the selected services; a clear error when none of them has any, or a rule cannot work. */
export function watchRules(project: Project, services: readonly string[]): WatchRule[] {
  const names = services.length > 0 ? services : Object.keys(project.services).sort();
  const rules: WatchRule[] = [];
  for (const name of names) {
    const service = project.services[name];
    if (!service) throw new BerthError(`no such service: ${name}`, { kind: 'not-found' });
    const entries = ((service.develop as Dict | undefined)?.watch as Dict[] | undefined) ?? [];
    entries.forEach((entry, index) => rules.push(rule(service, entry, `services.${name}.develop.watch[${index}]`)));
  }
  if (rules.length === 0) {
    throw new BerthError(`none of the selected services is configured for watch, consider setting a 'develop' section (services: ${names.join(', ')})`);
  }
  return rules;
}

function rule(service: ServiceConfig, entry: Dict, where: string): WatchRule {
  const action = entry.action as WatchAction;
  if (!ACTIONS.has(action)) throw new BerthError(`${where}.action: unknown action "${String(entry.action)}" (sync, rebuild, restart, sync+restart, sync+exec)`);
  const path = entry.path as string;
  if (!existsSync(path)) throw new BerthError(`${where}.path: ${path} does not exist`);
  if (action === 'rebuild' && service.build === undefined) throw new BerthError(`${where}: service "${service.name}" has no build section, so a rebuild rule cannot rebuild it`);
  const target = entry.target as string | undefined;
  if (action.startsWith('sync') && !target) throw new BerthError(`${where}.target is required for the ${action} action`);
  const exec = entry.exec as Dict | undefined;
  if (action === 'sync+exec' && !exec?.command) throw new BerthError(`${where}.exec.command is required for the sync+exec action`);
  return {
    service: service.name,
    action,
    path,
    ...(target ? { target } : {}),
    initialSync: Boolean(entry.initial_sync),
    ...(exec ? { exec: execHook(exec) } : {}),
    ignores: ignoreMatcher(service, path, (entry.ignore as string[] | undefined) ?? [], entry.include as string[] | undefined),
  };
}

function execHook(exec: Dict): ExecHook {
  const command = exec.command as string | string[];
  const environment = exec.environment as Dict | string[] | undefined;
  const env = Array.isArray(environment) ? environment : Object.entries(environment ?? {}).map(([key, value]) => `${key}=${String(value ?? '')}`);
  return {
    command: Array.isArray(command) ? command : ['/bin/sh', '-c', command],
    ...(exec.user ? { user: String(exec.user) } : {}),
    ...(exec.privileged ? { privileged: true } : {}),
    ...(exec.working_dir ? { workingDir: String(exec.working_dir) } : {}),
    env,
  };
}

/**
 * A path is ignored when the always-ignored patterns, the rule's `ignore` or (inside the build context) the
 * context's .dockerignore match it, or when `include` is given and does not.
 */
function ignoreMatcher(service: ServiceConfig, root: string, ignore: readonly string[], include: readonly string[] | undefined): (path: string) => boolean {
  const fromRule = parseDockerignore([...ALWAYS_IGNORED, ...ignore].join('\n'));
  const included = include && include.length > 0 ? parseDockerignore(include.join('\n')) : undefined;
  const context = (service.build as Dict | undefined)?.context as string | undefined;
  let fromContext: ((path: string) => boolean) | undefined;
  if (context && existsSync(join(context, '.dockerignore'))) fromContext = parseDockerignore(readFileSync(join(context, '.dockerignore'), 'utf8'));
  return (path) => {
    const inRule = slashed(relative(root, path));
    if (inRule.startsWith('..')) return true;
    if (inRule !== '' && fromRule(inRule)) return true;
    if (included && inRule !== '' && !included(inRule)) return true;
    if (fromContext && context) {
      const inContext = slashed(relative(context, path));
      if (!inContext.startsWith('..') && inContext !== '' && fromContext(inContext)) return true;
    }
    return false;
  };
}

function slashed(path: string): string {
  return path.split(sep).join('/');
}

/** Sync rules over a path the service already bind-mounts do nothing useful: berth warns and skips them. */
export function boundPath(service: ServiceConfig, path: string): string | undefined {
  for (const volume of (service.volumes as Dict[] | undefined) ?? []) {
    const source = volume.source as string | undefined;
    if (volume.type === 'bind' && source && !relative(source, path).startsWith('..')) return source;
  }
  return undefined;
}
