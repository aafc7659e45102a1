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

/** A table of path patterns to handlers, compiled once. */
export function patternTable<T>(entries: ReadonlyArray<readonly [string, T]>): ReadonlyArray<readonly [readonly string[], T]> {
  return entries.map(([pattern, handler]) => [pattern.split('.'), handler] as const);
}

export function findHandler<T>(table: ReadonlyArray<readonly [readonly string[], T]>, path: TreePath): T | undefined {
  for (const [pattern, handler] of table) if (matchesPattern(path, pattern)) return handler;
  return undefined;
}
