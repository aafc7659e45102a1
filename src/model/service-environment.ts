// Each service's final environment and labels: env_file and label_file contents under what the service itself
// declares, `KEY`-only entries filled from the project's variables. `config` then drops the file lists, as compose
// does, since their contents are in the maps.
import { parseDotEnv, parseRawEnvFile, readEnvFile } from './dotenv.js';
import { BerthError } from './errors.js';
import type { ProjectFiles } from './files.js';
import { ownValue } from './keys.js';
import { isDict } from './tree.js';
import type { Dict, TreePath } from './tree.js';

type Lookup = (name: string) => string | undefined;

export function resolveServiceEnvironment(model: Dict, lookupEnv: Lookup, discardFiles: boolean, disk: Pick<ProjectFiles, 'readText'>): Dict {
  const services = isDict(model.services) ? model.services : {};
  for (const [name, service] of Object.entries(services)) {
    if (!isDict(service)) continue;
    resolveEnvironment(service, name, lookupEnv, disk);
    resolveLabels(service, name, disk);
    if (discardFiles) {
      delete service.env_file;
      delete service.label_file;
    }
  }
  return model;
}

function resolveEnvironment(service: Dict, name: string, lookupEnv: Lookup, disk: Pick<ProjectFiles, 'readText'>): void {
  const declared: Dict = isDict(service.environment) ? { ...service.environment } : {};
  for (const [key, value] of Object.entries(declared)) {
    if (value === null) {
      const found = lookupEnv(key);
      if (found !== undefined) declared[key] = found;
    }
  }
  const files = Array.isArray(service.env_file) ? service.env_file.filter(isDict) : [];
  if (files.length === 0) {
    if (service.environment !== undefined) service.environment = declared;
    return;
  }
  const environment: Dict = {};
  for (const [key, value] of Object.entries(declared)) if (value !== null) environment[key] = value;
  // Variables in the files are interpolated with the project's variables first, then the service's own.
  const lookup: Lookup = (key) => {
    const own = ownValue(declared, key);
    return lookupEnv(key) ?? (typeof own === 'string' ? own : undefined);
  };
  for (const [index, file] of files.entries()) {
    const path = String(file.path);
    const text = readOptional(disk, path, file.required !== false, `env file ${path} not found (services.${name}.env_file)`, ['services', name, 'env_file', index]);
    if (text === undefined) continue;
    const values = file.format === 'raw' ? parseRawEnvFile(text, path) : parseDotEnv(text, path, lookup);
    for (const [key, value] of values) environment[key] = value;
  }
  // What the service declares wins over the files, a `KEY` left unresolved included.
  service.environment = { ...environment, ...declared };
}

function resolveLabels(service: Dict, name: string, disk: Pick<ProjectFiles, 'readText'>): void {
  const files = Array.isArray(service.label_file) ? service.label_file.map(String) : [];
  if (files.length === 0) return;
  const labels: Dict = {};
  for (const [index, path] of files.entries()) {
    readOptional(disk, path, true, `label file ${path} not found (services.${name}.label_file)`, ['services', name, 'label_file', index]);
    const values = readEnvFile(path, (key) => {
      const own = ownValue(labels, key);
      return typeof own === 'string' ? own : undefined;
    }, disk);
    for (const [key, value] of values) labels[key] = value;
  }
  service.labels = { ...labels, ...(isDict(service.labels) ? service.labels : {}) };
}

/** The file's text; a file that cannot be read is an error at `where` it was named (a missing one, in the file itself). */
function readOptional(disk: Pick<ProjectFiles, 'readText'>, path: string, required: boolean, missing: string, where: TreePath): string | undefined {
  try {
    return disk.readText(path);
  } catch (cause) {
    if (cause instanceof BerthError) throw cause;
    if ((cause as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new BerthError(`cannot read ${path}: ${(cause as Error).message}`, { cause, path: where });
    }
    if (required) throw new BerthError(missing, { kind: 'not-found', position: { file: path } });
    return undefined;
  }
}
