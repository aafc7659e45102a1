// `extends`: a service starts from another one, in the same file or another file, and its own keys are merged on
// top with the usual merge rules. A base from another file has its relative paths resolved against that file's
// directory first, so that they keep pointing where its author meant.
import { dirname, isAbsolute, join } from 'node:path';
import { toCanonical } from './canonical.js';
import { BerthError, withPositions } from './errors.js';
import type { SourcePosition } from './errors.js';
import type { ProjectFiles } from './files.js';
import { interpolateTree } from './interpolate.js';
import type { LookupEnv } from './interpolate.js';
import { upgradeLegacyLayout } from './legacy.js';
import { enforceUnicity, mergeDocuments } from './merge.js';
import type { ParsedDocument } from './parse.js';
import { resolveRelativePaths } from './paths.js';
import { formatPath, isDict } from './tree.js';
import type { Dict, TreePath } from './tree.js';

export interface ExtendsContext {
  /** The file the services were read from (for messages). */
  readonly file: string;
  /** What a relative `extends.file` is relative to. */
  readonly baseDir: string;
  readonly homeDir: string;
  readonly disk: ProjectFiles;
  readonly lookupEnv: LookupEnv;
  readonly interpolate: boolean;
  readonly warn: (message: string) => void;
  readonly locate: (path: TreePath) => SourcePosition;
  /** `!reset` and `!override` paths of the document the services come from. */
  readonly resets: readonly TreePath[];
  readonly overrides: readonly TreePath[];
  /** Files already read for `extends`, by absolute path: each is read once per project, however many services use it. */
  readonly baseFiles: Map<string, BaseFile>;
  /** Parses a file's text (the loader's parser, which counts the files it reads). */
  readonly parse: (file: string, text: string) => ParsedDocument[];
}

export interface BaseFile {
  readonly documents: readonly ParsedDocument[];
  readonly merged: Dict;
}

/** Returns `tree` with every service's `extends` applied and removed. */
export function applyExtends(tree: Dict, context: ExtendsContext): Dict {
  if (!isDict(tree.services)) return tree;
  const services: Dict = { ...tree.services };
  for (const name of Object.keys(services).sort()) services[name] = extendService(name, services, context, []);
  return { ...tree, services };
}

function extendService(name: string, services: Dict, context: ExtendsContext, chain: readonly string[]): unknown {
  const service = services[name];
  if (!isDict(service) || !('extends' in service)) return service;
  const path = ['services', name, 'extends'];
  const fail = (message: string): never => {
    throw new BerthError(message, { kind: 'not-found', path, position: context.locate(path) });
  };
  const spec = typeof service.extends === 'string' ? { service: service.extends } : service.extends;
  if (!isDict(spec) || typeof spec.service !== 'string') return fail(`${formatPath(path)}: extends.service is required`);
  const link = `${context.file}:${name}`;
  if (chain.includes(link)) {
    throw new BerthError(`circular reference in extends: ${[...chain, link].join(' -> ')}`, { path, position: context.locate(path) });
  }
  let base: unknown;
  if (typeof spec.file === 'string') {
    base = baseFromFile(name, spec.service, spec.file, context, [...chain, link]);
  } else {
    if (!Object.hasOwn(services, spec.service)) fail(`cannot extend service "${name}" in ${context.file}: service "${spec.service}" not found`);
    base = extendService(spec.service, services, context, [...chain, link]);
  }
  const { extends: _extends, ...own } = service;
  if (!isDict(base)) return own;
  // The extending service's `!reset` / `!override` tags apply to what it inherits.
  const ofService = (paths: readonly TreePath[]): TreePath[] => paths.filter((p) => p[0] === 'services' && p[1] === name);
  const merged = mergeDocuments(
    { services: { [name]: structuredClone(base) } },
    { tree: { services: { [name]: own } }, resets: ofService(context.resets), overrides: ofService(context.overrides) },
  );
  const result = (merged.services as Dict)[name] as Dict;
  delete result.extends;
  return result;
}

/** The base service from another file: interpolated, in canonical form, its own extends applied, paths resolved. */
function baseFromFile(name: string, ref: string, file: string, context: ExtendsContext, chain: readonly string[]): Dict {
  const path = ['services', name, 'extends', 'file'];
  const absolute = isAbsolute(file) ? file : join(context.baseDir, file);
  let base = context.baseFiles.get(absolute);
  if (base === undefined) {
    base = readBaseFile(absolute, context, (cause) => {
      const why = (cause as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (cause as Error).message;
      throw new BerthError(`cannot extend service "${name}": cannot read ${absolute}: ${why}`, { kind: 'not-found', path, position: context.locate(path), cause });
    });
    context.baseFiles.set(absolute, base);
  }
  const { documents, merged } = base;
  const services = merged.services;
  if (!isDict(services) || !Object.hasOwn(services, ref)) {
    throw new BerthError(`cannot extend service "${name}" in ${context.file}: service "${ref}" not found in ${absolute}`, {
      kind: 'not-found',
      path,
      position: context.locate(path),
    });
  }
  const fileDir = dirname(absolute);
  const first = documents[0];
  const nested: ExtendsContext = {
    ...context,
    file: absolute,
    baseDir: fileDir,
    locate: first ? first.locate : () => ({ file: absolute }),
    resets: documents.flatMap((document) => document.resets),
    overrides: documents.flatMap((document) => document.overrides),
  };
  const extended = extendService(ref, { ...services }, nested, chain);
  const resolved = resolveRelativePaths({ services: { [ref]: extended } }, { workingDir: fileDir, homeDir: context.homeDir, disk: context.disk });
  return (resolved.services as Dict)[ref] as Dict;
}

/** A file services extend from: its documents interpolated, merged and in canonical form (read once per load). */
function readBaseFile(absolute: string, context: ExtendsContext, unreadable: (cause: unknown) => never): BaseFile {
  let text: string;
  try {
    text = context.disk.readText(absolute);
  } catch (cause) {
    if (cause instanceof BerthError) throw cause;
    return unreadable(cause);
  }
  const documents = context.parse(absolute, text);
  let merged: Dict = {};
  for (const document of documents) {
    let tree = upgradeLegacyLayout(document.tree, absolute, context.warn);
    if (context.interpolate) tree = interpolateTree(tree, context.lookupEnv, document.locate);
    merged = enforceUnicity(mergeDocuments(merged, { tree, resets: document.resets, overrides: document.overrides }));
    merged = enforceUnicity(withPositions(() => toCanonical(merged, context.warn, !context.interpolate), document.locate));
  }
  return { documents, merged };
}
