// The functions a template can call: Go's builtins (and, or, not, len, index, slice, print, printf, println, eq, ne,
// lt, le, gt, ge, html, js, urlquery) and the ones docker adds (json, split, join, title, lower, upper, pad,
// truncate), each with the parameter types Go would check the arguments against.
import { sprint, sprintf, sprintln } from './printf.js';
import { formatValue, GoMap, goTypeName, isSlice, isTrue, NO_VALUE, sortedEntries, toGoJson } from './values.js';
import type { GoValue, ParamType } from './values.js';

export interface TemplateFunction {
  readonly params: readonly ParamType[];
  /** The type of further arguments, for variadic functions. */
  readonly variadic?: ParamType;
  /** Throws an Error whose message becomes `error calling NAME: message`. */
  readonly call: (...args: GoValue[]) => GoValue;
}

export type FunctionTable = Readonly<Record<string, TemplateFunction>>;

/** Evaluated by the executor itself: they stop at the first argument that decides (Go 1.18+). */
export const SHORT_CIRCUIT = new Set(['and', 'or']);

const fn = (params: readonly ParamType[], call: (...args: GoValue[]) => GoValue, variadic?: ParamType): TemplateFunction => ({ params, call, ...(variadic ? { variadic } : {}) });

export const BUILTINS: FunctionTable = {
  and: fn(['any'], () => null, 'any'),
  or: fn(['any'], () => null, 'any'),
  not: fn(['any'], (value) => !isTrue(value)),
  len: fn(['any'], length),
  index: fn(['any'], index, 'any'),
  slice: fn(['any'], slice, 'any'),
  print: fn([], (...args) => sprint(args), 'any'),
  printf: fn(['string'], (format, ...args) => sprintf(format as string, args), 'any'),
  println: fn([], (...args) => sprintln(args), 'any'),
  eq: fn(['any'], (first, ...others) => {
    if (others.length === 0) throw new Error('missing argument for comparison');
    return others.some((other) => compare(first!, other) === 0);
  }, 'any'),
  ne: fn(['any', 'any'], (a, b) => compare(a!, b!) !== 0),
  lt: fn(['any', 'any'], (a, b) => compare(a!, b!, true) < 0),
  le: fn(['any', 'any'], (a, b) => compare(a!, b!, true) <= 0),
  gt: fn(['any', 'any'], (a, b) => compare(a!, b!, true) > 0),
  ge: fn(['any', 'any'], (a, b) => compare(a!, b!, true) >= 0),
  html: fn([], (...args) => htmlEscape(evalArgs(args)), 'any'),
  js: fn([], (...args) => jsEscape(evalArgs(args)), 'any'),
  urlquery: fn([], (...args) => encodeURIComponent(evalArgs(args)).replace(/%20/g, '+').replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`), 'any'),
};

/** docker's additions (github.com/docker/cli/templates). */
export const DOCKER_FUNCTIONS: FunctionTable = {
  json: fn(['any'], (value) => toGoJson(value!)),
  split: fn(['string', 'string'], (text, separator) => split(text as string, separator as string)),
  join: fn(['any', 'string'], (elements, separator) => join(elements!, separator as string)),
  title: fn(['string'], (text) => title(text as string)),
  lower: fn(['string'], (text) => (text as string).toLowerCase()),
  upper: fn(['string'], (text) => (text as string).toUpperCase()),
  pad: fn(['string', 'int', 'int'], (text, prefix, suffix) => {
    if ((prefix as number) < 0 || (suffix as number) < 0) throw new Error('strings: negative Repeat count');
    return text === '' ? '' : ' '.repeat(prefix as number) + (text as string) + ' '.repeat(suffix as number);
  }),
  truncate: fn(['string', 'int'], (text, length) => {
    const bytes = Buffer.from(text as string, 'utf8');
    if (bytes.length < (length as number)) return text!;
    if ((length as number) < 0) throw new Error(`runtime error: slice bounds out of range [:${length as number}]`);
    return bytes.subarray(0, length as number).toString('utf8');
  }),
};

/** docker's table headers: the functions that would change a column's name leave it as it is. */
export const HEADER_FUNCTIONS: FunctionTable = {
  json: fn(['string'], (value) => value!),
  split: fn(['string', 'string'], (value) => value!),
  join: fn(['string', 'string'], (value) => value!),
  title: fn(['string'], (value) => value!),
  lower: fn(['string'], (value) => value!),
  upper: fn(['string'], (value) => value!),
  truncate: fn(['string', 'int'], (value) => value!),
};

/** Go builtins berth's templates do not have (they need function values). */
export const UNSUPPORTED_FUNCTIONS = new Set(['call']);

function evalArgs(args: readonly GoValue[]): string {
  return args.length === 1 && typeof args[0] === 'string' ? args[0] : sprint(args);
}

function length(value: GoValue): GoValue {
  if (typeof value === 'string') return Buffer.byteLength(value, 'utf8');
  if (isSlice(value)) return value.length;
  if (value instanceof GoMap) return value.entries.size;
  throw new Error(`len of type ${goTypeName(value)}`);
}

function zeroOf(map: GoMap): GoValue {
  return map.typeName === 'map[string]string' ? '' : null;
}

function index(item: GoValue, ...indexes: GoValue[]): GoValue {
  let value = item;
  for (const at of indexes) {
    if (value === null || value === NO_VALUE) throw new Error('index of untyped nil');
    if (isSlice(value) || typeof value === 'string') {
      if (typeof at !== 'number' || !Number.isInteger(at)) throw new Error(`cannot index slice/array with type ${goTypeName(at)}`);
      const size = typeof value === 'string' ? Buffer.byteLength(value) : value.length;
      if (at < 0 || at >= size) throw new Error(`index out of range: ${at}`);
      value = typeof value === 'string' ? Buffer.from(value)[at]! : value[at]!;
    } else if (value instanceof GoMap) {
      if (typeof at !== 'string') throw new Error(`value has type ${goTypeName(at)}; should be string`);
      value = value.entries.has(at) ? value.entries.get(at)! : zeroOf(value);
    } else throw new Error(`can't index item of type ${goTypeName(value)}`);
  }
  return value;
}

