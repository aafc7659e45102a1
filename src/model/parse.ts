// Pass 1: YAML text -> plain tree, with source positions for errors and the `!reset` / `!override` tags noted by path.
import { LineCounter, isMap, isPair, isScalar, isSeq, parseAllDocuments } from 'yaml';
import type { Document, Node as YamlNode, ScalarTag } from 'yaml';
import { BerthError } from './errors.js';
import type { SourcePosition } from './errors.js';
import { isDict } from './tree.js';
import type { Dict, TreePath } from './tree.js';

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
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, {
    lineCounter,
    merge: true,
    uniqueKeys: true,
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
    if (error) {
      throw new BerthError(`invalid YAML: ${firstLine(error.message)}`, { position: position(error.pos[0]) });
    }
    const resets: TreePath[] = [];
    const overrides: TreePath[] = [];
    collectTags(doc.contents as YamlNode | null, [], resets, overrides);
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 1000 });
    } catch (cause) {
      throw new BerthError(`invalid YAML: ${(cause as Error).message}`, { position: { file } });
    }
    if (value === null || value === undefined) value = {};
    if (!isDict(value)) {
      throw new BerthError('top-level object must be a mapping', { position: position(doc.contents?.range?.[0]) });
    }
    const tree = normalizeKeys(value) as Dict;
    for (const path of resets) deleteAt(tree, path);
    parsed.push({
      file,
      tree,
      resets,
      overrides,
      locate: (path) => position(locateOffset(doc, path)),
    });
  }
  return parsed.length > 0 ? parsed : [emptyDocument(file)];
}

function emptyDocument(file: string): ParsedDocument {
  return { file, tree: {}, resets: [], overrides: [], locate: () => ({ file }) };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function collectTags(node: YamlNode | null, path: TreePath, resets: TreePath[], overrides: TreePath[]): void {
  if (!node) return;
  if (node.tag === RESET_TAG) resets.push(path);
  if (node.tag === OVERRIDE_TAG) overrides.push(path);
  if (isMap(node)) {
    for (const pair of node.items) {
      if (!isPair(pair)) continue;
      const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
      collectTags(pair.value as YamlNode | null, [...path, key], resets, overrides);
    }
  } else if (isSeq(node)) {
    node.items.forEach((item, index) => collectTags(item as YamlNode | null, [...path, index], resets, overrides));
  }
}

/** YAML allows non-string keys (`8080: x`); compose treats every key as a string. */
function normalizeKeys(value: unknown): unknown {
  if (value instanceof Map) {
    const out: Dict = {};
    for (const [k, v] of value) out[String(k)] = normalizeKeys(v);
    return out;
  }
  if (Array.isArray(value)) return value.map(normalizeKeys);
  if (isDict(value)) {
    const out: Dict = {};
    for (const [k, v] of Object.entries(value)) out[k] = normalizeKeys(v);
    return out;
  }
  return value;
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
