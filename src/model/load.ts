// compose files -> project: where a load starts. A load the cache has seen before is read back whole
// (model-cache.ts) without the passes; only a load it has not seen imports them (load-passes.ts: the parse, the
// schema, interpolation, merge, extends... most of the model's modules), so a warm `up` or `config` does not pay for
// loading code it does not run.
import { DISK } from './files.js';
import type { LoadCache } from './load-cache.js';
import { cachedModel } from './model-cache.js';
import type { Dict } from './tree.js';
import { definedOnly, envDirectory, projectEnvironment } from './project-environment.js';

export { environmentSources } from './project-environment.js';
export type { EnvSource } from './project-environment.js';

export interface LoadOptions {
  /** The caller's working directory. */
  readonly cwd: string;
  /** The caller's environment (`process.env` at the edge). */
  readonly environment: Readonly<Record<string, string | undefined>>;
  /** `-f`, in order; `-` reads `readStdin()`. */
  readonly files?: readonly string[];
  readonly projectDirectory?: string;
  readonly projectName?: string;
  readonly profiles?: readonly string[];
  /** `--env-file`, in order; replaces the default `.env`. */
  readonly envFiles?: readonly string[];
  /** Services named on the command line: they and their dependencies are enabled whatever their profiles. */
  readonly services?: readonly string[];
  readonly interpolate?: boolean;
  /** Check references between services (the dependency graph: unknown services, cycles). */
  readonly consistency?: boolean;
  /** Make relative paths absolute (default true; `config --no-path-resolution` turns it off). */
  readonly resolvePaths?: boolean;
  /** Add the implicit defaults: default network, implied dependencies, resource names (default true). */
  readonly normalize?: boolean;
  /** Read env_file and label_file into environment and labels (default true). */
  readonly resolveEnvironment?: boolean;
  /** Drop env_file and label_file once read (what `config` prints). */
  readonly discardEnvFiles?: boolean;
  readonly readStdin?: () => string;
  readonly warn: (message: string) => void;
  /** Parses and schema verdicts remembered between runs (load-cache.ts); none: every file parsed and validated. */
  readonly cache?: LoadCache;
}

export interface LoadedModel {
  readonly name: string;
  readonly workingDir: string;
  readonly configFiles: readonly string[];
  /** The variables interpolation saw: the caller's environment over the env files. */
  readonly environment: Readonly<Record<string, string>>;
  /** The merged, interpolated, validated tree in canonical form, each value decoded to the one form compose's types give it. */
  readonly tree: Dict;
  readonly disabledServices: readonly string[];
}

/** Loads the project `options` describe: from the cache when the same load was made before, else by the passes. */
export async function loadModel(options: LoadOptions): Promise<LoadedModel> {
  const passes = async (): Promise<typeof import('./load-passes.js')> => import('./load-passes.js');
  if (!options.cache) return (await passes()).loadFromFiles(options, DISK);
  const callerEnv = definedOnly(options.environment);
  return cachedModel(options, options.cache, callerEnv, async (given, disk) => (await passes()).loadFromFiles(given, disk), ({ name }) => ({
    ...projectEnvironment(callerEnv, envDirectory(options), options, DISK),
    COMPOSE_PROJECT_NAME: name,
  }));
}
