// What the loader may remember between runs, so that loading an unchanged project skips its two costliest steps
// (and the modules behind them): the YAML parse of a file's text, and the Compose schema's verdict on a tree.
// - A parse is remembered by the file's text: the same text always parses to the same trees. Only successful
//   parses are kept, so a file that fails to parse fails every time, with the same message.
// - A schema verdict is remembered only when it is "valid", by the exact tree that was validated (after
//   interpolation and merging). A tree the validator would refuse is never found in the cache, because it was never
//   accepted. Both depend on berth's own code: the store behind `LoadCache` is keyed by a fingerprint of that code
//   (see load-cache-dir.ts).
// A value the cache cannot carry exactly (NaN, -0, undefined, a non-plain object) is never stored: it is parsed and
// validated every time.
import { createHash } from 'node:crypto';
import type { ParsedDocument } from './parse.js';
import { RESERVED_KEY } from './keys.js';
import type { Dict, TreePath } from './tree.js';

export interface LoadCache {
  /** The value stored under `key`, or undefined. */
  read(key: string): string | undefined;
  /** Best effort: a value that cannot be stored is simply not found next time. */
  write(key: string, value: string): void;
}

type Kind = 'parse' | 'valid';

function keyOf(kind: Kind, content: string): string {
  return `${kind}-${createHash('sha256').update(content).digest('hex')}`;
}

/** `parse(file, text)`, or what it gave for the same text before. */
export function cachedParse(file: string, text: string, cache: LoadCache, parse: (file: string, text: string) => ParsedDocument[]): ParsedDocument[] {
  const key = keyOf('parse', text);
  const stored = cache.read(key);
  if (stored !== undefined) {
    const documents = storedDocuments(stored);
    // Positions are only needed for an error: the text is parsed again then, once.
    if (documents) return withLazyPositions(file, text, documents, parse);
  }
  const parsed = parse(file, text);
  const entries = parsed.map(({ tree, resets, overrides }) => ({ tree, resets, overrides }));
  if (entries.every((entry) => exactText(entry) !== undefined)) cache.write(key, JSON.stringify(entries));
  return parsed;
}

/** Runs `validate(tree)` (which throws for an invalid tree) unless this very tree was found valid before. */
export function cachedValidation(tree: Dict, cache: LoadCache, validate: () => void): void {
  const text = exactText(tree);
  const key = text === undefined ? undefined : keyOf('valid', text);
  if (key !== undefined && cache.read(key) === VALID) return;
  validate();
  if (key !== undefined) cache.write(key, VALID);
}

const VALID = 'valid';

type StoredDocument = Pick<ParsedDocument, 'tree' | 'resets' | 'overrides'>;

function storedDocuments(stored: string): StoredDocument[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(stored);
  } catch {
    return undefined;
  }
  if (!Array.isArray(value) || value.length === 0) return undefined;
  const isPaths = (paths: unknown): paths is TreePath[] =>
    Array.isArray(paths) && paths.every((path) => Array.isArray(path) && path.every((segment) => typeof segment === 'string' || typeof segment === 'number'));
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'object' || entry === null) return undefined;
    const { tree, resets, overrides } = entry as Record<string, unknown>;
    if (typeof tree !== 'object' || tree === null || Array.isArray(tree) || !isPaths(resets) || !isPaths(overrides)) return undefined;
  }
  return value as StoredDocument[];
}

function withLazyPositions(file: string, text: string, documents: StoredDocument[], parse: (file: string, text: string) => ParsedDocument[]): ParsedDocument[] {
  let parsed: ParsedDocument[] | undefined;
  return documents.map((document, index) => ({
    file,
    ...document,
    locate: (path: TreePath) => {
      parsed ??= parse(file, text);
      return parsed[index]?.locate(path) ?? { file };
    },
  }));
}

/**
 * A text that differs whenever two values differ in anything the loader or the schema can tell apart (types
 * included: `1` and `"1"`, `null` and a missing key, a list and a mapping), and that JSON carries exactly; or
 * undefined for a value that holds anything else.
 */
export function exactText(value: unknown): string | undefined {
  const parts: string[] = [];
  const write = (item: unknown): boolean => {
    if (item === null || typeof item === 'boolean') {
      parts.push(String(item));
      return true;
    }
    if (typeof item === 'string') {
      parts.push(JSON.stringify(item));
      return true;
    }
    if (typeof item === 'number') {
      if (!Number.isFinite(item) || Object.is(item, -0)) return false;
      parts.push(JSON.stringify(item));
      return true;
    }
    if (typeof item !== 'object') return false;
    if (Array.isArray(item)) {
      if (Object.getPrototypeOf(item) !== Array.prototype) return false;
      parts.push('[');
      for (let index = 0; index < item.length; index++) {
        if (!(index in item)) return false;
        if (index > 0) parts.push(',');
        if (!write(item[index])) return false;
      }
      parts.push(']');
      return true;
    }
    const prototype = Object.getPrototypeOf(item) as unknown;
    if (prototype !== Object.prototype && prototype !== null) return false;
    // Only plain enumerable data properties: what JSON writes is then all there is.
    const keys = Object.keys(item);
    if (Reflect.ownKeys(item).length !== keys.length) return false;
    parts.push('{');
    let first = true;
    for (const key of keys) {
      if (key === RESERVED_KEY) return false;
      const descriptor = Object.getOwnPropertyDescriptor(item, key);
      if (!descriptor || !('value' in descriptor)) return false;
      if (!first) parts.push(',');
      first = false;
      parts.push(JSON.stringify(key), ':');
      if (!write(descriptor.value)) return false;
    }
    parts.push('}');
    return true;
  };
  return write(value) ? parts.join('') : undefined;
}
