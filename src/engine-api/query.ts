// Query parameters, described the way bodies are: each parameter's reader and its type derive from one value, and a
// parameter that does not parse is a `WireError` naming it. Parameters a route does not describe are ignored (as
// dockerd ignores them) and never reach its handler.
import { LIMITS, list, readBody, string, WireError } from './describe.js';
import type { Descriptor } from './describe.js';

export interface QueryParameter<T> {
  /** What the swagger says the parameter is (for the field table's test). */
  readonly kind: 'string' | 'integer' | 'boolean' | 'json' | 'strings';
  read(query: URLSearchParams, name: string): T | undefined;
}

type QueryShape = Readonly<Record<string, QueryParameter<unknown>>>;
export type QueryOf<S extends QueryShape> = { [K in keyof S]?: S[K] extends QueryParameter<infer T> ? T : never };

function checked(name: string, value: string, max: number): string {
  if (value.length > max) throw new WireError(name, `longer than ${max} characters`);
  if (value.includes('\0')) throw new WireError(name, 'contains a NUL character');
  return value;
}

/** A string; absent and empty are the same (dockerd reads `FormValue`, which gives "" for both). */
export function text(options: { max?: number; pattern?: RegExp; patternName?: string } = {}): QueryParameter<string> {
  const max = options.max ?? LIMITS.string;
  return {
    kind: 'string',
    read(query, name) {
      const value = query.get(name);
      if (value === null || value === '') return undefined;
      checked(name, value, max);
      if (options.pattern && !options.pattern.test(value)) throw new WireError(name, `"${value}" is not ${options.patternName ?? `of the form ${options.pattern.source}`}`);
      return value;
    },
  };
}

/** Every value of a repeated parameter (`t=a&t=b`), empty ones left out. */
export function texts(options: { max?: number } = {}): QueryParameter<string[]> {
  const max = options.max ?? LIMITS.string;
  return {
    kind: 'strings',
    read(query, name) {
      const values = query.getAll(name).filter((value) => value !== '');
      if (values.length > LIMITS.list) throw new WireError(name, `more than ${LIMITS.list} values`);
      return values.length === 0 ? undefined : values.map((value) => checked(name, value, max));
    },
  };
}

/** moby's `httputils.BoolValue`: anything but "", "0", "no", "false" and "none" (any case) is true. */
export function flag(): QueryParameter<boolean> {
  return {
    kind: 'boolean',
    read(query, name) {
      const value = query.get(name);
      if (value === null) return undefined;
      return !['', '0', 'no', 'false', 'none'].includes(value.trim().toLowerCase());
    },
  };
}

export function int(options: { min?: number; max?: number } = {}): QueryParameter<number> {
  return {
    kind: 'integer',
    read(query, name) {
      const value = query.get(name);
      if (value === null || value === '') return undefined;
      if (!/^[-+]?\d{1,19}$/.test(value.trim())) throw new WireError(name, `expected integer, got "${value.slice(0, 64)}"`);
      const parsed = Number(value);
      if (options.min !== undefined && parsed < options.min) throw new WireError(name, `must be at least ${options.min}, got ${parsed}`);
      if (options.max !== undefined && parsed > options.max) throw new WireError(name, `must be at most ${options.max}, got ${parsed}`);
      return parsed;
    },
  };
}

/** A JSON-encoded parameter (`buildargs`, `labels`, `ulimits`), checked against its descriptor. */
export function json<T>(description: Descriptor<T>): QueryParameter<T> {
  return {
    kind: 'json',
    read(query, name) {
      const raw = query.get(name);
      if (raw === null || raw === '') return undefined;
      checked(name, raw, LIMITS.string * 16);
      let parsed: unknown;
      try {
        parsed = JSON.parse(raw);
      } catch {
        throw new WireError(name, 'is not valid JSON');
      }
      if (parsed === null) return undefined;
      try {
        return readBody(description, parsed);
      } catch (error) {
        if (error instanceof WireError) throw new WireError(error.field === '' ? name : `${name}.${error.field}`, error.problem);
        throw error;
      }
    },
  };
}

/** `filters={"label":["a=b"]}`, or the older `{"label":{"a=b":true}}`: filter name -> values. */
export function filters(): QueryParameter<Map<string, string[]>> {
  const values = list(string({ max: 4096 }), { max: 1024 });
  return {
    kind: 'json',
    read(query, name) {
      const raw = query.get(name);
      if (raw === null || raw === '') return undefined;
      let parsed: unknown;
      try {
        parsed = JSON.parse(checked(name, raw, LIMITS.string));
      } catch (error) {
        if (error instanceof WireError) throw error;
        throw new WireError(name, 'is not valid JSON');
      }
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new WireError(name, `expected an object of filter names, got ${Array.isArray(parsed) ? 'array' : typeof parsed}`);
      const result = new Map<string, string[]>();
      for (const [filter, given] of Object.entries(parsed)) {
        if (filter.length > 64) throw new WireError(name, 'a filter name longer than 64 characters');
        if (Array.isArray(given)) result.set(filter, values.read(given, `${name}.${filter}`));
        else if (typeof given === 'object' && given !== null) {
          // {"value": true}: the values are the keys, as moby reads them.
          result.set(filter, values.read(Object.keys(given), `${name}.${filter}`));
        } else throw new WireError(`${name}.${filter}`, `expected an array of strings, got ${given === null ? 'null' : typeof given}`);
      }
      return result;
    },
  };
}

/** Reads every described parameter; the first that does not parse is the error. */
export function readQuery<S extends QueryShape>(shape: S, query: URLSearchParams): QueryOf<S> {
  const out: Record<string, unknown> = {};
  for (const [name, parameter] of Object.entries(shape)) {
    const value = parameter.read(query, name);
    if (value !== undefined) out[name] = value;
  }
  return out as QueryOf<S>;
}
