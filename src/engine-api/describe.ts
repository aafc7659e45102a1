// Descriptors of the Engine API's wire shapes: one value per body from which both its TypeScript type (`WireType`)
// and its check (`read`) derive, so the two cannot drift. `read` takes a parsed JSON value and returns a clean copy
// holding only the described fields (unknown ones and nulls dropped, as Go's decoder ignores them), or throws a
// `WireError` naming the field: `HostConfig.Memory: expected integer, got string`.

/** A request value that does not fit its description; the engine answers it with a 400. */
export class WireError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(field === '' ? problem : problem.startsWith('is ') ? `${field} ${problem}` : `${field}: ${problem}`);
    this.name = 'WireError';
  }
}

/** What the swagger calls the value's type; the field-table test compares these with the reference swagger. */
export type WireKind = 'string' | 'integer' | 'number' | 'boolean' | 'list' | 'map' | 'object' | 'string-or-list' | 'any';

export interface Descriptor<T> {
  readonly kind: WireKind;
  /** Absent (or null) is refused. */
  readonly required: boolean;
  /** null is kept (as null) rather than read as absent. */
  readonly nullable?: boolean;
  /** Objects: their fields; lists and maps: their items. Read by the field table's swagger test. */
  readonly fields?: Readonly<Record<string, Descriptor<unknown>>>;
  readonly items?: Descriptor<unknown>;
  /** Checks a present, non-null value found at `path` and returns what handlers may read. */
  read(value: unknown, path: string): T;
}

export type WireType<D> = D extends Descriptor<infer T> ? T : never;

type Shape = Readonly<Record<string, Descriptor<unknown>>>;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends { readonly required: true } ? K : never }[keyof S];
type Flatten<T> = { [K in keyof T]: T[K] };
export type ObjectOf<S extends Shape> = Flatten<
  { [K in RequiredKeys<S>]: WireType<S[K]> } & { [K in Exclude<keyof S, RequiredKeys<S>>]?: WireType<S[K]> }
>;

/** Long enough for any honest value, short enough that no field can make the engine build an absurd path or name. */
export const LIMITS = { string: 65536, path: 4096, name: 255, list: 10000, map: 10000 } as const;

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function expected(what: string, value: unknown, path: string): never {
  throw new WireError(path, `expected ${what}, got ${typeName(value)}`);
}

function descriptor<T>(kind: WireKind, read: (value: unknown, path: string) => T, extra: Partial<Descriptor<T>> = {}): Descriptor<T> {
  return { kind, required: false, read, ...extra };
}

export interface StringOptions<E extends string> {
  /** Longest accepted, in characters (LIMITS.string by default). */
  readonly max?: number;
  readonly pattern?: RegExp;
  /** What `pattern` asks for, in words (for the message). */
  readonly patternName?: string;
  readonly values?: readonly E[];
}

export function string<E extends string = string>(options: StringOptions<E> = {}): Descriptor<E> {
  const max = options.max ?? LIMITS.string;
  return descriptor('string', (value, path) => {
    if (typeof value !== 'string') expected('string', value, path);
    if (value.length > max) throw new WireError(path, `longer than ${max} characters`);
    if (value.includes('\0')) throw new WireError(path, 'contains a NUL character');
    if (options.values && !options.values.includes(value as E)) throw new WireError(path, `expected one of ${options.values.map((item) => `"${item}"`).join(', ')}, got "${value}"`);
    if (options.pattern && !options.pattern.test(value)) throw new WireError(path, `"${value}" is not ${options.patternName ?? `of the form ${options.pattern.source}`}`);
    return value as E;
  });
}

/** A path (or a path-like entry such as a Binds line): bounded by PATH_MAX. */
export const path = (): Descriptor<string> => string({ max: LIMITS.path });
/** A name that becomes a file or interface name somewhere: bounded by NAME_MAX. */
export const name = (): Descriptor<string> => string({ max: LIMITS.name });

/** A JSON integer within int64 (Go's decoder refuses 1.5 and "1" for an int64 field; so do we). */
export function integer(options: { min?: number; max?: number } = {}): Descriptor<number> {
  return descriptor('integer', (value, path) => {
    if (typeof value !== 'number' || !Number.isInteger(value)) expected('integer', value, path);
    if (Math.abs(value) > 2 ** 63) throw new WireError(path, 'out of the 64-bit integer range');
    if (options.min !== undefined && value < options.min) throw new WireError(path, `must be at least ${options.min}, got ${value}`);
    if (options.max !== undefined && value > options.max) throw new WireError(path, `must be at most ${options.max}, got ${value}`);
    return value;
  });
}

