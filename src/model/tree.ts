// The untyped tree the loading passes work on: what YAML gives, before binding to types.
export type Dict = { [key: string]: unknown };

/** A path into the tree: keys of maps and indexes of lists. */
export type TreePath = ReadonlyArray<string | number>;

export function isDict(value: unknown): value is Dict {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `services.web.ports[0]`: how users read a path in error messages. */
export function formatPath(path: TreePath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z0-9_-]+$/.test(segment)) out += out === '' ? segment : `.${segment}`;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

/** Keys in sorted order, so that every iteration over a map is stable. */
export function sortedKeys(dict: Dict): string[] {
  return Object.keys(dict).sort();
}

export function deepClone<T>(value: T): T {
  return structuredClone(value);
}

/** `services.*.ports`: `*` matches any one key or list index. */
export function matchesPattern(path: TreePath, pattern: readonly string[]): boolean {
  return pattern.length === path.length && pattern.every((part, i) => part === '*' || part === String(path[i]));
}

/** Path patterns (`services.*.ports`, `*` is any one key or list index) compiled into a tree of handlers. */
export interface PatternTrie<T> {
  readonly handler?: T;
  readonly children: ReadonlyMap<string, PatternTrie<T>>;
  readonly any?: PatternTrie<T>;
}

interface MutableTrie<T> {
  handler?: T;
  children: Map<string, MutableTrie<T>>;
  any?: MutableTrie<T>;
}

export function patternTrie<T>(entries: ReadonlyArray<readonly [string, T]>): PatternTrie<T> {
  const root: MutableTrie<T> = { children: new Map() };
  for (const [pattern, handler] of entries) {
    let node = root;
    for (const part of pattern.split('.')) {
      if (part === '*') node = node.any ??= { children: new Map() };
      else {
        let next = node.children.get(part);
        if (!next) node.children.set(part, (next = { children: new Map() }));
        node = next;
      }
    }
    // The first pattern written for a path wins, as in an ordered table.
    node.handler ??= handler;
  }
  return root;
}

/** The trie node for one step down from `node`: the exact key first, else `*`. */
export function trieStep<T>(node: PatternTrie<T>, key: string | number): PatternTrie<T> | undefined {
  return node.children.get(String(key)) ?? node.any;
}

/**
 * Rebuilds `value` along the paths the trie names, calling `visit` where a pattern ends; what no pattern reaches is
 * shared, not copied. `visit` gets `descend` to continue below a node it handles.
 */
export function rewriteAt<T>(
  value: unknown,
  trie: PatternTrie<T>,
  visit: (handler: T, value: unknown, path: TreePath, descend: (value: unknown) => unknown) => unknown,
  path: TreePath = [],
): unknown {
  const descend = (current: unknown): unknown => {
    if (Array.isArray(current)) {
      return current.map((item, index) => {
        const next = trieStep(trie, index);
        return next ? rewriteAt(item, next, visit, [...path, index]) : item;
      });
    }
    if (!isDict(current)) return current;
    const out: Dict = {};
    for (const [key, item] of Object.entries(current)) {
      const next = trieStep(trie, key);
      out[key] = next ? rewriteAt(item, next, visit, [...path, key]) : item;
    }
    return out;
  };
  return trie.handler === undefined ? descend(value) : visit(trie.handler, value, path, descend);
}
