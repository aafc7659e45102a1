// compose files -> project: the ordered list of loading passes, kept in one place so that the order is visible.
// Imported by load.ts only when a load is not found in the cache (the passes are most of the loader's modules).
import { homedir } from 'node:os';
import { toCanonical } from './canonical.js';
import { checkConsistency } from './consistency.js';
import { decodeModel } from './decode.js';
import { setDefaultValues } from './defaults.js';
import { directoryProjectName, discoverFiles, isValidProjectName, normalizeProjectName } from './discovery.js';
import type { ProjectFiles } from './files.js';
import { BerthError, withPositions } from './errors.js';
import type { SourcePosition } from './errors.js';
import { interpolateTree, substitute } from './interpolate.js';
import { ownValue } from './keys.js';
import { MAX_FILES } from './limits.js';
import { upgradeLegacyLayout } from './legacy.js';
import { enforceUnicity, mergeDocuments } from './merge.js';
import { applyExtends } from './extends.js';
import type { BaseFile } from './extends.js';
import { applyInclude } from './include.js';
import type { IncludeContext } from './include.js';
import { parseComposeText } from './parse.js';
import type { ParsedDocument } from './parse.js';
import { normalizeModel, resolveBareEnvironment } from './normalize.js';
import { resolveRelativePaths } from './paths.js';
import { applyProfiles } from './profiles.js';
import { resolveServiceEnvironment } from './service-environment.js';
import { buildGraph } from './dependencies.js';
import { isDict } from './tree.js';
import type { Dict, TreePath } from './tree.js';
import { validateSchema } from './validate.js';
import { cachedParse, cachedValidation } from './load-cache.js';
import type { LoadCache } from './load-cache.js';
import type { LoadedModel, LoadOptions } from './load.js';
import { definedOnly, envDirectory, projectEnvironment } from './project-environment.js';

/** Everything a loading pass may need besides the tree: one per project, and one per included project. */
interface LoadContext {
  readonly options: LoadOptions;
  readonly environment: Readonly<Record<string, string>>;
  readonly lookupEnv: (name: string) => string | undefined;
  readonly workingDir: string;
  readonly homeDir: string;
  readonly disk: ProjectFiles;
  /** Files being included, outermost first (cycle detection). */
  readonly included: readonly string[];
  /** Files read for `extends` in this project, by absolute path. */
  readonly baseFiles: Map<string, BaseFile>;
  readonly reads: ProjectReads;
}

/** What one load reads, shared with the projects it includes: every file counts against `MAX_FILES`. */
interface ProjectReads {
  files: number;
  /** Included projects already loaded, by what was asked (an include that repeats, or a diamond, is loaded once). */
  readonly included: Map<string, Dict>;
}

/** The load itself, every look at the disk through `disk`. */
export function loadFromFiles(options: LoadOptions, disk: ProjectFiles): LoadedModel {
  const environment = projectEnvironment(definedOnly(options.environment), envDirectory(options), options, disk);
  const lookupEnv = (name: string): string | undefined => ownValue(environment, name);
  const discovered = discoverFiles({
    cwd: options.cwd,
    files: options.files ?? [],
    projectDirectory: options.projectDirectory,
    lookupEnv,
    warn: options.warn,
    disk,
  });
  const reads: ProjectReads = { files: 0, included: new Map() };
  const documents = discovered.files.flatMap((file) => parseFile(file, readComposeFile(file, options, disk), reads, options.cache));
  const name = projectName(documents, discovered.workingDir, environment, options);
  environment.COMPOSE_PROJECT_NAME = name;

  const homeDir = environment.HOME ?? homedir();
  const context: LoadContext = { options, environment, lookupEnv, workingDir: discovered.workingDir, homeDir, disk, included: [], baseFiles: new Map(), reads };
  const locate = locateIn(documents);
  let tree = loadFileSet(documents, context, options.resolvePaths !== false);
  if (options.normalize !== false) tree = withPositions(() => normalizeModel(tree, name, lookupEnv), locate);
  const profiled = applyProfiles(tree, activeProfiles(options, lookupEnv), options.services ?? []);
  tree = profiled.tree;
  if (options.consistency !== false) withPositions(() => checkReferences(tree), locate);
  // Without interpolation values may still hold `${...}`: the model stays untyped.
  if (options.interpolate === false) return { name, workingDir: discovered.workingDir, configFiles: discovered.files, environment, tree, disabledServices: profiled.disabled };
  tree = withPositions(() => decodeModel(tree), locate);
  if (options.resolveEnvironment !== false) tree = withPositions(() => resolveServiceEnvironment(tree, lookupEnv, options.discardEnvFiles === true, disk), locate);
  return {
    name,
    workingDir: discovered.workingDir,
    configFiles: discovered.files,
    environment,
    tree,
    disabledServices: profiled.disabled,
  };
}

