// Decoding: the canonical tree's values read into the one form each key has in compose's types. Lists of
// `KEY=value` become maps, commands are split, durations and sizes are parsed (and written back the way compose
// writes them). What cannot be read is an error at its path.
import { parseBytes } from './bytes.js';
import { formatGoDuration, parseDuration } from './duration.js';
import { BerthError, quote } from './errors.js';
import { userKey } from './keys.js';
import { MAX_REPLICAS } from './limits.js';
import { resolveShape, structShape } from './output/shapes.js';
import type { Leaf, Shape } from './output/shapes.js';
import { splitShellWords } from './syntax/shell-words.js';
import { formatPath, isDict, matchesPattern } from './tree.js';
import type { Dict, TreePath } from './tree.js';

export function decodeModel(tree: Dict): Dict {
  return decodeStruct(tree, structShape('Project').name, []) as Dict;
}

function decodeStruct(value: unknown, name: string, path: TreePath): unknown {
  if (value === null || value === undefined) return value;
  if (!isDict(value)) throw new BerthError(`${formatPath(path)} must be a mapping`, { path });
  const shape = structShape(name);
  const out: Dict = {};
  for (const [key, item] of Object.entries(value)) {
    const field = shape.fields.find((candidate) => candidate.name === key);
    if (field) {
      const decoded = decode(item, field.shape, [...path, key]);
      if (decoded !== undefined) out[key] = decoded;
    } else if (key.startsWith('x-')) {
      out[key] = item;
    }
    // Other keys are ones the schema allows and compose's model does not keep (such as `version`): dropped as
    // compose drops them.
  }
  return out;
}

function decode(value: unknown, shape: Shape, path: TreePath): unknown {
  const resolved = resolveShape(shape);
  switch (resolved.kind) {
    case 'struct':
      return decodeStruct(value, resolved.name, path);
    case 'list':
      if (value === null || value === undefined) return value;
      if (!Array.isArray(value)) throw new BerthError(`${formatPath(path)} must be a list`, { path });
      return value.map((item, index) => decode(item, resolved.item, [...path, index]));
    case 'map': {
      if (value === null || value === undefined) return value;
      if (!isDict(value)) throw new BerthError(`${formatPath(path)} must be a mapping`, { path });
      const out: Dict = {};
      for (const [key, item] of Object.entries(value)) {
        // A null entry in a map of structures is an empty one, unless the map says entries may be null.
        if (item === null && resolved.value.kind !== 'leaf') out[key] = resolved.nullable ? null : {};
        else out[key] = decode(item, resolved.value, [...path, key]);
      }
      return out;
    }
    case 'leaf':
      return decodeLeaf(value, resolved.leaf, path);
  }
}

function text(value: unknown): string {
  return value === null || value === undefined ? '' : String(value);
}

