// A parsed YAML document checked before it becomes values, so that turning it into values is safe and cheap: an
// alias inside the node it names (a cycle: endless recursion), aliases that multiply the document (billion laughs)
// or nest it beyond the limits, duplicate keys (checked here in linear time: the YAML library's own check is
// quadratic in the size of a mapping), keys that are not plain values, `__proto__` keys (see `keys.ts`), and a
// `!!merge` tag anywhere but on a `<<` key. One walk in document order, which is the order aliases resolve in.
import { createRequire } from 'node:module';
import type { Document, Node as YamlNode, Pair } from 'yaml';
import { BerthError } from './errors.js';
import type { SourcePosition } from './errors.js';
import { MAX_DEPTH, MAX_NODES } from './limits.js';
import { RESERVED_KEY } from './keys.js';
import { formatPath } from './tree.js';

const MERGE_TAG = 'tag:yaml.org,2002:merge';
const OMAP_TAG = 'tag:yaml.org,2002:omap';

/**
 * The yaml package, loaded on first use (it is CommonJS in Node: a synchronous require): a project whose files were
 * parsed before (load-cache.ts) does not load its 70 modules.
 */
export function yamlLibrary(): typeof import('yaml') {
  library ??= createRequire(import.meta.url)('yaml') as typeof import('yaml');
  return library;
}
let library: typeof import('yaml') | undefined;

/** What a node becomes once its aliases are expanded. */
interface Expanded {
  readonly nodes: number;
  readonly height: number;
}

const LEAF: Expanded = { nodes: 1, height: 0 };

export function checkDocument(doc: Document, position: (offset: number | undefined) => SourcePosition): void {
  const { isAlias, isMap, isPair, isScalar, isSeq } = yamlLibrary();
  // The node each anchor names at this point of the walk: an alias names the last one written before it.
  const anchors = new Map<string, YamlNode>();
  // What each anchored collection expands to, and those being walked (an alias to one is inside the node it names).
  const expanded = new Map<YamlNode, Expanded>();
  const open = new Set<YamlNode>();
  // Where the walk is; copied only for an error, so that a large document costs no path per node.
  const path: Array<string | number> = [];

  const fail = (message: string, node: YamlNode | null | undefined): never => {
    // A path 64 levels deep is cut short: the position says where it is.
    const shown = path.slice(0, 8);
    const where = path.length === 0 ? '' : `${formatPath(shown)}${path.length > shown.length ? '...' : ''}: `;
    throw new BerthError(`invalid YAML: ${where}${message}`, { path: shown, position: position(node?.range?.[0]) });
  };

  const walk = (node: YamlNode | null | undefined, isKey = false): Expanded => {
    if (node === null || node === undefined) return LEAF;
    const depth = path.length;
    if (depth > MAX_DEPTH) fail(`nested deeper than ${MAX_DEPTH} levels`, node);
    if (node.anchor) anchors.set(node.anchor, node);
    if (isAlias(node)) {
      const target = anchors.get(node.source);
      if (target === undefined) return fail(`alias *${node.source} names no anchor written before it`, node);
      if (open.has(target)) return fail(`alias *${node.source} refers to a node that contains it`, node);
      const size = expanded.get(target) ?? LEAF;
      if (depth + size.height > MAX_DEPTH) fail(`alias *${node.source} nests the document deeper than ${MAX_DEPTH} levels`, node);
      return size;
    }
    if (isScalar(node)) {
      if (node.tag === MERGE_TAG && !isKey) fail('the !!merge tag belongs on a << key only', node);
      return LEAF;
    }
    if (!isMap(node) && !isSeq(node)) return LEAF;
    const anchored = node.anchor !== undefined && node.anchor !== null;
    if (anchored) open.add(node);
    let nodes = 1;
    let height = 0;
    const add = (child: Expanded): void => {
      nodes += child.nodes;
      if (child.height + 1 > height) height = child.height + 1;
      if (nodes > MAX_NODES) fail(`holds more than ${MAX_NODES} values (aliases expanded)`, node);
    };
    // A mapping's pairs; also an `!!omap`'s (a sequence of pairs that is one mapping) and a flow sequence's `[k: v]`
    // entries (each a mapping of its own): skipping those let an alias inside one name the node around it, a cycle.
    const walkPair = (pair: Pair<unknown, unknown>, seen: Map<unknown, YamlNode> | undefined): void => {
      const keyNode = pair.key as YamlNode | null;
      add(walk(keyNode, true));
      const key = keyValue(keyNode, anchors);
      if (key === undefined) fail('a mapping key must be a plain value, not a mapping or a list', keyNode);
      const keyText = typeof key === 'symbol' ? (key.description ?? '') : String(key);
      if (keyText === RESERVED_KEY) fail(`the key "${RESERVED_KEY}" is not allowed`, keyNode);
      // The YAML library's rule: two plain keys are the same when their values are; `<<` repeats are not allowed either.
      if (seen && isScalar(keyNode)) {
        const first = seen.get(keyNode.value);
        if (first) fail(`mapping key ${JSON.stringify(keyText)} already defined at line ${position(first.range?.[0]).line}`, keyNode);
        seen.set(keyNode.value, keyNode);
      }
      path.push(keyText);
      add(walk(pair.value as YamlNode | null));
      path.pop();
      if (isMergeKey(keyNode) && !mergesMappings(pair.value as YamlNode | null, anchors)) {
        fail('a << merge key takes a mapping, an alias of one, or a list of them', pair.value as YamlNode | null);
      }
    };
    if (isMap(node) || node.tag === OMAP_TAG) {
      const seen = new Map<unknown, YamlNode>();
      for (const item of node.items) if (isPair(item)) walkPair(item, seen);
    } else {
      node.items.forEach((item, index) => {
        path.push(index);
        if (isPair(item)) walkPair(item, undefined);
        else add(walk(item as YamlNode | null));
        path.pop();
      });
    }
    const result = { nodes, height };
    if (anchored) {
      open.delete(node);
      expanded.set(node, result);
    }
    return result;
  };

  walk(doc.contents as YamlNode | null);
}

/** The plain value a key stands for (through an alias), or undefined when it is a mapping or a list. */
function keyValue(key: YamlNode | null, anchors: ReadonlyMap<string, YamlNode>): unknown {
  const { isAlias, isScalar } = yamlLibrary();
  if (key === null || key === undefined) return null;
  const node = isAlias(key) ? anchors.get(key.source) : key;
  return isScalar(node) ? node.value : undefined;
}

/** `<<` written plainly (or tagged `!!merge`): the YAML merge key. */
function isMergeKey(key: YamlNode | null): boolean {
  const { isScalar } = yamlLibrary();
  if (!isScalar(key)) return false;
  if (key.tag === MERGE_TAG || typeof key.value === 'symbol') return true;
  return key.value === '<<' && (key.type === undefined || key.type === 'PLAIN');
}

function mergesMappings(value: YamlNode | null, anchors: ReadonlyMap<string, YamlNode>): boolean {
  const { isAlias, isMap, isSeq } = yamlLibrary();
  const resolve = (node: unknown): unknown => (isAlias(node) ? anchors.get(node.source) : node);
  const source = resolve(value);
  if (isSeq(source)) return source.items.every((item) => isMap(resolve(item)));
  return isMap(source);
}