/** The files of one project, merged: per file the passes below, then defaults, paths and `KEY`-only variables. */
function loadFileSet(documents: readonly ParsedDocument[], context: LoadContext, resolvePaths: boolean): Dict {
  let tree = loadDocuments(documents, context);
  return withPositions(() => {
    tree = setDefaultValues(tree);
    if (resolvePaths) tree = resolveRelativePaths(tree, { workingDir: context.workingDir, homeDir: context.homeDir, disk: context.disk });
    return resolveBareEnvironment(tree, context.lookupEnv);
  }, locateIn(documents));
}

/** Per file: upgrade, interpolate, include, extends, merge, validate, canonical form. */
function loadDocuments(documents: readonly ParsedDocument[], context: LoadContext): Dict {
  const { options, lookupEnv } = context;
  const interpolate = options.interpolate !== false;
  let merged: Dict = {};
  const seen: ParsedDocument[] = [];
  for (const document of documents) {
    seen.push(document);
    const locate = locateIn(seen);
    let tree = upgradeLegacyLayout(document.tree, document.file, options.warn);
    if (interpolate) tree = interpolateTree(tree, lookupEnv, document.locate);
    tree = applyInclude(tree, includeContext(document, context));
    tree = withPositions(
      () =>
        applyExtends(tree, {
          file: document.file,
          baseDir: context.workingDir,
          homeDir: context.homeDir,
          disk: context.disk,
          lookupEnv,
          interpolate,
          warn: options.warn,
          locate: document.locate,
          resets: document.resets,
          overrides: document.overrides,
          baseFiles: context.baseFiles,
          parse: (file, text) => parseFile(file, text, context.reads, options.cache),
        }),
      document.locate,
    );
    merged = withPositions(() => enforceUnicity(mergeDocuments(merged, { tree, resets: document.resets, overrides: document.overrides })), locate);
    const validated = { file: document.file, tree: merged, locate };
    if (options.cache) cachedValidation(merged, options.cache, () => validateSchema(validated));
    else validateSchema(validated);
    // Long forms can reveal duplicates (a port range overlapping a port), so unicity runs again after.
    merged = withPositions(() => enforceUnicity(toCanonical(merged, options.warn, options.interpolate === false)), locate);
  }
  return merged;
}

function includeContext(document: ParsedDocument, context: LoadContext): IncludeContext {
  return {
    workingDir: context.workingDir,
    homeDir: context.homeDir,
    environment: context.environment,
    disk: context.disk,
    included: context.included.length > 0 ? context.included : [document.file],
    locate: document.locate,
    resets: document.resets,
    overrides: document.overrides,
    // An included project is loaded like the main one, paths always resolved, without normalization.
    loadProject: (request) => {
      const key = JSON.stringify([request.files, request.workingDir, Object.entries(request.environment).sort()]);
      let loaded = context.reads.included.get(key);
      if (loaded === undefined) {
        const environment = request.environment;
        const nested: LoadContext = {
          options: context.options,
          environment,
          lookupEnv: (name) => ownValue(environment, name),
          workingDir: request.workingDir,
          homeDir: context.homeDir,
          disk: context.disk,
          included: request.included,
          baseFiles: new Map(),
          reads: context.reads,
        };
        const documents = request.files.flatMap((file) => parseFile(file, readComposeFile(file, context.options, context.disk), context.reads, context.options.cache));
        loaded = loadFileSet(documents, nested, true);
        context.reads.included.set(key, loaded);
      }
      // The passes after this one change trees in place: each include gets its own copy.
      return structuredClone(loaded);
    },
  };
}

