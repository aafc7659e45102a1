// The values a Go template sees, modelled on what Go's reflection gives text/template: strings, numbers, booleans,
// nil, slices, maps (with methods, as docker's header maps have) and structs whose members are fields or methods.
// Each knows its Go type name (for error messages), its `%v` text and its encoding/json text, so that output and
// errors read as docker's do.

/** A parameter type of a method or function: how an argument is checked before the call. */
export type ParamType = 'string' | 'int' | 'bool' | 'any';

/** A method with typed parameters (docker's `Label(name string) string`). */
export class GoMethod {
  constructor(
    readonly params: readonly ParamType[],
    readonly call: (...args: GoValue[]) => GoValue,
  ) {}
}

/** A map: keys sorted when printed or encoded, as Go does. `methods` are found before keys, as on Go's named maps. */
export class GoMap {
  constructor(
    readonly entries: ReadonlyMap<string, GoValue>,
    readonly typeName = 'map[string]string',
    readonly methods: Readonly<Record<string, GoMethod>> = {},
  ) {}
}

export interface GoStructOptions {
  /** What encoding/json writes for it (docker's contexts marshal their methods); default: its fields in order. */
  readonly json?: () => unknown;
  /** A `String()` method: what `%v` and actions print. */
  readonly text?: () => string;
}

/** A struct (or a pointer to one): its fields in declaration order and its methods. */
export class GoStruct {
  constructor(
    readonly typeName: string,
    readonly members: Readonly<Record<string, GoValue | GoMethod>>,
    readonly options: GoStructOptions = {},
  ) {}
}

/** What a missing map key gives: printed as `<no value>`. */
export const NO_VALUE: unique symbol = Symbol('no value');

export type GoValue = string | number | boolean | null | typeof NO_VALUE | readonly GoValue[] | GoMap | GoStruct;

export function isSlice(value: GoValue): value is readonly GoValue[] {
  return Array.isArray(value);
}

/** `string`, `int`, `[]string`, `map[string]string`, `*formatter.ContainerContext`. */
export function goTypeName(value: GoValue): string {
  if (value === null || value === NO_VALUE) return '<nil>';
  if (typeof value === 'string') return 'string';
  if (typeof value === 'boolean') return 'bool';
  if (typeof value === 'number') return Number.isInteger(value) ? 'int' : 'float64';
  if (isSlice(value)) {
    const kinds = new Set(value.map(goTypeName));
    return `[]${kinds.size === 1 ? [...kinds][0] : kinds.size === 0 ? 'string' : 'interface {}'}`;
  }
  return value.typeName;
}

/** Go's truth: false, 0, nil and empty strings, slices and maps are false; every struct is true. */
export function isTrue(value: GoValue): boolean {
  if (value === null || value === NO_VALUE) return false;
  if (typeof value === 'string') return value !== '';
  if (typeof value === 'number') return value !== 0;
  if (typeof value === 'boolean') return value;
  if (isSlice(value)) return value.length > 0;
  if (value instanceof GoMap) return value.entries.size > 0;
  return true;
}

/** A float as Go's `%v` writes it: the shortest digits that read back, in exponent form below 1e-4 or from 1e6. */
export function formatFloat(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  return (value < 0 || Object.is(value, -0) ? '-' : '') + formatG(Math.abs(value));
}

/** strconv.FormatFloat(x, 'g', precision): shortest digits when no precision, exponent form for large or tiny values. */
export function formatG(value: number, precision?: number): string {
  if (!Number.isFinite(value)) return Number.isNaN(value) ? 'NaN' : value > 0 ? '+Inf' : '-Inf';
  if (value === 0) return '0';
  const exponential = precision === undefined ? value.toExponential() : value.toExponential(Math.max(precision, 1) - 1);
  const [mantissa = '', exponentText = '0'] = exponential.split('e');
  const exponent = Number(exponentText);
  const significant = mantissa.replace('.', '').replace(/0+$/, '') || '0';
  let limit = precision === undefined ? 6 : Math.max(precision, 1);
  // As strconv: with fewer digits than the precision, all in the integer part, the digits decide.
  if (precision !== undefined && limit > significant.length && significant.length >= exponent + 1) limit = significant.length;
  if (exponent < -4 || exponent >= limit) {
    const trimmed = mantissa.includes('.') ? mantissa.replace(/0+$/, '').replace(/\.$/, '') : mantissa;
    return goExponent(`${trimmed}e${exponent < 0 ? '-' : '+'}${Math.abs(exponent)}`);
  }
  if (exponent >= 0) {
    const whole = significant.padEnd(exponent + 1, '0');
    const fraction = significant.slice(exponent + 1);
    return fraction ? `${whole.slice(0, exponent + 1)}.${fraction}` : whole.slice(0, exponent + 1);
  }
  return `0.${'0'.repeat(-exponent - 1)}${significant}`;
}

