// Variable interpolation in compose values: `${V}`, `$V`, defaults, required values, alternates, `$$` escapes.
import { BerthError } from './errors.js';
import type { SourcePosition } from './errors.js';
import { isDict } from './tree.js';
import type { Dict, TreePath } from './tree.js';

export type LookupEnv = (name: string) => string | undefined;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

/** Substitutes every variable in `template`; throws BerthError for a missing required value or a malformed expression. */
export function substitute(template: string, lookup: LookupEnv): string {
  let out = '';
  let i = 0;
  while (i < template.length) {
    const char = template[i];
    if (char !== '$') {
      out += char;
      i++;
      continue;
    }
    const next = template[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
    } else if (next === '{') {
      const end = closingBrace(template, i + 2);
      if (end < 0) throw invalidFormat(template);
      out += expand(template.slice(i + 2, end), template, lookup);
      i = end + 1;
    } else {
      const name = NAME.exec(template.slice(i + 1))?.[0];
      if (name === undefined) {
        // A lone `$` (e.g. at the end, or before a space) stays as written.
        out += '$';
        i++;
      } else {
        out += lookup(name) ?? '';
        i += 1 + name.length;
      }
    }
  }
  return out;
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
function expand(body: string, template: string, lookup: LookupEnv): string {
  const name = NAME.exec(body)?.[0];
  if (name === undefined) throw invalidFormat(template);
  const rest = body.slice(name.length);
  if (rest === '') return lookup(name) ?? '';
  const operator = /^(:-|-|:\?|\?|:\+|\+)/.exec(rest)?.[0];
  if (operator === undefined) throw invalidFormat(template);
  const word = (): string => substitute(rest.slice(operator.length), lookup);
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
  return new BerthError(`invalid interpolation format for "${template}": you may need to escape any $ with another $`);
}

function missingRequired(name: string, message: string): BerthError {
  return new BerthError(`required variable ${name} is missing a value${message ? `: ${message}` : ''}`);
}

/** Interpolates every string value of a tree (keys stay as written); errors name the path and where it was written. */
export function interpolateTree(tree: Dict, lookup: LookupEnv, locate?: (path: TreePath) => SourcePosition): Dict {
  const walk = (value: unknown, path: TreePath): unknown => {
    if (typeof value === 'string') {
      try {
        return substitute(value, lookup);
      } catch (error) {
        if (error instanceof BerthError) {
          throw new BerthError(error.message, { path, position: locate?.(path), kind: error.kind });
        }
        throw error;
      }
    }
    if (Array.isArray(value)) return value.map((item, index) => walk(item, [...path, index]));
    if (isDict(value)) {
      const out: Dict = {};
      for (const [key, item] of Object.entries(value)) out[key] = walk(item, [...path, key]);
      return out;
    }
    return value;
  };
  return walk(tree, []) as Dict;
}
