// Names from a compose file become keys of plain objects (services, labels, variables, ...). `__proto__` cannot be
// one: assigning it replaces the object's prototype instead of adding a key, so the entry would vanish or, worse,
// show through every lookup. It is refused wherever user text becomes a key; the other names `Object.prototype`
// carries (`toString`, `constructor`, ...) are ordinary keys, and lookups by a user's name use `ownValue`.
import { BerthError } from './errors.js';
import { formatPath } from './tree.js';
import type { TreePath } from './tree.js';

export const RESERVED_KEY = '__proto__';

/** `key`, when it may be a key; the error names the path where it was written. */
export function userKey(key: string, path: TreePath): string {
  if (key === RESERVED_KEY) throw new BerthError(`${formatPath(path)}: the name "${RESERVED_KEY}" is not allowed`, { path });
  return key;
}

/** `dict[key]` when `dict` has it as its own key, never what it inherits (`toString`, `constructor`, ...). */
export function ownValue<T>(dict: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(dict, key) ? dict[key] : undefined;
}
