// `include`: other compose projects loaded on their own (own project directory, own env files, under the includer's
// variables) and their services, networks, volumes, secrets, configs and models imported. A resource the including
// file also defines is merged, the including file's keys winning.
import { dirname, isAbsolute, join } from 'node:path';
import { readEnvFile } from './dotenv.js';
import { BerthError } from './errors.js';
import type { SourcePosition } from './errors.js';
import type { ProjectFiles } from './files.js';
import { mergeDocuments } from './merge.js';
import { ownValue } from './keys.js';
import { expandUser } from './paths.js';
import { isDict } from './tree.js';
import type { Dict, TreePath } from './tree.js';

export interface IncludeContext {
  /** The including project's working directory: include paths are relative to it. */
  readonly workingDir: string;
  readonly homeDir: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly disk: ProjectFiles;
  /** Files being included, outermost first: a file including one of them is a cycle. */
  readonly included: readonly string[];
  readonly locate: (path: TreePath) => SourcePosition;
  readonly resets: readonly TreePath[];
  readonly overrides: readonly TreePath[];
  /** Loads a set of files as a project of its own (without normalization or consistency checks). */
  readonly loadProject: (request: IncludedProject) => Dict;
}

export interface IncludedProject {
  readonly files: readonly string[];
  readonly workingDir: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly included: readonly string[];
}

const IMPORTED = ['services', 'volumes', 'networks', 'secrets', 'configs', 'models'];

export function applyInclude(tree: Dict, context: IncludeContext): Dict {
  if (!('include' in tree)) return tree;
  const { include, ...rest } = tree;
  let out: Dict = rest;
  const entries = Array.isArray(include) ? include : [];
  entries.forEach((entry, index) => {
    const path: TreePath = ['include', index];
    const fail = (message: string, kind: 'invalid' | 'not-found' = 'invalid'): never => {
      throw new BerthError(message, { kind, path, position: context.locate(path) });
    };
    const spec: Dict = typeof entry === 'string' ? { path: entry } : isDict(entry) ? entry : fail('include entries must be a path or a mapping');
    const files = listOf(spec.path).map((file) => absolute(file, context));
    const main = files[0] ?? fail('include needs a path');
    if (context.included.includes(main)) fail(`include cycle detected:\n${[...context.included, main].join('\n include ')}`);
    const projectDir = typeof spec.project_directory === 'string' ? absolute(spec.project_directory, context) : dirname(main);
    const environment = includedEnvironment(spec, projectDir, context, fail);
    let imported: Dict;
    try {
      imported = context.loadProject({ files, workingDir: projectDir, environment, included: [...context.included, main] });
    } catch (error) {
      // A file of the included project that cannot be read is reported where the include names it.
      if (error instanceof BerthError && !error.position) fail(error.message, error.kind === 'not-found' ? 'not-found' : 'invalid');
      throw error;
    }
    out = importResources(out, imported, context);
  });
  return out;
}

function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.map(String) : [];
}

function absolute(path: string, context: IncludeContext): string {
  const expanded = expandUser(path, context.homeDir);
  return isAbsolute(expanded) ? expanded : join(context.workingDir, expanded);
}

/** The includer's variables over the included project's env files (its `.env` unless `env_file` says otherwise). */
function includedEnvironment(spec: Dict, projectDir: string, context: IncludeContext, fail: (message: string) => never): Record<string, string> {
  let files: string[];
  if (spec.env_file === undefined) {
    const dotEnv = join(projectDir, '.env');
    files = context.disk.isFile(dotEnv) ? [dotEnv] : [];
  } else {
    files = listOf(spec.env_file)
      .filter((file) => file !== '/dev/null')
      .map((file) => {
        const path = absolute(file, context);
        if (!context.disk.isFile(path)) fail(`include env file ${path} not found`);
        return path;
      });
  }
  const environment: Record<string, string> = {};
  for (const file of files) {
    for (const [key, value] of readEnvFile(file, (name) => ownValue(context.environment, name) ?? ownValue(environment, name), context.disk)) environment[key] = value;
  }
  return { ...environment, ...context.environment };
}

function importResources(tree: Dict, imported: Dict, context: IncludeContext): Dict {
  const out: Dict = { ...tree };
  for (const key of IMPORTED) {
    const from = imported[key];
    if (!isDict(from)) continue;
    const to: Dict = isDict(out[key]) ? { ...(out[key] as Dict) } : {};
    for (const [name, resource] of Object.entries(from)) {
      if (!Object.hasOwn(to, name)) {
        to[name] = resource;
        continue;
      }
      const local = (paths: readonly TreePath[]): TreePath[] => paths.filter((p) => p[0] === key && p[1] === name);
      const merged = mergeDocuments(
        { [key]: { [name]: resource } },
        { tree: { [key]: { [name]: to[name] } }, resets: local(context.resets), overrides: local(context.overrides) },
      );
      to[name] = (merged[key] as Dict)[name];
    }
    out[key] = to;
  }
  return out;
}
