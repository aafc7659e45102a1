// The whole load remembered: when a project loads exactly as it did before, the finished model is read back
// instead of running every pass again (for 200 services the passes, not the parse, are most of a warm load).
// An entry is found by the loader's options and the home directory, and holds every question the load asked the
// disk (files read, files present, real paths) with the answer it got, and a digest of each of the caller's
// variables. It is used only when each question, asked again now, gets the same answer, and every variable that
// changed since is one the load cannot have seen: not one the loader reads by name (`COMPOSE_*`, `BERTH_*`, HOME)
// and not named as a whole word in any text it read (a variable reaches the model only through `${NAME}`, `$NAME` or
// a bare `NAME` written in a compose, env or label file). So `_`, OLDPWD or a benchmark's padding variable do not
// defeat it.
// The loader is deterministic, so a load asked the same would build the same model. Its warnings are given again.
// Only loads that succeeded are stored (a project that fails keeps failing with its file:line:column), and never
// one that read stdin or whose model JSON cannot carry exactly. The caller's variables are not written to disk
// (digests only; the model's `environment` is made again by the caller). Like load-cache.ts, the store is keyed by
// a fingerprint of the loader's code (load-cache-dir.ts).
import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { DISK } from './files.js';
import type { ProjectFiles } from './files.js';
import { ownValue } from './keys.js';
import { exactText } from './load-cache.js';
import type { LoadCache } from './load-cache.js';
import type { LoadedModel, LoadOptions } from './load.js';

/** One question to the disk and its answer, as text: [what, path, answer]. */
type Look = [question: Question, path: string, answer: string];
type Question = 'text' | 'file' | 'readable' | 'real';

/** A load's model without its `environment` (the caller's variables, which stay off the disk). */
type StoredModel = Omit<LoadedModel, 'environment'>;

interface Entry {
  readonly looks: Look[];
  readonly warnings: string[];
  /** Each of the caller's variables at the time, by a digest of its value. */
  readonly variables: Record<string, string>;
  readonly model: StoredModel;
}

/**
 * Every option that changes what a load gives: a new option must be named here (or the compiler says so), so that
 * two loads that differ in it never share an entry.
 */
const KEYED_OPTIONS = {
  cwd: true,
  files: true,
  projectDirectory: true,
  projectName: true,
  profiles: true,
  envFiles: true,
  services: true,
  interpolate: true,
  consistency: true,
  resolvePaths: true,
  normalize: true,
  resolveEnvironment: true,
  discardEnvFiles: true,
} satisfies Record<Exclude<keyof LoadOptions, 'environment' | 'readStdin' | 'warn' | 'cache'>, true>;

/**
 * `load(options, disk)`, or the model it gave before for the same inputs and the same disk; `environmentOf` makes a
 * stored model's `environment` again (the caller's variables over the env files, as the load does).
 */
export async function cachedModel(
  options: LoadOptions,
  cache: LoadCache,
  environment: Readonly<Record<string, string>>,
  load: (options: LoadOptions, disk: ProjectFiles) => Promise<LoadedModel>,
  environmentOf: (model: StoredModel) => Record<string, string>,
): Promise<LoadedModel> {
  const key = entryKey(options);
  const variables = variableDigests(environment);
  const stored = readEntry(cache.read(key));
  if (stored && stillTrue(stored, variables)) {
    for (const warning of stored.warnings) options.warn(warning);
    return { ...stored.model, environment: environmentOf(stored.model) };
  }
  const looks: Look[] = [];
  const warnings: string[] = [];
  let readStdin = false;
  const model = await load(
    {
      ...options,
      warn: (message) => {
        warnings.push(message);
        options.warn(message);
      },
      ...(options.readStdin
        ? {
            readStdin: () => {
              readStdin = true;
              return options.readStdin!();
            },
          }
        : {}),
    },
    recordingDisk(looks),
  );
  const { environment: _variables, ...kept } = model;
  if (!readStdin && exactText(kept) !== undefined) cache.write(key, JSON.stringify({ looks, warnings, variables, model: kept } satisfies Entry));
  return model;
}

