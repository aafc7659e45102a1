// Go's fmt.Sprintf / Sprint / Sprintln over template values: the verbs people use in `printf` (%v %+v %s %q %d %x
// %X %o %b %c %e %f %g %t %T %%), flags (- + # 0 space), width and precision, and Go's own way of saying that an
// argument does not fit (`%!d(string=web)`, `%!s(MISSING)`, `%!(EXTRA int=1)`).
import { fieldsOf, formatG, formatValue, formatValueWithNames, GoMap, GoStruct, goExponent, goQuote, goTypeName, isSlice, NO_VALUE, sortedEntries } from './values.js';
import type { GoValue } from './values.js';

interface Spec {
  readonly minus: boolean;
  readonly plus: boolean;
  readonly sharp: boolean;
  readonly space: boolean;
  readonly zero: boolean;
  readonly width?: number;
  readonly precision?: number;
}

export function sprintf(format: string, args: readonly GoValue[]): string {
  let out = '';
  let next = 0;
  let at = 0;
  while (at < format.length) {
    const percent = format.indexOf('%', at);
    if (percent < 0) {
      out += format.slice(at);
      break;
    }
    out += format.slice(at, percent);
    at = percent + 1;
    const flags = { minus: false, plus: false, sharp: false, space: false, zero: false };
    for (; at < format.length; at++) {
      const char = format[at];
      if (char === '-') flags.minus = true;
      else if (char === '+') flags.plus = true;
      else if (char === '#') flags.sharp = true;
      else if (char === ' ') flags.space = true;
      else if (char === '0') flags.zero = !flags.minus;
      else break;
    }
    let width: number | undefined;
    let precision: number | undefined;
    const digits = /^\d+/.exec(format.slice(at));
    if (digits) {
      width = Number(digits[0]);
      at += digits[0].length;
    } else if (format[at] === '*') {
      at++;
      const value = args[next++];
      if (typeof value === 'number' && Number.isInteger(value)) {
        width = Math.abs(value);
        if (value < 0) flags.minus = true;
      } else out += '%!(BADWIDTH)';
    }
    if (format[at] === '.') {
      at++;
      const precisionDigits = /^\d+/.exec(format.slice(at));
      if (precisionDigits) {
        precision = Number(precisionDigits[0]);
        at += precisionDigits[0].length;
      } else if (format[at] === '*') {
        at++;
        const value = args[next++];
        if (typeof value === 'number' && Number.isInteger(value) && value >= 0) precision = value;
        else out += '%!(BADPREC)';
      } else precision = 0;
    }
    const verb = String.fromCodePoint(format.codePointAt(at) ?? 0);
    if (at >= format.length) {
      out += '%!(NOVERB)';
      break;
    }
    at += verb.length;
    if (verb === '%') {
      out += '%';
      continue;
    }
    if (next >= args.length) {
      out += `%!${verb}(MISSING)`;
      continue;
    }
    const spec: Spec = { ...flags, ...(width !== undefined ? { width } : {}), ...(precision !== undefined ? { precision } : {}) };
    out += formatArg(args[next++]!, verb, spec);
  }
  if (next < args.length) out += `%!(EXTRA ${args.slice(next).map((arg) => `${goTypeName(arg)}=${formatValue(arg)}`).join(', ')})`;
  return out;
}

/** fmt.Sprint: operands side by side, a space between two that are not strings. */
export function sprint(args: readonly GoValue[]): string {
  let out = '';
  args.forEach((arg, index) => {
    if (index > 0 && typeof arg !== 'string' && typeof args[index - 1] !== 'string') out += ' ';
    out += formatValue(arg);
  });
  return out;
}

/** fmt.Sprintln: operands separated by spaces, then a newline. */
export function sprintln(args: readonly GoValue[]): string {
  return `${args.map(formatValue).join(' ')}\n`;
}

