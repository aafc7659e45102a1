// The decoded model written out as compose writes it: fields in the order compose's types declare them, empty
// values left out the way Go's encoders leave them out, maps sorted (go-yaml's order for YAML, byte order for
// JSON), extensions kept in YAML only (and at the top level of JSON).
import { isDict } from '../tree.js';
import type { Dict } from '../tree.js';
import { goYamlKeyCompare, toGoYaml } from './go-yaml.js';
import { resolveShape, structShape } from './shapes.js';
import type { Leaf, Shape, StructShape } from './shapes.js';

export type OutputFormat = 'yaml' | 'json';

type Out = null | boolean | number | string | Out[] | { [key: string]: Out };

/** Absent: the key is left out. */
const ABSENT = undefined;

export function renderModel(model: Dict, format: OutputFormat): string {
  const project = renderStruct(model, structShape('Project'), format, true) as Record<string, Out>;
  if (format === 'yaml') return toGoYaml(project);
  // compose writes the JSON project as a map: sorted keys, with the project's extensions at the top level.
  for (const key of Object.keys(model).filter((key) => key.startsWith('x-'))) project[key] = toOut(model[key]);
  return goJson(sortKeys(project, byteCompare));
}

/** One structure (`Service`, `Network`, `Volume`) as compose's JSON encoder writes it: what config hashes are computed over. */
export function renderCompactJson(shape: 'Service' | 'Network' | 'Volume', value: Dict): string {
  return goEscapes(JSON.stringify(renderStruct(value, structShape(shape), 'json', true)));
}

function renderStruct(value: Dict, shape: StructShape, format: OutputFormat, present: boolean): Out | typeof ABSENT {
  if (!present) return ABSENT;
  const out: Record<string, Out> = {};
  for (const field of shape.fields) {
    const key = format === 'json' && field.jsonName ? field.jsonName : field.name;
    const rendered = renderValue(value[field.name], field.shape, format, field.name in value);
    if (rendered !== ABSENT) out[key] = rendered;
    else if (field.always) out[key] = zeroOf(field.shape);
    else if (format === 'json' && field.shape.kind === 'leaf' && field.shape.leaf === 'cmd') out[key] = null;
  }
  if (format === 'yaml' && shape.extensions) {
    const extensions = Object.keys(value)
      .filter((key) => key.startsWith('x-'))
      .sort(goYamlKeyCompare);
    for (const key of extensions) out[key] = toOut(value[key]);
  }
  return out;
}

function renderValue(value: unknown, shape: Shape, format: OutputFormat, present: boolean): Out | typeof ABSENT {
  const resolved = resolveShape(shape);
  switch (resolved.kind) {
    case 'struct': {
      if (!present || value === undefined) {
        // A structure held by value is there in JSON even when the file does not mention it.
        return format === 'json' && resolved.byValue ? (renderStruct({}, resolved, format, true) as Out) : ABSENT;
      }
      if (value === null) return resolved.byValue ? emptyOrAbsent({}, resolved, format) : null;
      if (!isDict(value)) return toOut(value);
      return resolved.byValue ? emptyOrAbsent(value, resolved, format) : (renderStruct(value, resolved, format, true) as Out);
    }
    case 'list': {
      if (!Array.isArray(value) || value.length === 0) return ABSENT;
      return value.map((item) => renderValue(item, resolved.item, format, true) ?? zeroOf(resolved.item));
    }
    case 'map': {
      if (!isDict(value) || Object.keys(value).length === 0) return ABSENT;
      const out: Record<string, Out> = {};
      for (const [key, item] of Object.entries(value)) {
        if (item === null && resolved.nullable) out[key] = null;
        else out[key] = renderValue(item ?? {}, resolved.value, format, true) ?? zeroOf(resolved.value);
      }
      return sortKeys(out, format === 'yaml' ? goYamlKeyCompare : byteCompare);
    }
    case 'leaf':
      return renderLeaf(value, resolved.leaf, format);
  }
}

/** YAML leaves out a by-value structure whose fields are all empty; JSON writes `{}`. */
function emptyOrAbsent(value: Dict, shape: StructShape, format: OutputFormat): Out | typeof ABSENT {
  const rendered = renderStruct(value, shape, format, true) as Record<string, Out>;
  return format === 'yaml' && Object.keys(rendered).length === 0 && !isTopLevelResource(shape) ? ABSENT : rendered;
}