/** The disk answers as it did, and no variable the load could have seen has changed. */
function stillTrue(stored: Entry, variables: Record<string, string>): boolean {
  const texts: string[] = [];
  for (const [question, path, answer] of stored.looks) {
    const now = ask(DISK, question, path);
    if (now.answer !== answer) return false;
    if (question === 'text') texts.push(now.result as string);
  }
  const changed = [...new Set([...Object.keys(stored.variables), ...Object.keys(variables)])].filter(
    (name) => ownValue(stored.variables, name) !== ownValue(variables, name),
  );
  if (changed.length === 0) return true;
  // An escape (`"\x24{A}"`, a line joined by `\`) could spell a name the text does not hold as written.
  if (texts.some((text) => text.includes('\\'))) return false;
  return changed.every((name) => !READ_BY_NAME.test(name) && !texts.some((text) => namesVariable(text, name)));
}

/**
 * `name` written as a whole word: a variable is looked up by a whole run of `[A-Za-z0-9_]` (`$NAME`, `${NAME:-x}`)
 * or by a whole entry (`NAME` alone in an environment list, a `NAME:` key), so `_` inside `depends_on` is not it.
 */
function namesVariable(text: string, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(^|[^A-Za-z0-9_])${escaped}($|[^A-Za-z0-9_])`).test(text);
}

/** Variables the loader reads by their name (discovery, profiles, the project name, `.env`, `~`), now or later. */
const READ_BY_NAME = /^(COMPOSE_|BERTH_|DOCKER_|HOME$|XDG_)|^$/;

function variableDigests(environment: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(environment)) out[name] = createHash('sha256').update(value).digest('base64');
  return out;
}

function entryKey(options: LoadOptions): string {
  const given = Object.keys(KEYED_OPTIONS).map((name) => options[name as keyof typeof KEYED_OPTIONS] ?? null);
  return `model-${createHash('sha256').update(JSON.stringify([given, homedir()])).digest('hex')}`;
}

/** The disk, with every question and its answer noted in `looks`. */
function recordingDisk(looks: Look[]): ProjectFiles {
  const asked = <T>(question: Question, path: string): T => {
    const { answer, result, error } = ask(DISK, question, path);
    looks.push([question, path, answer]);
    if (error !== undefined) throw error;
    return result as T;
  };
  return {
    readText: (path) => asked<string>('text', path),
    isFile: (path) => asked<boolean>('file', path),
    isReadableFile: (path) => asked<boolean>('readable', path),
    realPath: (path) => asked<string>('real', path),
  };
}

/** Asks `disk` one question; `answer` says what came back (a text by its digest, a failure by its code). */
function ask(disk: ProjectFiles, question: Question, path: string): { answer: string; result?: unknown; error?: unknown } {
  try {
    switch (question) {
      case 'text': {
        const text = disk.readText(path);
        return { answer: `sha256:${createHash('sha256').update(text).digest('hex')}`, result: text };
      }
      case 'file':
        return answered(disk.isFile(path));
      case 'readable':
        return answered(disk.isReadableFile(path));
      case 'real':
        return answered(disk.realPath(path));
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code;
    return { answer: `error:${typeof code === 'string' ? code : String((error as Error | undefined)?.message)}`, error: error ?? new Error('unknown failure') };
  }
}

function answered(result: string | boolean): { answer: string; result: string | boolean } {
  return { answer: JSON.stringify(result), result };
}

function readEntry(text: string | undefined): Entry | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { looks, warnings, variables, model } = value as Record<string, unknown>;
  const strings = (list: unknown, length?: number): boolean =>
    Array.isArray(list) && (length === undefined || list.length === length) && list.every((item) => typeof item === 'string');
  if (!Array.isArray(looks) || !looks.every((look) => strings(look, 3)) || !strings(warnings)) return undefined;
  if (typeof variables !== 'object' || variables === null || !strings(Object.values(variables))) return undefined;
  if (typeof model !== 'object' || model === null) return undefined;
  const { name, workingDir, configFiles, tree, disabledServices } = model as Record<string, unknown>;
  const isMap = (item: unknown): boolean => typeof item === 'object' && item !== null && !Array.isArray(item);
  if (typeof name !== 'string' || typeof workingDir !== 'string' || !strings(configFiles) || !isMap(tree) || !strings(disabledServices)) {
    return undefined;
  }
  return value as Entry;
}