/** JavaScript's `1e-7` / `1.5e+21` as Go writes them: `1e-07`, `1.5e+21` (at least two exponent digits). */
export function goExponent(text: string): string {
  return text.replace(/e([+-])(\d)$/, 'e$10$2');
}

/** fmt's `%v`. */
export function formatValue(value: GoValue): string {
  if (value === NO_VALUE) return '<no value>';
  if (value === null) return '<nil>';
  if (typeof value === 'string') return value;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') return Number.isInteger(value) ? String(value) : formatFloat(value);
  if (isSlice(value)) return `[${value.map(formatValue).join(' ')}]`;
  if (value instanceof GoMap) return `map[${sortedEntries(value).map(([key, entry]) => `${key}:${formatValue(entry)}`).join(' ')}]`;
  if (value.options.text) return value.options.text();
  return `{${fieldsOf(value).map(([, field]) => formatValue(field)).join(' ')}}`;
}

/** fmt's `%+v`: struct fields with their names. */
export function formatValueWithNames(value: GoValue): string {
  if (value instanceof GoStruct && !value.options.text) return `{${fieldsOf(value).map(([name, field]) => `${name}:${formatValueWithNames(field)}`).join(' ')}}`;
  if (isSlice(value)) return `[${value.map(formatValueWithNames).join(' ')}]`;
  if (value instanceof GoMap) return `map[${sortedEntries(value).map(([key, entry]) => `${key}:${formatValueWithNames(entry)}`).join(' ')}]`;
  return formatValue(value);
}

export function sortedEntries(map: GoMap): Array<[string, GoValue]> {
  return [...map.entries.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The fields of a struct (its methods left out), in declaration order. */
export function fieldsOf(value: GoStruct): Array<[string, GoValue]> {
  return Object.entries(value.members).filter((entry): entry is [string, GoValue] => !(entry[1] instanceof GoMethod));
}

/** encoding/json with SetEscapeHTML(false), as docker's `json` function writes: no trailing newline. */
export function toGoJson(value: GoValue): string {
  return encodeJson(toPlain(value));
}

function toPlain(value: GoValue): unknown {
  if (value === NO_VALUE) return null;
  if (value === null || typeof value !== 'object') return value;
  if (isSlice(value)) return value.map(toPlain);
  if (value instanceof GoMap) return new Map(sortedEntries(value).map(([key, entry]) => [key, toPlain(entry)]));
  if (value.options.json) return value.options.json();
  return new Map(fieldsOf(value).map(([name, field]) => [name, toPlain(field)]));
}

/** Maps keep their (sorted or declared) order; plain objects are Go maps: sorted. */
function encodeJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return jsonString(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(encodeJson).join(',')}]`;
  if (value instanceof Map) return `{${[...value.entries()].map(([key, entry]) => `${jsonString(String(key))}:${encodeJson(entry)}`).join(',')}}`;
  if (isGoValue(value)) return toGoJson(value);
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([key, entry]) => `${jsonString(key)}:${encodeJson(entry)}`).join(',')}}`;
}

function isGoValue(value: object): value is GoMap | GoStruct {
  return value instanceof GoMap || value instanceof GoStruct;
}

/** A JSON string as Go writes it: like JSON.stringify, but U+2028 and U+2029 escaped. */
export function jsonString(text: string): string {
  return JSON.stringify(text).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** strconv.Quote: a double-quoted Go string literal (control characters as \x.., \u....). */
export function goQuote(text: string): string {
  let out = '"';
  for (const char of text) {
    const code = char.codePointAt(0)!;
    switch (char) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (code < 0x20 || code === 0x7f) out += `\\x${code.toString(16).padStart(2, '0')}`;
    else if ((code >= 0x80 && code < 0xa0) || code === 0xad || code === 0xfeff || (code >= 0x2028 && code <= 0x202e)) out += `\\u${code.toString(16).padStart(4, '0')}`;
    else if (code >= 0xd800 && code <= 0xdfff) out += '\\ufffd';
    else out += char;
  }
  return `${out}"`;
}
