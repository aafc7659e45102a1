// Relative paths made absolute against the project's working directory, `~` expanded against the caller's home.
import { isAbsolute, join, posix, win32 } from 'node:path';
import { BerthError } from './errors.js';
import type { ProjectFiles } from './files.js';
import { isDict, patternTrie, rewriteAt } from './tree.js';
import type { Dict, TreePath } from './tree.js';

type Resolver = (value: unknown, path: TreePath, context: PathContext & { readonly disk: Pick<ProjectFiles, 'realPath'> }) => unknown;

export interface PathContext {
  readonly workingDir: string;
  readonly homeDir: string;
}

export function resolveRelativePaths(tree: Dict, context: PathContext & { readonly disk: Pick<ProjectFiles, 'realPath'> }): Dict {
  return rewriteAt(tree, RESOLVERS, (resolver, value, path) => resolver(value, path, context)) as Dict;
}

export function expandUser(path: string, homeDir: string): string {
  return path.startsWith('~') ? join(homeDir, path.slice(1)) : path;
}

export function absolutePath(value: string, context: PathContext): string {
  const expanded = expandUser(value, context.homeDir);
  if (expanded === '' || isAbsolute(expanded)) return expanded;
  return join(context.workingDir, expanded);
}

const absPath: Resolver = (value, _path, context) => {
  if (Array.isArray(value)) return value.map((item) => (typeof item === 'string' ? absolutePath(item, context) : item));
  return typeof value === 'string' ? absolutePath(value, context) : value;
};

/** A path that may also be a Windows one, when a Windows client talks to a Linux engine or back: left alone. */
const maybeUnixPath: Resolver = (value, _path, context) => {
  if (typeof value !== 'string') return value;
  const expanded = expandUser(value, context.homeDir);
  if (posix.isAbsolute(expanded) || win32.isAbsolute(expanded)) return expanded;
  return join(context.workingDir, expanded);
};

const REMOTE_CONTEXT = ['https://', 'http://', 'git://', 'ssh://', 'github.com/', 'git@'];

const contextPath: Resolver = (value, path, context) => {
  if (typeof value !== 'string') return value;
  if (value.includes('://') || value.startsWith('service:') || REMOTE_CONTEXT.some((prefix) => value.startsWith(prefix))) return value;
  return absPath(value, path, context);
};

const volumeMount: Resolver = (value, path, context) => {
  if (!isDict(value) || value.type !== 'bind') return value;
  if (typeof value.source !== 'string') {
    throw new BerthError('invalid mount config for type "bind": field Source must not be empty', { path });
  }
  return { ...value, source: maybeUnixPath(value.source, path, context) };
};

/** A `local` volume with `o: bind` is a bind mount of `device`. */
const volumeDriverOpts: Resolver = (value, path, context) => {
  if (!isDict(value) || value.driver !== 'local' || !isDict(value.driver_opts)) return value;
  const options = value.driver_opts;
  if (options.o !== 'bind' || !('device' in options)) return value;
  return { ...value, driver_opts: { ...options, device: maybeUnixPath(options.device, path, context) } };
};

/** Watch paths are compared with what the file watcher reports, which follows symbolic links. */
const watchPath: Resolver = (value, path, context) => {
  const absolute = absPath(value, path, context);
  if (typeof absolute !== 'string') return absolute;
  try {
    return context.disk.realPath(absolute);
  } catch {
    return absolute;
  }
};

const RESOLVERS = patternTrie<Resolver>([
  ['services.*.build.context', contextPath],
  ['services.*.build.additional_contexts.*', contextPath],
  ['services.*.build.ssh.*', maybeUnixPath],
  ['services.*.env_file.*.path', absPath],
  ['services.*.label_file.*', absPath],
  ['services.*.extends.file', absPath],
  ['services.*.develop.watch.*.path', watchPath],
  ['services.*.volumes.*', volumeMount],
  ['configs.*.file', maybeUnixPath],
  ['secrets.*.file', maybeUnixPath],
  ['volumes.*', volumeDriverOpts],
]);
