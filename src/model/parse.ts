// Pass 1: YAML text -> plain tree, with source positions for errors and the `!reset` / `!override` tags noted by path.
import type { Document, Node as YamlNode, ScalarTag } from 'yaml';
import { BerthError } from './errors.js';
import type { SourcePosition } from './errors.js';
import { RESERVED_KEY } from './keys.js';
import { MAX_DEPTH, MAX_FILE_BYTES } from './limits.js';
import { formatPath, isDict } from './tree.js';
import type { Dict, TreePath } from './tree.js';
import { checkDocument, yamlLibrary } from './yaml-guard.js';

export interface ParsedDocument {
  /** The file as the user named it (absolute path, or `-` for stdin). */
  readonly file: string;
  readonly tree: Dict;
  /** Paths tagged `!reset`: removed from this tree, and from what it is merged onto. */
  readonly resets: readonly TreePath[];
  /** Paths tagged `!override`: replace what they are merged onto instead of merging with it. */
  readonly overrides: readonly TreePath[];
  /** Where a path was written; the nearest written ancestor when the path itself was not. */
  locate(path: TreePath): SourcePosition;
}

// compose reads YAML with go-yaml, which takes a leading zero as octal (`mode: 0440` is 288), unlike YAML 1.2.
const GO_OCTAL_INT: ScalarTag = {
  tag: 'tag:yaml.org,2002:int',
  default: true,
  test: /^0[0-7]+$/,
  resolve: (text: string) => parseInt(text, 8),
};

const RESET_TAG = '!reset';
const OVERRIDE_TAG = '!override';

export function parseComposeText(file: string, text: string): ParsedDocument[] {
  if (text.length > MAX_FILE_BYTES) {
    throw new BerthError(`${file} is larger than ${MAX_FILE_BYTES / 1024 / 1024} MiB: not read as a compose file`, { position: { file } });
  }
  const { LineCounter, parseAllDocuments } = yamlLibrary();
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, {
    lineCounter,
    merge: true,
    // Checked by `checkDocument` in linear time (the library's check is quadratic in a mapping's size).
    uniqueKeys: false,
    prettyErrors: false,
    customTags: (tags) => [GO_OCTAL_INT, ...tags],
  });
  if (!Array.isArray(documents)) return [emptyDocument(file)]; // an empty stream
  const position = (offset: number | undefined): SourcePosition => {
    if (offset === undefined) return { file };
    const { line, col } = lineCounter.linePos(offset);
    return { file, line, column: col };
  };
  const parsed: ParsedDocument[] = [];
  for (const doc of documents) {
    const error = doc.errors[0];
    if (error) throw new BerthError(`invalid YAML: ${libraryMessage(error.message)}`, { position: position(error.pos[0]) });
    checkDocument(doc, position);
    const resets: TreePath[] = [];
    const overrides: TreePath[] = [];
    collectTags(doc.contents as YamlNode | null, resets, overrides);
    const locate = (path: TreePath): SourcePosition => position(locateOffset(doc, path));
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (cause) {
      throw new BerthError(`invalid YAML: ${libraryMessage((cause as Error).message)}`, { position: position(doc.contents?.range?.[0]) });
    }
    if (value === null || value === undefined) value = {};
    if (!isDict(value) && !(value instanceof Map)) {
      throw new BerthError('top-level object must be a mapping', { position: position(doc.contents?.range?.[0]) });
    }
    const tree = plainValue(value, locate) as Dict;
    for (const path of resets) deleteAt(tree, path);
    parsed.push({ file, tree, resets, overrides, locate });
  }
  return parsed.length > 0 ? parsed : [emptyDocument(file)];
}

function emptyDocument(file: string): ParsedDocument {
  return { file, tree: {}, resets: [], overrides: [], locate: () => ({ file }) };
}

/** The library's message without the position it appends (the error carries the position). */
function libraryMessage(message: string): string {
  const first = message.split('\n')[0] ?? message;
  // The library catches its own stack overflow on absurdly deep nesting and reports it as a YAML error.
  if (first.startsWith('Maximum call stack size exceeded')) return 'nested too deeply';
  return first.replace(/ at line \d+, column \d+:?$/, '');
}