function decodeLeaf(value: unknown, leaf: Leaf, path: TreePath): unknown {
  if (value === undefined) return undefined;
  const fail = (what: string): never => {
    throw new BerthError(`${formatPath(path)}: ${what}`, { path });
  };
  switch (leaf) {
    case 'str':
      if (value === null) return undefined;
      if (matchesPattern(path, PUBLISHED_PORT)) return publishedPort(text(value), path);
      return text(value);
    case 'bool':
    case 'optout':
    case 'pbool':
      return value === null ? undefined : typeof value === 'boolean' ? value : /^(1|t|true)$/i.test(String(value));
    case 'int':
    case 'pint':
    case 'float':
    case 'cpus': {
      if (value === null) return undefined;
      const number = Number(value);
      if (String(value).trim() === '' || !Number.isFinite(number)) fail(`invalid number ${quote(value)}`);
      return leaf === 'int' || leaf === 'pint' ? checkedInteger(Math.trunc(number), path) : checkedNumber(number, path);
    }
    case 'dur':
    case 'pdur':
      return value === null ? undefined : formatGoDuration(parseDuration(value, path));
    case 'bytes':
      return value === null ? undefined : parseBytes(value, path);
    case 'mode': {
      if (value === null) return undefined;
      if (typeof value !== 'number' && !/^[0-7]+$/.test(String(value))) fail(`invalid file mode ${quote(value)}`);
      const mode = typeof value === 'number' ? value : parseInt(String(value), 8);
      if (!Number.isInteger(mode) || mode < 0 || mode > 0o7777) fail(`invalid file mode ${quote(value)}: not between 0 and 07777`);
      return mode;
    }
    case 'cmd':
      if (value === null) return null;
      if (typeof value === 'string') return splitShellWords(value, path);
      if (Array.isArray(value)) return value.map(text);
      return fail('must be a string or a list');
    case 'strs':
      return Array.isArray(value) ? value.map(text) : value === null ? undefined : fail('must be a list');
    case 'slist':
    case 'snlist':
      return Array.isArray(value) ? value.map(text) : value === null ? undefined : [text(value)];
    case 'labels':
    case 'mapping':
      return decodeStringMap(value, path, '');
    case 'env':
      return decodeEnvironment(value, path);
    case 'options':
      return isDict(value) ? mapValues(value, text) : value === null ? undefined : fail('must be a mapping');
    case 'multi':
      return isDict(value) ? mapValues(value, (item) => (Array.isArray(item) ? item.map(text) : [text(item)])) : undefined;
    case 'hosts':
      return decodeHosts(value, path);
    case 'htest':
      if (typeof value === 'string') return ['CMD-SHELL', value];
      return Array.isArray(value) ? value.map(text) : fail('must be a string or a list');
    case 'ulimit':
      if (typeof value === 'number' || typeof value === 'string') return ulimitValue(value, path);
      if (isDict(value)) return { soft: ulimitValue(value.soft ?? 0, [...path, 'soft']), hard: ulimitValue(value.hard ?? 0, [...path, 'hard']) };
      return fail('must be a number or soft and hard');
    case 'ssh':
      return isDict(value) ? value : undefined;
    case 'count':
      if (String(value).toLowerCase() === 'all') return -1;
      if (typeof value !== 'number' && !/^-?\d+$/.test(String(value))) {
        fail(`invalid value ${quote(value)}, the only value allowed is 'all' or a number`);
      }
      return checkedInteger(Number(value), path);
    case 'any':
      return value;
  }
}

/**
 * Integers with a range of their own, by path; every other integer must be a safe integer (one a double holds
 * exactly), so that `1e+308` is refused instead of asking for that many containers.
 */
const INTEGER_RANGES: ReadonlyArray<readonly [pattern: readonly string[], min: number, max: number]> = [
  [['services', '*', 'scale'], 0, MAX_REPLICAS],
  [['services', '*', 'deploy', 'replicas'], 0, MAX_REPLICAS],
  [['services', '*', 'ports', '*', 'target'], 0, 65535],
  [['services', '*', 'oom_score_adj'], -1000, 1000],
  [['services', '*', 'volumes', '*', 'tmpfs', 'mode'], 0, 0xffffffff],
  [['services', '*', 'gpus', '*', 'count'], -1, MAX_REPLICAS],
  [['services', '*', 'deploy', 'resources', 'reservations', 'devices', '*', 'count'], -1, MAX_REPLICAS],
];

function checkedInteger(value: number, path: TreePath): number {
  if (!Number.isSafeInteger(value)) {
    throw new BerthError(`${formatPath(path)}: ${quote(value)} is out of range (integers are limited to ${Number.MAX_SAFE_INTEGER} in magnitude)`, { path });
  }
  const range = INTEGER_RANGES.find(([pattern]) => matchesPattern(path, pattern));
  if (range && (value < range[1] || value > range[2])) {
    throw new BerthError(`${formatPath(path)}: ${value} is out of range (from ${range[1]} to ${range[2]})`, { path });
  }
  return value;
}

/** A decimal (cpus, ratios): finite, and small enough that nanoseconds or billionths of it are still exact. */
function checkedNumber(value: number, path: TreePath): number {
  if (Math.abs(value) * 1e9 > Number.MAX_SAFE_INTEGER) throw new BerthError(`${formatPath(path)}: ${quote(value)} is out of range`, { path });
  return value;
}