/** Top-level networks, volumes, secrets and configs are map entries: an empty one is still written as `{}`. */
function isTopLevelResource(shape: StructShape): boolean {
  return ['Network', 'Volume', 'Secret', 'Config', 'Model'].includes(shape.name);
}

function renderLeaf(value: unknown, leaf: Leaf, format: OutputFormat): Out | typeof ABSENT {
  if (value === undefined) return ABSENT;
  switch (leaf) {
    case 'str':
      return value === '' || value === null ? ABSENT : String(value);
    case 'bool':
      return value === true ? true : ABSENT;
    case 'optout':
      return value === false ? false : ABSENT;
    case 'pbool':
      return value === null ? ABSENT : Boolean(value);
    case 'int':
    case 'float':
    case 'cpus':
      return value === 0 || value === null ? ABSENT : Number(value);
    case 'pint':
    case 'count':
      return value === null ? ABSENT : leaf === 'count' && value === 0 ? ABSENT : Number(value);
    case 'dur':
      return value === '0s' || value === null ? ABSENT : String(value);
    case 'pdur':
      return value === null ? ABSENT : String(value);
    case 'bytes':
      return value === 0 || value === null ? ABSENT : String(value);
    case 'mode':
      return value === null ? ABSENT : `0${Number(value).toString(8)}`;
    case 'cmd':
      return value === null ? ABSENT : (value as string[]);
    case 'strs':
    case 'slist':
    case 'snlist':
    case 'hosts':
    case 'htest':
      return Array.isArray(value) && value.length > 0 ? (value as string[]) : ABSENT;
    case 'labels':
    case 'mapping':
    case 'options':
    case 'env':
    case 'multi':
      return isDict(value) && Object.keys(value).length > 0
        ? sortKeys(value as Record<string, Out>, format === 'yaml' ? goYamlKeyCompare : byteCompare)
        : ABSENT;
    case 'ulimit':
      if (typeof value === 'number') return value;
      if (!isDict(value)) return ABSENT;
      if (format === 'yaml') return { soft: Number(value.soft ?? 0), hard: Number(value.hard ?? 0) };
      return {
        ...(value.soft ? { soft: Number(value.soft) } : {}),
        ...(value.hard ? { hard: Number(value.hard) } : {}),
      };
    case 'ssh': {
      if (!isDict(value)) return ABSENT;
      const keys = Object.keys(value).sort();
      if (keys.length === 0) return ABSENT;
      // compose writes a key with a path as `id: path` in YAML; JSON gets `id=path`, the syntax the file accepts.
      const separator = format === 'yaml' ? ': ' : '=';
      return keys.map((id) => (value[id] === null || value[id] === undefined || value[id] === '' ? id : `${id}${separator}${String(value[id])}`));
    }
    case 'any':
      return toOut(value);
  }
}

function zeroOf(shape: Shape): Out {
  const resolved = resolveShape(shape);
  if (resolved.kind !== 'leaf') return resolved.kind === 'list' ? [] : {};
  switch (resolved.leaf) {
    case 'bool':
    case 'pbool':
    case 'optout':
      return false;
    case 'int':
    case 'pint':
    case 'float':
    case 'cpus':
    case 'count':
      return 0;
    default:
      return '';
  }
}

function toOut(value: unknown): Out {
  if (value === undefined) return null;
  if (Array.isArray(value)) return value.map(toOut);
  if (isDict(value)) {
    const out: Record<string, Out> = {};
    for (const key of Object.keys(value).sort(goYamlKeyCompare)) out[key] = toOut(value[key]);
    return out;
  }
  return value as Out;
}

function sortKeys(value: Record<string, Out>, compare: (a: string, b: string) => number): Record<string, Out> {
  const out: Record<string, Out> = {};
  for (const key of Object.keys(value).sort(compare)) out[key] = value[key]!;
  return out;
}

function byteCompare(a: string, b: string): number {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return Buffer.compare(left, right);
}

/** JSON as Go's encoder writes it: two-space indent, and `<`, `>`, `&` escaped for safe embedding in HTML. */
function goJson(value: Out): string {
  return goEscapes(JSON.stringify(value, null, 2));
}

function goEscapes(json: string): string {
  return json
    .replaceAll('<', '\\u003c')
    .replaceAll('>', '\\u003e')
    .replaceAll('&', '\\u0026')
    .replaceAll('\u2028', '\\u2028')
    .replaceAll('\u2029', '\\u2029');
}