function slice(item: GoValue, ...bounds: GoValue[]): GoValue {
  if (typeof item !== 'string' && !isSlice(item)) throw new Error(`can't slice item of type ${goTypeName(item)}`);
  if (bounds.length > (typeof item === 'string' ? 2 : 3)) throw new Error(`too many slice indexes: ${bounds.length}`);
  const size = typeof item === 'string' ? Buffer.byteLength(item) : item.length;
  const numbers = bounds.map((bound) => {
    if (typeof bound !== 'number' || !Number.isInteger(bound)) throw new Error(`cannot index slice/array with type ${goTypeName(bound)}`);
    if (bound < 0 || bound > size) throw new Error(`index out of range: ${bound}`);
    return bound;
  });
  const [start = 0, end = size] = numbers;
  if (start > end) throw new Error(`invalid slice index: ${start} > ${end}`);
  return typeof item === 'string' ? Buffer.from(item).subarray(start, end).toString('utf8') : item.slice(start, end);
}

/** Go's template comparison: basic kinds only, of the same kind (ints and floats are both numbers here). */
function compare(a: GoValue, b: GoValue, ordered = false): number {
  const kind = (value: GoValue): string => {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return typeof value;
    if (value === null || value === NO_VALUE) return 'nil';
    return 'other';
  };
  const [ka, kb] = [kind(a), kind(b)];
  if (ka === 'other' || kb === 'other' || (ordered && (ka === 'nil' || kb === 'nil'))) throw new Error('invalid type for comparison');
  if (ka !== kb) {
    if (ka === 'nil' || kb === 'nil') return 1;
    throw new Error('incompatible types for comparison');
  }
  if (ordered && ka === 'boolean') throw new Error('invalid type for comparison');
  if (a === b) return 0;
  return (a as string | number) < (b as string | number) ? -1 : 1;
}

function split(text: string, separator: string): GoValue {
  if (separator === '') return [...text];
  return text.split(separator);
}

function join(elements: GoValue, separator: string): GoValue {
  if (elements === null || elements === NO_VALUE) return '';
  if (isSlice(elements)) return elements.map(formatValue).join(separator);
  if (elements instanceof GoMap) return sortedEntries(elements).map(([, value]) => formatValue(value)).sort().join(separator);
  throw new Error(`expected slice, got ${goTypeName(elements)}`);
}

/** strings.Title: the first letter of each word in title case. */
function title(text: string): string {
  let previous = ' ';
  let out = '';
  for (const char of text) {
    out += isSeparator(previous) ? char.toUpperCase() : char;
    previous = char;
  }
  return out;
}

function isSeparator(char: string): boolean {
  if (char.charCodeAt(0) <= 0x7f) return !/[0-9A-Za-z_]/.test(char);
  if (/[\p{L}\p{Nd}]/u.test(char)) return false;
  return /\s/u.test(char);
}

function htmlEscape(text: string): string {
  return text.replace(/[<>&'"\0]/g, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&#39;', '"': '&#34;', '\0': '\uFFFD' })[char]!);
}

function jsEscape(text: string): string {
  let out = '';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (char === '\\') out += '\\\\';
    else if (char === "'") out += "\\'";
    else if (char === '"') out += '\\"';
    else if ('<>&='.includes(char) || code < 0x20) out += `\\u${code.toString(16).toUpperCase().padStart(4, '0')}`;
    else out += char;
  }
  return out;
}