function formatArg(value: GoValue, verb: string, spec: Spec): string {
  if (verb === 'T') return pad(goTypeName(value), spec);
  if (verb === 'v' && spec.plus) return pad(formatValueWithNames(value), spec);
  if (value === null || value === NO_VALUE) return verb === 'v' ? pad('<nil>', spec) : `%!${verb}(<nil>)`;
  if (typeof value === 'boolean') return verb === 'v' || verb === 't' ? pad(String(value), spec) : bad(verb, value);
  if (typeof value === 'number') return Number.isInteger(value) ? formatInteger(value, verb, spec) : formatFloatVerb(value, verb, spec);
  if (typeof value === 'string') return formatString(value, verb, spec);
  if (value instanceof GoStruct && value.options.text && (verb === 'v' || verb === 's' || verb === 'q')) return formatString(value.options.text(), verb === 'v' ? 's' : verb, spec);
  // Composites: the verb applied to each element, as fmt does.
  if (isSlice(value)) return pad(`[${value.map((element) => formatArg(element, verb, { ...spec, width: undefined } as Spec)).join(' ')}]`, spec);
  if (value instanceof GoMap) return pad(`map[${sortedEntries(value).map(([key, entry]) => `${formatArg(key, verb, bare())}:${formatArg(entry, verb, bare())}`).join(' ')}]`, spec);
  return pad(`{${fieldsOf(value).map(([, field]) => formatArg(field, verb, bare())).join(' ')}}`, spec);
}

const bare = (): Spec => ({ minus: false, plus: false, sharp: false, space: false, zero: false });

function bad(verb: string, value: GoValue): string {
  return `%!${verb}(${goTypeName(value)}=${formatValue(value)})`;
}

function pad(text: string, spec: Spec, zeroAllowed = false): string {
  const length = [...text].length;
  if (spec.width === undefined || length >= spec.width) return text;
  const fill = spec.width - length;
  if (spec.minus) return text + ' '.repeat(fill);
  if (spec.zero && zeroAllowed) {
    const sign = /^[+\- ]/.test(text) ? text[0]! : '';
    return sign + '0'.repeat(fill) + text.slice(sign.length);
  }
  return ' '.repeat(fill) + text;
}

function sign(negative: boolean, spec: Spec): string {
  if (negative) return '-';
  if (spec.plus) return '+';
  return spec.space ? ' ' : '';
}

function formatInteger(value: number, verb: string, spec: Spec): string {
  const magnitude = BigInt(Math.abs(value));
  const negative = value < 0;
  let digits: string;
  switch (verb) {
    case 'v':
    case 'd':
      digits = magnitude.toString(10);
      break;
    case 'b':
      digits = magnitude.toString(2);
      break;
    case 'o':
    case 'O':
      digits = (verb === 'O' ? '0o' : spec.sharp ? '0' : '') + magnitude.toString(8);
      break;
    case 'x':
      digits = (spec.sharp ? '0x' : '') + magnitude.toString(16);
      break;
    case 'X':
      digits = (spec.sharp ? '0X' : '') + magnitude.toString(16).toUpperCase();
      break;
    case 'c':
      return pad(String.fromCodePoint(Math.min(Math.max(value, 0), 0x10ffff)), spec);
    case 'q':
      return pad(`'${goQuote(String.fromCodePoint(Math.min(Math.max(value, 0), 0x10ffff))).slice(1, -1).replace(/'/g, "\\'").replace(/\\"/g, '"')}'`, spec);
    case 'U':
      return pad(`U+${magnitude.toString(16).toUpperCase().padStart(4, '0')}`, spec);
    case 'e':
    case 'E':
    case 'f':
    case 'F':
    case 'g':
    case 'G':
      return bad(verb, value);
    default:
      return bad(verb, value);
  }
  if (spec.precision !== undefined) digits = digits.padStart(spec.precision, '0');
  return pad(sign(negative, spec) + digits, spec, spec.precision === undefined);
}

function formatFloatVerb(value: number, verb: string, spec: Spec): string {
  let text: string;
  switch (verb) {
    case 'v':
    case 'g':
    case 'G':
      text = formatG(Math.abs(value), spec.precision);
      if (verb === 'G') text = text.toUpperCase();
      break;
    case 'e':
    case 'E':
      text = goExponent(Math.abs(value).toExponential(spec.precision ?? 6));
      if (verb === 'E') text = text.toUpperCase();
      break;
    case 'f':
    case 'F':
      text = Math.abs(value).toFixed(spec.precision ?? 6);
      break;
    default:
      return bad(verb, value);
  }
  return pad(sign(value < 0 || Object.is(value, -0), spec) + text, spec, true);
}

function formatString(value: string, verb: string, spec: Spec): string {
  const text = spec.precision !== undefined ? [...value].slice(0, spec.precision).join('') : value;
  switch (verb) {
    case 'v':
    case 's':
      return pad(text, spec);
    case 'q':
      return pad(spec.sharp && !/[`\n\r]/.test(text) ? `\`${text}\`` : goQuote(text), spec);
    case 'x':
    case 'X': {
      const hex = Buffer.from(text, 'utf8').toString('hex');
      return pad(verb === 'X' ? hex.toUpperCase() : hex, spec);
    }
    default:
      return bad(verb, value);
  }
}
