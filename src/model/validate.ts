// Validation against the official Compose schema, compiled at build time; one clear error naming file, line and path.
import { createRequire } from 'node:module';
import { BerthError } from './errors.js';
import type { SourcePosition } from './errors.js';
import { formatPath } from './tree.js';
import type { Dict, TreePath } from './tree.js';

export interface ValidatedDocument {
  readonly file: string;
  readonly tree: Dict;
  locate(path: TreePath): SourcePosition;
}

interface SchemaError {
  readonly instancePath: string;
  readonly schemaPath: string;
  readonly keyword: string;
  readonly params: Record<string, unknown>;
  readonly message?: string;
}

interface Validate {
  (data: unknown): boolean;
  errors?: SchemaError[] | null;
}

// The compiled schema (scripts/compile-schema.mjs) is 640 KiB of code: loaded on the first validation, which a
// project already found valid (load-cache.ts) never asks for.
let compiled: Validate | undefined;
function validateCompose(): Validate {
  compiled ??= createRequire(import.meta.url)('../generated/compose-schema.cjs') as Validate;
  return compiled;
}

/** Throws the most telling schema violation of `doc`, if it has any. */
export function validateSchema(doc: ValidatedDocument): void {
  const [first] = validateSchemaAll(doc);
  if (first) throw first;
}

/** Every violation, the most telling first. */
export function validateSchemaAll(doc: ValidatedDocument): BerthError[] {
  const validate = validateCompose();
  let valid: boolean;
  try {
    valid = validate(doc.tree);
  } catch (cause) {
    // ajv's uniqueItems compares mappings with a deep-equal that calls their own `valueOf`/`toString` keys.
    throw new BerthError(`cannot check the file against the Compose schema: ${(cause as Error).message} (a key named like a JavaScript object method in a list item?)`, {
      position: doc.locate([]),
    });
  }
  if (valid) return [];
  const errors = mergeTypeErrors(validate.errors ?? []).sort(byRelevance);
  const seen = new Set<string>();
  const out: BerthError[] = [];
  for (const error of errors) {
    const { path, message } = describe(error, doc.tree);
    if (seen.has(message)) continue;
    seen.add(message);
    out.push(new BerthError(message, { path, position: doc.locate(path) }));
  }
  return out;
}

// oneOf/anyOf errors only say that none of the branches matched: the branch errors beneath them say why.
const KEYWORD_RANK: Record<string, number> = { additionalProperties: 0, type: 1, required: 2, enum: 3, const: 3 };

function byRelevance(a: SchemaError, b: SchemaError): number {
  const depth = pathOf(b.instancePath).length - pathOf(a.instancePath).length;
  if (depth !== 0) return depth;
  return (KEYWORD_RANK[a.keyword] ?? 5) - (KEYWORD_RANK[b.keyword] ?? 5);
}

function describe(error: SchemaError, tree: Dict): { path: TreePath; message: string } {
  const path = pathOf(error.instancePath);
  const where = path.length === 0 ? '(root)' : formatPath(path);
  const params = error.params;
  switch (error.keyword) {
    case 'additionalProperties': {
      const property = String(params.additionalProperty);
      return { path: [...path, property], message: `${where} additional property ${property} is not allowed` };
    }
    case 'type':
      return { path, message: `${where} must be ${listWithOr(String(params.type).split(',').map(withArticle))}` };
    case 'required':
      return { path, message: `${where} ${String(params.missingProperty)} is required` };
    case 'enum':
      return { path, message: `${where} must be one of: ${(params.allowedValues as unknown[]).map(String).join(', ')}` };
    case 'oneOf':
    case 'anyOf':
      return { path, message: `${where} does not match any of the allowed forms (value: ${preview(valueAt(tree, path))})` };
    default:
      return { path, message: `${where} ${error.message ?? 'is invalid'}` };
  }
}

/** The branches of a oneOf each say "must be a <type>": one message lists them all. */
function mergeTypeErrors(errors: readonly SchemaError[]): SchemaError[] {
  const out: SchemaError[] = [];
  const typeErrors = new Map<string, SchemaError>();
  for (const error of errors) {
    if (error.keyword !== 'type') {
      out.push(error);
      continue;
    }
    const earlier = typeErrors.get(error.instancePath);
    const types = [...String(earlier?.params.type ?? '').split(','), ...String(error.params.type).split(',')].filter(Boolean);
    const merged = { ...error, params: { ...error.params, type: [...new Set(types)].join(',') } };
    if (earlier) out[out.indexOf(earlier)] = merged;
    else out.push(merged);
    typeErrors.set(error.instancePath, merged);
  }
  return out;
}

function withArticle(type: string): string {
  return `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

function listWithOr(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/** `/services/web/ports/0` -> `['services', 'web', 'ports', 0]`, unescaping `~1` and `~0`. */
function pathOf(instancePath: string): TreePath {
  if (instancePath === '') return [];
  return instancePath
    .slice(1)
    .split('/')
    .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
    .map((segment) => (/^\d+$/.test(segment) ? Number(segment) : segment));
}

function valueAt(tree: Dict, path: TreePath): unknown {
  let node: unknown = tree;
  for (const segment of path) node = (node as Record<string | number, unknown> | undefined)?.[segment];
  return node;
}

function preview(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
