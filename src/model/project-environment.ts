// The project's variables: the caller's environment over the env files (`--env-file`, else `.env`). Apart from the
// loading passes so that a model read back whole from the cache (model-cache.ts) gets its environment without them.
import { resolve } from 'node:path';
import { envFileDirectory } from './discovery.js';
import { readEnvFile } from './dotenv.js';
import { DISK } from './files.js';
import type { ProjectFiles } from './files.js';
import { ownValue, RESERVED_KEY } from './keys.js';
import type { LoadOptions } from './load.js';

type EnvFileOptions = Pick<LoadOptions, 'cwd' | 'files' | 'projectDirectory' | 'envFiles'>;

/** Where a variable of the project's environment came from: the caller's (shell) environment, an `--env-file`, `.env`. */
export type EnvSource = { readonly kind: 'shell' } | { readonly kind: 'env-file' | 'dotenv'; readonly file: string };

/** The caller's variables over the env files (`--env-file`, else `.env` unless COMPOSE_DISABLE_ENV_FILE). */
export function projectEnvironment(
  callerEnv: Record<string, string>,
  envDir: string,
  options: EnvFileOptions,
  disk: ProjectFiles,
  sources?: Record<string, EnvSource>,
): Record<string, string> {
  const environment = { ...callerEnv };
  if (sources) for (const key of Object.keys(callerEnv)) sources[key] = { kind: 'shell' };
  const explicit = (options.envFiles ?? []).map((file) => resolve(options.cwd, file));
  const files = explicit.length > 0 ? explicit : defaultEnvFile(envDir, callerEnv, disk);
  for (const file of files) {
    const values = readEnvFile(file, (name) => ownValue(environment, name), disk);
    for (const [key, value] of values) {
      if (value !== undefined && !Object.hasOwn(callerEnv, key)) {
        environment[key] = value;
        if (sources) sources[key] = { kind: explicit.length > 0 ? 'env-file' : 'dotenv', file };
      }
    }
  }
  return environment;
}

/** `config --environment --explain`: where each variable of the project's environment came from (a later file wins). */
export function environmentSources(options: EnvFileOptions & Pick<LoadOptions, 'environment'>): Record<string, EnvSource> {
  const sources: Record<string, EnvSource> = {};
  projectEnvironment(definedOnly(options.environment), envDirectory(options), options, DISK, sources);
  return sources;
}

export function envDirectory(options: EnvFileOptions): string {
  return envFileDirectory({ cwd: options.cwd, files: options.files ?? [], projectDirectory: options.projectDirectory });
}

function defaultEnvFile(envDir: string, callerEnv: Record<string, string>, disk: ProjectFiles): string[] {
  const disabled = callerEnv.COMPOSE_DISABLE_ENV_FILE;
  if (disabled !== undefined && parseBoolean(disabled)) return [];
  const file = resolve(envDir, '.env');
  return disk.isReadableFile(file) ? [file] : [];
}

function parseBoolean(value: string): boolean {
  return ['1', 't', 'true', 'y', 'yes', 'on'].includes(value.trim().toLowerCase());
}

/** The caller's environment without unset entries (and never `__proto__`). */
export function definedOnly(environment: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(environment)) if (value !== undefined && key !== RESERVED_KEY) out[key] = value;
  return out;
}
