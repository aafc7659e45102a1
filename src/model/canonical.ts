// Canonical form: every short syntax in the tree rewritten into its long form (compose's transform package), so
// that merging, the passes after it and the rest of berth see one shape per key. Runs on the merged tree after each
// file, as compose does, so it must leave long forms as they are.
import { BerthError } from './errors.js';
import { userKey } from './keys.js';
import { parsePortSpec } from './syntax/port-spec.js';
import { parseVolumeSpec } from './syntax/volume-spec.js';
import { formatPath, isDict, patternTrie, rewriteAt } from './tree.js';
import type { Dict, TreePath } from './tree.js';

/** `descend` continues below the value (for transformers of maps whose entries have transformers too). */
type Transformer = (value: unknown, path: TreePath, descend: (value: unknown) => unknown, warn: (message: string) => void) => unknown;

/** `ignoreParseErrors`: without interpolation a value may still be `${PORT}:80`; it is then left as written. */
export function toCanonical(tree: Dict, warn: (message: string) => void, ignoreParseErrors = false): Dict {
  return rewriteAt(tree, TRANSFORMERS, (transformer, value, path, descend) => {
    if (!ignoreParseErrors) return transformer(value, path, descend, warn);
    try {
      return transformer(value, path, descend, warn);
    } catch (error) {
      if (error instanceof BerthError) return value;
      throw error;
    }
  }) as Dict;
}

const fail = (path: TreePath, message: string): never => {
  throw new BerthError(`${formatPath(path)}: ${message}`, { path });
};

const stringToList: Transformer = (value) => (typeof value === 'string' ? [value] : value);

const listToNullMap: Transformer = (value, path) => {
  if (!Array.isArray(value)) return value;
  const out: Dict = {};
  value.forEach((name, index) => (out[userKey(String(name), [...path, index])] = null));
  return out;
};

/** An empty dns entry means "none": compose drops it. */
const dnsList: Transformer = (value) => {
  const list = typeof value === 'string' ? [value] : value;
  return Array.isArray(list) ? list.filter((entry) => entry !== null && entry !== '') : list;
};

const fileMount: Transformer = (value, path) => {
  if (typeof value === 'string') return { source: value };
  if (isDict(value)) return value;
  return fail(path, `unsupported type ${typeof value}`);
};

const keyValueList: Transformer = (value, path) => {
  if (!Array.isArray(value)) return value;
  const out: Dict = {};
  value.forEach((entry, index) => {
    const text = String(entry);
    const equals = text.indexOf('=');
    if (equals < 0) fail(path, `invalid value ${text}, expected key=value`);
    out[userKey(text.slice(0, equals), [...path, index])] = text.slice(equals + 1);
  });
  return out;
};

const STARTED = (): Dict => ({ condition: 'service_started', required: true });

const dependsOn: Transformer = (value, path) => {
  if (Array.isArray(value)) {
    const out: Dict = {};
    value.forEach((name, index) => (out[userKey(String(name), [...path, index])] = STARTED()));
    return out;
  }
  if (!isDict(value)) return fail(path, 'invalid type for depends_on');
  const out: Dict = {};
  for (const [name, entry] of Object.entries(value)) {
    if (!isDict(entry)) fail([...path, name], 'expected a mapping');
    out[name] = { condition: 'service_started', required: true, ...(entry as Dict) };
  }
  return out;
};

const envFile: Transformer = (value, path) => {
  const entry = (item: unknown): unknown => (typeof item === 'string' ? { path: item, required: true } : isDict(item) ? { required: true, ...item } : item);
  if (typeof value === 'string') return [entry(value)];
  if (Array.isArray(value)) return value.map(entry);
  return fail(path, 'invalid type for env_file');
};

const asMapping =
  (key: string, name: string): Transformer =>
  (value, path, descend) => {
    if (typeof value === 'string') return { [key]: value };
    if (isDict(value)) return descend(value);
    return fail(path, `invalid type for ${name}`);
  };

const gpus: Transformer = (value, path, descend) => {
  if (typeof value === 'string') return [{ count: 'all' }];
  if (Array.isArray(value)) return descend(value);
  return fail(path, 'invalid type for gpus');
};

const volumeMount: Transformer = (value, path) => (typeof value === 'string' ? parseVolumeSpec(value, path) : value);

const deviceMapping: Transformer = (value, path) => {
  if (typeof value !== 'string') return value;
  const parts = value.split(':');
  if (parts.length > 3) fail(path, `confusing device mapping, please use long syntax: ${value}`);
  const [source = '', target, permissions = 'rwm'] = parts;
  return { source, target: target || source, permissions };
};

const ports: Transformer = (value, path) => {
  if (!Array.isArray(value)) return fail(path, 'invalid type for ports');
  return value.flatMap((entry, index): unknown[] => {
    if (typeof entry === 'number' || typeof entry === 'string') return parsePortSpec(String(entry), [...path, index]);
    if (isDict(entry)) return [entry];
    return fail([...path, index], 'invalid type for port');
  });
};

const ssh: Transformer = (value, path) => {
  if (!Array.isArray(value)) return value;
  const out: Dict = {};
  for (const entry of value) {
    if (typeof entry !== 'string') fail(path, `invalid ssh key type ${typeof entry}`);
    const text = entry as string;
    const equals = text.indexOf('=');
    if (equals < 0) {
      if (text !== 'default') fail(path, `invalid ssh key ${JSON.stringify(text)}`);
      out[text] = null;
    } else {
      out[userKey(text.slice(0, equals), path)] = text.slice(equals + 1);
    }
  }
  return out;
};

const stringOrText: Transformer = (value) => (typeof value === 'string' ? value : String(value));

/** `external: {name: x}` (deprecated) becomes `name: x` + `external: true`. */
const maybeExternal: Transformer = (value, path, descend, warn) => {
  if (value === null || value === undefined || !isDict(value)) return value;
  const resource = descend(value) as Dict;
  const external = resource.external;
  if (!isDict(external)) return resource;
  resource.external = true;
  if ('name' in external) {
    warn(`${formatPath(path)}: external.name is deprecated. Please set name and external: true`);
    if ('name' in resource && resource.name !== external.name) fail(path, 'name and external.name conflict; only use name');
    resource.name = external.name;
  }
  return resource;
};

const TRANSFORMERS = patternTrie<Transformer>([
  ['services.*.build.secrets.*', fileMount],
  ['services.*.build.provenance', stringOrText],
  ['services.*.build.sbom', stringOrText],
  ['services.*.build.additional_contexts', keyValueList],
  ['services.*.build.ssh', ssh],
  ['services.*.build', asMapping('context', 'build')],
  ['services.*.depends_on', dependsOn],
  ['services.*.env_file', envFile],
  ['services.*.label_file', stringToList],
  ['services.*.extends', asMapping('service', 'extends')],
  ['services.*.gpus', gpus],
  ['services.*.networks', listToNullMap],
  ['services.*.models', listToNullMap],
  ['services.*.volumes.*', volumeMount],
  ['services.*.dns', dnsList],
  ['services.*.devices.*', deviceMapping],
  ['services.*.secrets.*', fileMount],
  ['services.*.configs.*', fileMount],
  ['services.*.ports', ports],
  ['services.*.develop.watch.*.ignore', stringToList],
  ['services.*.develop.watch.*.include', stringToList],
  ['volumes.*', maybeExternal],
  ['networks.*', maybeExternal],
  ['secrets.*', maybeExternal],
  ['configs.*', maybeExternal],
  ['include.*', asMapping('path', 'include')],
]);