function collectTags(root: YamlNode | null, resets: TreePath[], overrides: TreePath[]): void {
  const { isMap, isPair, isScalar, isSeq } = yamlLibrary();
  const path: Array<string | number> = [];
  const visit = (node: YamlNode | null): void => {
    if (!node) return;
    if (node.tag === RESET_TAG) resets.push([...path]);
    if (node.tag === OVERRIDE_TAG) overrides.push([...path]);
    const visitPair = (pair: unknown): void => {
      if (!isPair(pair)) return;
      path.push(isScalar(pair.key) ? String(pair.key.value) : String(pair.key));
      visit(pair.value as YamlNode | null);
      path.pop();
    };
    // An `!!omap` is one mapping written as a sequence of pairs; a flow sequence's `[k: v]` entry is a mapping of its own.
    if (isMap(node) || (isSeq(node) && node.tag === 'tag:yaml.org,2002:omap')) {
      node.items.forEach(visitPair);
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        path.push(index);
        if (isPair(item)) visitPair(item);
        else visit(item as YamlNode | null);
        path.pop();
      });
    }
  };
  visit(root);
}

/**
 * The library's values as the plain tree the passes work on: every key a string (YAML allows `8080: x`; compose
 * reads every key as a string), maps (`!!omap`) as mappings. Values compose has no use for (a `!!binary`, `!!set`
 * or `!!timestamp`, a `!!merge` outside a key) are refused where they were written. `checkDocument` has bounded the
 * depth, so recursion is safe.
 */
function plainValue(root: unknown, locate: (path: TreePath) => SourcePosition): unknown {
  // Where the conversion is; copied only for an error.
  const path: Array<string | number> = [];
  const fail = (message: string): never => {
    throw new BerthError(`invalid YAML: ${path.length > 0 ? `${formatPath(path)}: ` : ''}${message}`, { path: [...path], position: locate(path) });
  };
  const convert = (value: unknown): unknown => {
    // `checkDocument` bounds the depth; should a cycle or a deep tree ever get past it, this is an error, not a crash.
    if (path.length > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`);
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
    if (Array.isArray(value)) {
      return value.map((item, index) => {
        path.push(index);
        const out = convert(item);
        path.pop();
        return out;
      });
    }
    const entries = value instanceof Map ? [...value.entries()] : Object.getPrototypeOf(value) === Object.prototype ? Object.entries(value as Dict) : undefined;
    if (entries === undefined) return fail(`${describeValue(value)} is not a value compose accepts (quote it to write a string)`);
    const out: Dict = {};
    for (const [key, item] of entries) {
      const name = String(key);
      if (name === RESERVED_KEY) fail(`the key "${RESERVED_KEY}" is not allowed`);
      path.push(name);
      out[name] = convert(item);
      path.pop();
    }
    return out;
  };
  return convert(root);
}

function describeValue(value: unknown): string {
  if (value instanceof Date) return 'a timestamp';
  if (value instanceof Set) return 'a set';
  if (value instanceof Uint8Array) return 'binary data';
  return `a ${typeof value}`;
}

function deleteAt(tree: Dict, path: TreePath): void {
  let node: unknown = tree;
  for (const segment of path.slice(0, -1)) {
    if (Array.isArray(node) && typeof segment === 'number') node = node[segment];
    else if (isDict(node)) node = node[String(segment)];
    else return;
  }
  const last = path[path.length - 1];
  if (last === undefined) return;
  if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
  else if (isDict(node)) delete node[String(last)];
}

function locateOffset(doc: Document, path: TreePath): number | undefined {
  const { isMap, isPair, isScalar, isSeq } = yamlLibrary();
  let node = doc.contents as YamlNode | null;
  let offset = node?.range?.[0];
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) return offset;
      const value = pair.value as YamlNode | null;
      offset = value?.range?.[0] ?? (pair.key as YamlNode).range?.[0] ?? offset;
      node = value;
    } else if (isSeq(node) && typeof segment === 'number') {
      const item = node.items[segment] as YamlNode | undefined;
      if (!item) return offset;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else {
      return offset;
    }
  }
  return offset;
}
