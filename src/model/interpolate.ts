// Variable interpolation in compose values: `${V}`, `$V`, defaults, required values, alternates, `$$` escapes.
import { BerthError, quote } from './errors.js';
import type { SourcePosition } from './errors.js';
import { MAX_INTERPOLATED_TOTAL, MAX_INTERPOLATED_VALUE, MAX_INTERPOLATION_NESTING } from './limits.js';
import { isDict } from './tree.js';
import type { Dict, TreePath } from './tree.js';

export type LookupEnv = (name: string) => string | undefined;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;
const NAME_AT = /[A-Za-z_][A-Za-z0-9_]*/y;

/**
 * What interpolation may still produce, in characters, shared by every value of one file: a few variables holding
 * large values, repeated, must not grow a document without end.
 */
export interface InterpolationBudget {
  remaining: number;
}

export function interpolationBudget(): InterpolationBudget {
  return { remaining: MAX_INTERPOLATED_TOTAL };
}

/** Substitutes every variable in `template`; throws BerthError for a missing required value or a malformed expression. */
export function substitute(template: string, lookup: LookupEnv, budget: InterpolationBudget = interpolationBudget()): string {
  if (!template.includes('$')) return template;
  const out = substituteNested(template, lookup, 0);
  budget.remaining -= out.length;
  if (budget.remaining < 0) {
    throw new BerthError(`interpolated values add up to more than ${mebibytes(MAX_INTERPOLATED_TOTAL)}: refusing to grow the file further`);
  }
  return out;
}

function substituteNested(template: string, lookup: LookupEnv, nesting: number): string {
  if (nesting > MAX_INTERPOLATION_NESTING) {
    throw new BerthError(`invalid interpolation format for ${quote(template)}: expressions nested more than ${MAX_INTERPOLATION_NESTING} deep`);
  }
  let out = '';
  const append = (piece: string): void => {
    if (out.length + piece.length > MAX_INTERPOLATED_VALUE) {
      throw new BerthError(`interpolating ${quote(template)} gives a value longer than ${mebibytes(MAX_INTERPOLATED_VALUE)}`);
    }
    out += piece;
  };
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf('$', i);
    if (dollar < 0) {
      append(template.slice(i));
      break;
    }
    append(template.slice(i, dollar));
    i = dollar;
    const next = template[i + 1];
    if (next === '$') {
      append('$');
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(template, i + 2);
      if (end < 0) throw invalidFormat(template);
      append(expand(template.slice(i + 2, end), template, lookup, nesting));
      i = end + 1;
    } else {
      NAME_AT.lastIndex = i + 1;
      const name = NAME_AT.exec(template)?.[0];
      if (name === undefined) {
        // A lone `$` (e.g. at the end, or before a space) stays as written.
        append('$');
        i++;
      } else {
        append(lookup(name) ?? '');
        i += 1 + name.length;
      }
    }
  }
  return out;
}

function mebibytes(characters: number): string {
  return `${characters / 1024 / 1024} MiB`;
}

/** The index of the `}` closing a `${` whose body starts at `start`, counting nested `${...}`. */
function closingBrace(template: string, start: number): number {
  let depth = 1;
  for (let i = start; i < template.length; i++) {
    if (template[i] === '$' && template[i + 1] === '$') i++;
    else if (template[i] === '$' && template[i + 1] === '{') {
      depth++;
      i++;
    } else if (template[i] === '}' && --depth === 0) return i;
  }
  return -1;
}

/** One `${...}` body: a name, optionally followed by an operator and a (nested) word. */
function expand(body: string, template: string, lookup: LookupEnv, nesting: number): string {
  const name = NAME.exec(body)?.[0];
  if (name === undefined) throw invalidFormat(template);
  const rest = body.slice(name.length);
  if (rest === '') return lookup(name) ?? '';
  const operator = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (operator === undefined) throw invalidFormat(template);
  const word = (): string => substituteNested(rest.slice(operator.length), lookup, nesting + 1);
  const value = lookup(name);
  const setAndNonEmpty = value !== undefined && value !== '';
  switch (operator) {
    case ':-':
      return setAndNonEmpty ? value : word();
    case '-':
      return value !== undefined ? value : word();
    case ':?':
      if (!setAndNonEmpty) throw missingRequired(name, word());
      return value;
    case '?':
      if (value === undefined) throw missingRequired(name, word());
      return value;
    case ':+':
      return setAndNonEmpty ? word() : '';
    default: // '+'
      return value !== undefined ? word() : '';
  }
}

function invalidFormat(template: string): BerthError {
  return new BerthError(`invalid interpolation format for ${quote(template)}: you may need to escape any $ with another $`);
}

function missingRequired(name: string, message: string): BerthError {
  return new BerthError(`required variable ${name} is missing a value${message ? `: ${message}` : ''}`);
}

/** Interpolates every string value of a tree (keys stay as written); errors name the path and where it was written. */
export function interpolateTree(tree: Dict, lookup: LookupEnv, locate?: (path: TreePath) => SourcePosition): Dict {
  const budget = interpolationBudget();
  // Where the walk is; copied only for an error.
  const path: Array<string | number> = [];
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') {
      try {
        return substitute(value, lookup, budget);
      } catch (error) {
        if (error instanceof BerthError) {
          throw new BerthError(error.message, { path: [...path], position: locate?.(path), kind: error.kind });
        }
        throw error;
      }
    }
    if (Array.isArray(value)) {
      return value.map((item, index) => {
        path.push(index);
        const out = walk(item);
        path.pop();
        return out;
      });
    }
    if (isDict(value)) {
      const out: Dict = {};
      for (const [key, item] of Object.entries(value)) {
        path.push(key);
        out[key] = walk(item);
        path.pop();
      }
      return out;
    }
    return value;
  };
  return walk(tree) as Dict;
}
