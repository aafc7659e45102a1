// Narrowing of the scalar shapes the canonical tree may still hold (a number written as a string after
// interpolation, a single string where a list is allowed), reporting the service path when a value does not fit.
import { BerthError } from '../../model/errors.js';
import { isDict } from '../../model/tree.js';
import type { TreePath } from '../../model/tree.js';

/** `services.<name>.<key>...`: where a converter reports a bad value. */
export function servicePath(serviceName: string, ...rest: Array<string | number>): TreePath {
  return ['services', serviceName, ...rest];
}

export function toInteger(value: unknown, path: TreePath): number {
  const n = typeof value === 'string' && /^[-+]?\d+$/.test(value.trim()) ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isInteger(n)) throw new BerthError(`expected an integer, got ${JSON.stringify(value)}`, { path });
  return n;
}

export function toNumber(value: unknown, path: TreePath): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new BerthError(`expected a number, got ${JSON.stringify(value)}`, { path });
  return n;
}

const TRUE_WORDS = new Set(['true', 'yes', 'y', 'on', '1']);
const FALSE_WORDS = new Set(['false', 'no', 'n', 'off', '0']);

export function toBoolean(value: unknown, path: TreePath): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  throw new BerthError(`expected a boolean, got ${JSON.stringify(value)}`, { path });
}

export function toText(value: unknown, path: TreePath): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new BerthError(`expected a string, got ${JSON.stringify(value)}`, { path });
}

/** A list of strings (the canonical form; a shell string must have been split by the model already). */
export function toStringList(value: unknown, path: TreePath): string[] {
  if (!Array.isArray(value)) throw new BerthError('expected a list of strings', { path });
  return value.map((item, index) => toText(item, [...path, index]));
}

/** A list of strings, also accepting the single-string shorthand the spec allows for dns, tmpfs and the like. */
export function toStringOrList(value: unknown, path: TreePath): string[] {
  return typeof value === 'string' ? [value] : toStringList(value, path);
}

/** A string map, also accepting the `KEY=VALUE` list form. Null values become empty strings, as compose-go does. */
export function toStringMap(value: unknown, path: TreePath): Record<string, string> {
  const out: Record<string, string> = {};
  if (Array.isArray(value)) {
    value.forEach((item, index) => {
      const text = toText(item, [...path, index]);
      const eq = text.indexOf('=');
      if (eq < 0) out[text] = '';
      else out[text.slice(0, eq)] = text.slice(eq + 1);
    });
    return out;
  }
  if (!isDict(value)) throw new BerthError('expected a mapping', { path });
  for (const key of Object.keys(value).sort()) {
    const item = value[key];
    out[key] = item === null || item === undefined ? '' : toText(item, [...path, key]);
  }
  return out;
}

export function isPresent<T>(value: T | null | undefined): value is T {
  return value !== undefined && value !== null;
}

/** Drops keys whose value is undefined, so that bodies only carry what the service sets. */
export function compact<T extends object>(value: T): T {
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) if (item !== undefined) out[key] = item;
  return out as T;
}
