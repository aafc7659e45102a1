// The variables a model refers to, with what each expression says about them (`config --variables`): required
// (`:?`, `?`), a default (`:-`, `-`) or an alternate value (`:+`, `+`). Nested expressions count too.
import { BerthError, quote } from './errors.js';
import { MAX_INTERPOLATION_NESTING } from './limits.js';
import { isDict } from './tree.js';
import type { TreePath } from './tree.js';

export interface ModelVariable {
  readonly name: string;
  readonly required: boolean;
  readonly defaultValue: string;
  readonly alternateValue: string;
}

const NAME_CHAR = /[A-Za-z0-9_]/;

export function extractVariables(tree: unknown): Map<string, ModelVariable> {
  const found = new Map<string, ModelVariable>();
  const walk = (value: unknown, path: TreePath): void => {
    if (typeof value === 'string') {
      for (const variable of fromText(value, 0, path)) found.set(variable.name, variable);
    } else if (Array.isArray(value)) value.forEach((item, index) => walk(item, [...path, index]));
    else if (isDict(value)) for (const [key, item] of Object.entries(value)) walk(item, [...path, key]);
  };
  walk(tree, []);
  return found;
}

function fromText(text: string, nesting: number, path: TreePath): ModelVariable[] {
  if (nesting > MAX_INTERPOLATION_NESTING) {
    throw new BerthError(`invalid interpolation format for ${quote(text)}: expressions nested more than ${MAX_INTERPOLATION_NESTING} deep`, { path });
  }
  const out: ModelVariable[] = [];
  for (let i = 0; i < text.length; i++) {
    if (text[i] !== '$') continue;
    const next = text[i + 1];
    if (next === '$') {
      i++;
    } else if (next === '{') {
      const end = closingBrace(text, i + 2);
      if (end < 0) continue;
      out.push(...fromExpression(text.slice(i + 2, end), nesting, path));
      i = end;
    } else {
      let end = i + 1;
      while (end < text.length && NAME_CHAR.test(text[end]!)) end++;
      if (end > i + 1 && !/[0-9]/.test(text[i + 1]!)) out.push(variable(text.slice(i + 1, end)));
      i = end - 1;
    }
  }
  return out;
}

function fromExpression(expression: string, nesting: number, path: TreePath): ModelVariable[] {
  let split = 0;
  while (split < expression.length && NAME_CHAR.test(expression[split]!)) split++;
  const name = expression.slice(0, split);
  const rest = expression.slice(split);
  let found: ModelVariable;
  if (rest.startsWith(':?') || rest.startsWith('?')) found = variable(name, { required: true });
  else if (rest.startsWith(':-')) found = variable(name, { defaultValue: rest.slice(2) });
  else if (rest.startsWith('-')) found = variable(name, { defaultValue: rest.slice(1) });
  else if (rest.startsWith(':+')) found = variable(name, { alternateValue: rest.slice(2) });
  else if (rest.startsWith('+')) found = variable(name, { alternateValue: rest.slice(1) });
  else found = variable(name);
  return [found, ...fromText(found.defaultValue, nesting + 1, path), ...fromText(found.alternateValue, nesting + 1, path)];
}

function variable(name: string, details: Partial<Omit<ModelVariable, 'name'>> = {}): ModelVariable {
  return { name, required: false, defaultValue: '', alternateValue: '', ...details };
}

function closingBrace(text: string, from: number): number {
  let depth = 1;
  for (let i = from; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  return -1;
}
