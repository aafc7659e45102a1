// The engine's settings file, in dockerd's daemon.json shape (`<root>/daemon.json` unless --config-file names
// another), merged with `berth engine`'s flags: list settings add up, a number given as a flag wins. A malformed file
// stops the engine with a message naming the key; keys berth's engine does not act on are said once, in its log.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from './errors.js';
import type { RegistryOptions } from './services/registry/options.js';
import { registryOptionsFrom } from './services/registry/options.js';

export interface EngineSettingsFlags {
  readonly configFile?: string;
  readonly insecureRegistries?: readonly string[];
  readonly registryMirrors?: readonly string[];
  readonly maxConcurrentDownloads?: number;
  readonly maxConcurrentUploads?: number;
}

export interface EngineSettings {
  readonly registry: RegistryOptions;
  /** Where the settings came from, for the start-up log line (undefined: no file). */
  readonly file?: string;
}

const KNOWN_KEYS = new Set(['insecure-registries', 'registry-mirrors', 'max-concurrent-downloads', 'max-concurrent-uploads']);

export function loadEngineSettings(root: string, flags: EngineSettingsFlags, log: (line: string) => void): EngineSettings {
  const file = flags.configFile ?? join(root, 'daemon.json');
  let config: Record<string, unknown> = {};
  const present = existsSync(file);
  if (present) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(file, 'utf8'));
    } catch (error) {
      throw new EngineError('invalid', `${file}: invalid JSON: ${(error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new EngineError('invalid', `${file}: expected a JSON object`);
    config = parsed as Record<string, unknown>;
    const ignored = Object.keys(config).filter((key) => !KNOWN_KEYS.has(key)).sort();
    if (ignored.length > 0) log(`warning: ${file}: berth's engine does not act on ${ignored.join(', ')} (it reads ${[...KNOWN_KEYS].join(', ')})`);
  } else if (flags.configFile) {
    throw new EngineError('invalid', `${file}: no such file`);
  }
  const merged: Record<string, unknown> = { ...config };
  const addList = (key: string, values: readonly string[] | undefined): void => {
    if (values && values.length > 0) merged[key] = [...(Array.isArray(config[key]) ? (config[key] as unknown[]) : []), ...values];
  };
  addList('insecure-registries', flags.insecureRegistries);
  addList('registry-mirrors', flags.registryMirrors);
  if (flags.maxConcurrentDownloads !== undefined) merged['max-concurrent-downloads'] = flags.maxConcurrentDownloads;
  if (flags.maxConcurrentUploads !== undefined) merged['max-concurrent-uploads'] = flags.maxConcurrentUploads;
  return { registry: registryOptionsFrom(merged, present ? file : 'flags'), ...(present ? { file } : {}) };
}