/** Parses one file read for this project, counting it against the bound on how many one load may read. */
function parseFile(file: string, text: string, reads: ProjectReads, cache: LoadCache | undefined): ParsedDocument[] {
  if (++reads.files > MAX_FILES) {
    throw new BerthError(`more than ${MAX_FILES} compose files read through include and extends: refusing to read more`, { position: { file } });
  }
  return cache ? cachedParse(file, text, cache, parseComposeText) : parseComposeText(file, text);
}

function readComposeFile(file: string, options: Pick<LoadOptions, 'readStdin'>, disk: ProjectFiles): string {
  if (file === '-') {
    if (!options.readStdin) throw new BerthError('reading the compose file from stdin is not possible here');
    return options.readStdin();
  }
  try {
    return disk.readText(file);
  } catch (cause) {
    if (cause instanceof BerthError) throw cause;
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new BerthError(`open ${file}: no such file or directory`, { kind: 'not-found' });
    throw new BerthError(`cannot read ${file}: ${(cause as Error).message}`, { cause });
  }
}

/** `-p` > COMPOSE_PROJECT_NAME > `name:` in the files > the working directory's name. */
function projectName(
  documents: readonly ParsedDocument[],
  workingDir: string,
  environment: Record<string, string>,
  options: LoadOptions,
): string {
  const explicit = options.projectName || environment.COMPOSE_PROJECT_NAME;
  if (explicit) {
    if (!isValidProjectName(explicit)) {
      throw new BerthError(
        `invalid project name "${explicit}": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number`,
      );
    }
    return explicit;
  }
  let fromFiles = '';
  for (const document of documents) {
    const value = document.tree.name;
    if (typeof value === 'string' && value !== '') {
      fromFiles = options.interpolate === false ? value : substitute(value, (name) => ownValue(environment, name));
    }
  }
  fromFiles = normalizeProjectName(fromFiles);
  const name = fromFiles || directoryProjectName(workingDir);
  if (name === '') throw new BerthError(`project name must not be empty (directory ${workingDir} gives none: use -p)`);
  return name;
}

function activeProfiles(options: LoadOptions, lookupEnv: (name: string) => string | undefined): string[] {
  if (options.profiles && options.profiles.length > 0) return [...options.profiles];
  const fromEnv = lookupEnv('COMPOSE_PROFILES');
  return fromEnv ? fromEnv.split(',').map((profile) => profile.trim()).filter((profile) => profile !== '') : [];
}

/** References must resolve and dependencies must not form a cycle; the error points at where it was written. */
function checkReferences(tree: Dict): void {
  checkConsistency(tree);
  buildGraph(isDict(tree.services) ? (tree.services as Record<string, Dict>) : {});
}

/** Errors in a merged tree point at the last file that wrote the path. */
function locateIn(documents: readonly ParsedDocument[]): (path: TreePath) => SourcePosition {
  return (path) => {
    let best: SourcePosition | undefined;
    let bestDepth = -1;
    for (let i = documents.length - 1; i >= 0; i--) {
      const document = documents[i]!;
      const depth = writtenDepth(document.tree, path);
      if (depth > bestDepth) {
        best = document.locate(path);
        bestDepth = depth;
      }
    }
    return best ?? { file: documents[documents.length - 1]?.file ?? '' };
  };
}

function writtenDepth(tree: Dict, path: TreePath): number {
  let node: unknown = tree;
  let depth = 0;
  for (const segment of path) {
    if (Array.isArray(node) && typeof segment === 'number' && segment < node.length) node = node[segment];
    else if (isDict(node) && Object.hasOwn(node, String(segment))) node = node[String(segment)];
    else break;
    depth++;
  }
  return depth;
}