const PUBLISHED_PORT = ['services', '*', 'ports', '*', 'published'];

/** A host port or range of them (`8080`, `8000-8010`), each at most 65535. */
function publishedPort(value: string, path: TreePath): string {
  const match = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(value);
  const start = Number(match?.[1]);
  const end = match?.[2] === undefined ? start : Number(match[2]);
  if (value !== '' && (match === null || end > 65535 || start > end)) {
    throw new BerthError(`${formatPath(path)}: invalid published port ${quote(value)}`, { path });
  }
  return value;
}

/** A ulimit: an integer, -1 for unlimited. */
function ulimitValue(value: unknown, path: TreePath): number {
  const number = typeof value === 'number' || typeof value === 'string' ? Number(value) : Number.NaN;
  if (String(value).trim() === '' || !Number.isInteger(number)) throw new BerthError(`${formatPath(path)}: invalid ulimit ${quote(value)}`, { path });
  return checkedInteger(number, path);
}

function mapValues(value: Dict, convert: (item: unknown) => unknown): Dict {
  const out: Dict = {};
  for (const [key, item] of Object.entries(value)) out[key] = convert(item);
  return out;
}

/** A map, or a list of `KEY=value` (a missing value is ""). */
function decodeStringMap(value: unknown, path: TreePath, missing: string): Dict | undefined {
  if (value === null) return undefined;
  if (isDict(value)) return mapValues(value, (item) => (item === null ? missing : text(item)));
  if (!Array.isArray(value)) throw new BerthError(`${formatPath(path)} must be a mapping or a list`, { path });
  const out: Dict = {};
  value.forEach((entry, index) => {
    const [key, rest] = cut(text(entry), '=');
    out[userKey(key, [...path, index])] = rest ?? missing;
  });
  return out;
}

/** Like a string map, but `KEY` alone (no `=`) stays null: "take the value from the caller's environment". */
function decodeEnvironment(value: unknown, path: TreePath): Dict | undefined {
  if (value === null) return undefined;
  if (isDict(value)) return mapValues(value, (item) => (item === null ? null : text(item)));
  if (!Array.isArray(value)) throw new BerthError(`${formatPath(path)} must be a mapping or a list`, { path });
  const out: Dict = {};
  value.forEach((entry, index) => {
    const [key, rest] = cut(text(entry), '=');
    if (/\s$/.test(key)) {
      throw new BerthError(`environment variable ${key} is declared with a trailing space`, { path: [...path, index] });
    }
    out[userKey(key, [...path, index])] = rest ?? null;
  });
  return out;
}

/** `host=ip`, `host:ip` (older) or a map; IPv6 brackets dropped; kept as a sorted `host=ip` list. */
function decodeHosts(value: unknown, path: TreePath): string[] | undefined {
  if (value === null) return undefined;
  const pairs: Array<[string, string]> = [];
  if (isDict(value)) {
    for (const [host, ips] of Object.entries(value)) {
      for (const ip of Array.isArray(ips) ? ips : [ips]) pairs.push([host, text(ip)]);
    }
  } else if (Array.isArray(value)) {
    for (const entry of value) {
      const line = text(entry);
      const separator = line.includes('=') ? '=' : line.includes(':') ? ':' : undefined;
      if (separator === undefined) throw new BerthError(`invalid additional host, missing IP: ${line}`, { path });
      const [host, ips] = cut(line, separator) as [string, string];
      for (const ip of ips.split(',')) pairs.push([host, ip]);
    }
  } else {
    throw new BerthError(`${formatPath(path)} must be a mapping or a list`, { path });
  }
  return pairs
    .map(([host, ip]) => {
      if (host === '' || /[:=]/.test(host)) throw new BerthError(`bad host name '${host}'`, { path });
      const bare = ip.length > 2 && ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip;
      return `${host}=${bare}`;
    })
    .sort();
}

function cut(line: string, separator: string): [string, string | undefined] {
  const at = line.indexOf(separator);
  return at < 0 ? [line, undefined] : [line.slice(0, at), line.slice(at + separator.length)];
}
