// Which compose files make up the project, and which directory it lives in.
import { basename, dirname, join, resolve } from 'node:path';
import { BerthError } from './errors.js';
import type { ProjectFiles } from './files.js';

export const DEFAULT_FILE_NAMES = ['compose.yaml', 'compose.yml', 'docker-compose.yml', 'docker-compose.yaml'] as const;
export const DEFAULT_OVERRIDE_FILE_NAMES = [
  'compose.override.yml',
  'compose.override.yaml',
  'docker-compose.override.yml',
  'docker-compose.override.yaml',
] as const;

export interface DiscoveryInput {
  readonly cwd: string;
  /** `-f` values, in order; `-` is stdin. */
  readonly files: readonly string[];
  readonly projectDirectory: string | undefined;
  readonly lookupEnv: (name: string) => string | undefined;
  readonly warn: (message: string) => void;
  readonly disk: Pick<ProjectFiles, 'isFile'>;
}

export interface DiscoveredFiles {
  /** Absolute paths, or `-` for stdin. */
  readonly files: readonly string[];
  /** The directory relative paths in the files are resolved against. */
  readonly workingDir: string;
}

/** The directory `.env` is read from: known before the files are, as compose does it. */
export function envFileDirectory(input: Pick<DiscoveryInput, 'cwd' | 'files' | 'projectDirectory'>): string {
  if (input.projectDirectory) return resolve(input.cwd, input.projectDirectory);
  const first = input.files.find((file) => file !== '-');
  return first ? dirname(resolve(input.cwd, first)) : input.cwd;
}

export function discoverFiles(input: DiscoveryInput): DiscoveredFiles {
  const files = explicitFiles(input) ?? searchDefaultFiles(input);
  if (files.length === 0) {
    throw new BerthError(
      `no configuration file provided: not found (looked for ${DEFAULT_FILE_NAMES.join(', ')} in ${input.cwd} and its parents)`,
      { kind: 'not-found' },
    );
  }
  for (const file of files) {
    if (file !== '-' && !input.disk.isFile(file)) throw new BerthError(`open ${file}: no such file or directory`, { kind: 'not-found' });
  }
  const first = files.find((file) => file !== '-');
  const workingDir = input.projectDirectory
    ? resolve(input.cwd, input.projectDirectory)
    : first
      ? dirname(first)
      : input.cwd;
  return { files, workingDir };
}

function explicitFiles(input: DiscoveryInput): string[] | undefined {
  if (input.files.length > 0) return input.files.map((file) => (file === '-' ? file : resolve(input.cwd, file)));
  const fromEnv = input.lookupEnv('COMPOSE_FILE');
  if (fromEnv === undefined || fromEnv === '') return undefined;
  const separator = input.lookupEnv('COMPOSE_PATH_SEPARATOR') || ':';
  const base = input.projectDirectory ? resolve(input.cwd, input.projectDirectory) : input.cwd;
  return fromEnv
    .split(separator)
    .filter((file) => file !== '')
    .map((file) => (file === '-' ? file : resolve(base, file)));
}

function searchDefaultFiles(input: DiscoveryInput): string[] {
  let dir = input.projectDirectory ? resolve(input.cwd, input.projectDirectory) : input.cwd;
  for (;;) {
    const main = firstPresent(DEFAULT_FILE_NAMES, dir, input, 'config files');
    if (main) {
      const override = firstPresent(DEFAULT_OVERRIDE_FILE_NAMES, dir, input, 'override files');
      return override ? [main, override] : [main];
    }
    const parent = dirname(dir);
    if (parent === dir) return [];
    dir = parent;
  }
}

function firstPresent(names: readonly string[], dir: string, { warn, disk }: Pick<DiscoveryInput, 'warn' | 'disk'>, what: string): string | undefined {
  const present = names.map((name) => join(dir, name)).filter((path) => disk.isFile(path));
  if (present.length > 1) {
    warn(`Found multiple ${what} with supported names: ${present.join(', ')}`);
    warn(`Using ${present[0]}`);
  }
  return present[0];
}

/** Lower case, only `[a-z0-9_-]`, no leading `_` or `-`: the name compose derives from a directory or `name:`. */
export function normalizeProjectName(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9_-]/g, '')
    .replace(/^[_-]+/, '');
}

export function isValidProjectName(name: string): boolean {
  return name !== '' && normalizeProjectName(name) === name;
}

export function directoryProjectName(workingDir: string): string {
  return normalizeProjectName(basename(workingDir));
}