export function number(): Descriptor<number> {
  return descriptor('number', (value, path) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) expected('number', value, path);
    return value;
  });
}

export function boolean(): Descriptor<boolean> {
  return descriptor('boolean', (value, path) => {
    if (typeof value !== 'boolean') expected('boolean', value, path);
    return value;
  });
}

/** Any JSON value, kept as it is (a value the engine passes on without reading, such as an `ExposedPorts` entry). */
export function any(): Descriptor<unknown> {
  return descriptor('any', (value) => value);
}

export function list<T>(items: Descriptor<T>, options: { max?: number } = {}): Descriptor<T[]> {
  const max = options.max ?? LIMITS.list;
  return descriptor(
    'list',
    (value, path) => {
      if (!Array.isArray(value)) expected('array', value, path);
      if (value.length > max) throw new WireError(path, `more than ${max} entries`);
      const out: T[] = [];
      for (const [index, item] of value.entries()) {
        // Go leaves a null entry of a list of strings as "", of objects as the zero object.
        if (item === null || item === undefined) continue;
        out.push(items.read(item, `${path}[${index}]`));
      }
      return out;
    },
    { items: items as Descriptor<unknown> },
  );
}

/** Docker's `StrSlice`: a list of strings, or one string standing for a list of one. */
export function stringOrList(): Descriptor<string[]> {
  const strings = list(string());
  return descriptor('string-or-list', (value, path) => (typeof value === 'string' ? [string().read(value, path)] : strings.read(value, path)));
}

/** Sets a key on a fresh object without ever reaching a setter (a key named `__proto__` stays a plain key). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** An object with arbitrary keys (labels, options, `PortBindings`), each value as `items` says. */
export function map<T>(items: Descriptor<T>, options: { maxKey?: number; max?: number } = {}): Descriptor<Record<string, T>> {
  const maxKey = options.maxKey ?? LIMITS.string;
  const max = options.max ?? LIMITS.map;
  return descriptor(
    'map',
    (value, path) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) expected('object', value, path);
      const entries = Object.entries(value);
      if (entries.length > max) throw new WireError(path, `more than ${max} entries`);
      const out: Record<string, T> = {};
      for (const [key, item] of entries) {
        if (key.length > maxKey) throw new WireError(path, `a key longer than ${maxKey} characters`);
        if (key.includes('\0')) throw new WireError(path, 'a key contains a NUL character');
        if (item === undefined || (item === null && !items.nullable)) continue;
        define(out, key, item === null ? null : items.read(item, `${path}.${key}`));
      }
      return out;
    },
    { items: items as Descriptor<unknown> },
  );
}

/**
 * An object with the given fields. As Go's decoder: a field also matches a key that differs only in case, unknown
 * keys are ignored (and not passed on), and null is the same as absent.
 */
export function object<S extends Shape>(fields: S): Descriptor<ObjectOf<S>> {
  const names = Object.keys(fields);
  const byLowerCase = new Map(names.map((field) => [field.toLowerCase(), field]));
  return descriptor(
    'object',
    (value, path) => {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) expected('object', value, path);
      const given = new Map<string, unknown>();
      for (const [key, item] of Object.entries(value)) {
        const field = key in fields && Object.prototype.hasOwnProperty.call(fields, key) ? key : byLowerCase.get(key.toLowerCase());
        // An exact match wins over one that differs in case, whatever the order of the keys.
        if (field !== undefined && (field === key || !given.has(field))) given.set(field, item);
      }
      const out: Record<string, unknown> = {};
      for (const field of names) {
        const item = given.get(field);
        const where = path === '' ? field : `${path}.${field}`;
        if (item === null || item === undefined) {
          if (fields[field]!.required) throw new WireError(where, 'is required');
          continue;
        }
        define(out, field, fields[field]!.read(item, where));
      }
      return out as ObjectOf<S>;
    },
    { fields: fields as Readonly<Record<string, Descriptor<unknown>>> },
  );
}

/** The same descriptor, with absence refused. */
export function required<T>(inner: Descriptor<T>): Descriptor<T> & { readonly required: true } {
  return { ...inner, required: true };
}

/** The same descriptor, with null kept as a value of its own (a build argument named without a value). */
export function nullable<T>(inner: Descriptor<T>): Descriptor<T | null> {
  return { ...inner, nullable: true };
}

/** Checks a whole body (the top-level value may be absent when `body` is not required). */
export function readBody<T>(description: Descriptor<T>, value: unknown): T {
  return description.read(value, '');
}
