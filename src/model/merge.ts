// Merging compose files: maps merge, lists append, scalars are replaced; special paths follow compose's own rules,
// then `enforceUnicity` keeps one entry per key (the last one written, at the first one's place).
import { BerthError } from './errors.js';
import { userKey } from './keys.js';
import { formatPath, isDict, patternTrie, rewriteAt, trieStep } from './tree.js';
import type { Dict, PatternTrie, TreePath } from './tree.js';

type Merger = (base: unknown, override: unknown, path: TreePath, at: MergeAt) => unknown;

/** Where the merge is: the `!override` paths, and the node of the mergers table for this path. */
interface MergeAt {
  readonly replaced: ReadonlySet<string>;
  readonly node: PatternTrie<Merger> | undefined;
}

export interface OverrideDocument {
  readonly tree: Dict;
  readonly resets: readonly TreePath[];
  readonly overrides: readonly TreePath[];
}

/** Merges `override` onto `base`, returning a new tree; `!reset` paths are removed from base first. */
export function mergeDocuments(base: Dict, override: OverrideDocument): Dict {
  const target = structuredClone(base);
  for (const path of override.resets) removeAt(target, path);
  const replaced = new Set(override.overrides.map((path) => formatPath(path)));
  return mergeValue(target, structuredClone(override.tree), [], { replaced, node: MERGERS }) as Dict;
}

function mergeValue(base: unknown, override: unknown, path: TreePath, at: MergeAt): unknown {
  if (at.replaced.size > 0 && at.replaced.has(formatPath(path))) return override; // `!override`
  const special = at.node?.handler;
  if (special) return special(base, override, path, at);
  if (override === null || override === undefined) return base;
  if (isDict(base)) {
    if (!isDict(override)) throw new BerthError(`cannot override ${formatPath(path)}: a mapping cannot be replaced by a ${typeName(override)}`, { path });
    return mergeMappings(base, override, path, at);
  }
  if (Array.isArray(base)) {
    if (!Array.isArray(override)) throw new BerthError(`cannot override ${formatPath(path)}: a list cannot be replaced by a ${typeName(override)}`, { path });
    return [...base, ...override];
  }
  return override;
}

function mergeMappings(base: Dict, override: Dict, path: TreePath, at: MergeAt): Dict {
  const out: Dict = { ...base };
  for (const [key, value] of Object.entries(override)) {
    if (!Object.hasOwn(base, key)) out[key] = value;
    else out[key] = mergeValue(base[key], value, [...path, key], { replaced: at.replaced, node: at.node && trieStep(at.node, key) });
  }
  return out;
}

function typeName(value: unknown): string {
  return Array.isArray(value) ? 'list' : isDict(value) ? 'mapping' : typeof value;
}

const replace: Merger = (_base, override) => override;

/** Lists and `KEY: value` maps alike become `KEY=value` lists, appended; unicity later keeps the last per key. */
const toSequence: Merger = (base, override) => [...asSequence(base), ...asSequence(override)];

function asSequence(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (typeof value === 'string') return [value];
  if (!isDict(value)) return [];
  const out: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (item === null || item === undefined) out.push(key);
    else if (Array.isArray(item)) for (const one of item) out.push(`${key}=${String(one)}`);
    else out.push(`${key}=${String(item)}`);
  }
  return out.sort();
}

/** `[a, b]` forms become maps (with the given default per entry) before merging as maps. */
function asMapping(value: unknown, path: TreePath, defaults?: Dict): Dict {
  if (isDict(value)) return value;
  const out: Dict = {};
  if (Array.isArray(value)) value.forEach((name, index) => (out[userKey(String(name), [...path, index])] = defaults ? { ...defaults } : null));
  return out;
}

const mergeMappingsOf =
  (defaults?: Dict): Merger =>
  (base, override, path, at) =>
    mergeMappings(asMapping(base, path, defaults), asMapping(override, path, defaults), path, at);

const mergeBuild: Merger = (base, override, path, at) => {
  const asBuild = (value: unknown): Dict => (typeof value === 'string' ? { context: value } : isDict(value) ? value : {});
  return mergeMappings(asBuild(base), asBuild(override), path, at);
};

const mergeExtraHosts: Merger = (base, override) => {
  const left = asSequence(base);
  return [...left, ...asSequence(override).filter((entry) => !left.includes(entry))];
};

/** A logging block for another driver replaces the old one; the same driver merges options. */
const mergeLogging: Merger = (base, override, path, at) => {
  if (!isDict(base) || !isDict(override)) return override ?? base;
  if ('driver' in base && 'driver' in override && base.driver !== override.driver) return override;
  return mergeMappings(base, override, path, at);
};

const STARTED = { condition: 'service_started', required: true };

/** How special paths merge (`*` is any one key). */
const MERGERS = patternTrie<Merger>([
  ['networks.*.labels', toSequence],
  ['volumes.*.labels', toSequence],
  ['services.*.annotations', toSequence],
  ['services.*.build', mergeBuild],
  ['services.*.build.args', toSequence],
  ['services.*.build.additional_contexts', toSequence],
  ['services.*.build.extra_hosts', mergeExtraHosts],
  ['services.*.build.labels', toSequence],
  ['services.*.command', replace],
  ['services.*.depends_on', mergeMappingsOf(STARTED)],
  ['services.*.deploy.labels', toSequence],
  ['services.*.dns', toSequence],
  ['services.*.dns_opt', toSequence],
  ['services.*.dns_search', toSequence],
  ['services.*.entrypoint', replace],
  ['services.*.env_file', toSequence],
  ['services.*.label_file', toSequence],
  ['services.*.environment', toSequence],
  ['services.*.extra_hosts', mergeExtraHosts],
  ['services.*.healthcheck.test', replace],
  ['services.*.labels', toSequence],
  ['services.*.volumes.*.volume.labels', toSequence],
  ['services.*.logging', mergeLogging],
  ['services.*.models', mergeMappingsOf()],
  ['services.*.networks', mergeMappingsOf()],
  ['services.*.sysctls', toSequence],
  ['services.*.tmpfs', toSequence],
  ['services.*.ulimits.*', replace],
]);

function removeAt(tree: Dict, path: TreePath): void {
  let node: unknown = tree;
  for (const segment of path.slice(0, -1)) node = isDict(node) ? node[String(segment)] : Array.isArray(node) ? node[Number(segment)] : undefined;
  const last = path[path.length - 1];
  if (last === undefined) return;
  if (isDict(node)) delete node[String(last)];
  else if (Array.isArray(node) && typeof last === 'number') node.splice(last, 1);
}

type Indexer = (entry: unknown, path: TreePath) => string;

const keyValue: Indexer = (entry, path) => {
  if (typeof entry !== 'string') throw new BerthError(`${formatPath(path)}: expected a string, got a ${typeName(entry)}`, { path });
  const equals = entry.indexOf('=');
  return equals < 0 ? entry : entry.slice(0, equals);
};

const byTarget: Indexer = (entry) => {
  if (isDict(entry)) return String(entry.target ?? '');
  if (typeof entry !== 'string') return String(entry);
  // Short volume syntax `source:target[:mode]` (a lone path is its own target).
  const parts = entry.split(':');
  return parts.length === 1 ? parts[0]! : parts[1]!;
};

const mountUnder =
  (prefix: string): Indexer =>
  (entry) => {
    if (typeof entry === 'string') return `${prefix}/${entry}`;
    if (isDict(entry)) return typeof entry.target === 'string' ? entry.target : `${prefix}/${String(entry.source)}`;
    return String(entry);
  };

const port: Indexer = (entry) => {
  if (!isDict(entry)) return String(entry);
  return `${String(entry.host_ip ?? '0.0.0.0')}:${String(entry.published ?? '')}:${String(entry.target)}/${String(entry.protocol ?? 'tcp')}`;
};

const envFile: Indexer = (entry) => (isDict(entry) ? String(entry.path) : String(entry));
const plain: Indexer = (entry) => String(entry);

const UNIQUE = patternTrie<Indexer>([
  ['networks.*.labels', keyValue],
  ['networks.*.ipam.options', keyValue],
  ['services.*.annotations', keyValue],
  ['services.*.build.args', keyValue],
  ['services.*.build.additional_contexts', keyValue],
  ['services.*.build.platforms', keyValue],
  ['services.*.build.tags', keyValue],
  ['services.*.build.labels', keyValue],
  ['services.*.cap_add', keyValue],
  ['services.*.cap_drop', keyValue],
  ['services.*.configs', mountUnder('')],
  ['services.*.deploy.labels', keyValue],
  ['services.*.devices', byTarget],
  ['services.*.dns', keyValue],
  ['services.*.dns_opt', keyValue],
  ['services.*.dns_search', keyValue],
  ['services.*.environment', keyValue],
  ['services.*.env_file', envFile],
  ['services.*.expose', plain],
  ['services.*.labels', keyValue],
  ['services.*.links', keyValue],
  ['services.*.networks.*.aliases', keyValue],
  ['services.*.networks.*.link_local_ips', keyValue],
  ['services.*.ports', port],
  ['services.*.profiles', keyValue],
  ['services.*.secrets', mountUnder('/run/secrets')],
  ['services.*.sysctls', keyValue],
  ['services.*.tmpfs', keyValue],
  ['services.*.volumes', byTarget],
]);

/** One entry per key in the lists compose treats as sets: a later entry replaces an earlier one in its place. */
export function enforceUnicity(tree: Dict): Dict {
  return rewriteAt(tree, UNIQUE, (indexer, value, path) => {
    if (!Array.isArray(value)) return value;
    const out: unknown[] = [];
    const positions = new Map<string, number>();
    value.forEach((entry, index) => {
      const key = indexer(entry, [...path, index]);
      const at = positions.get(key);
      if (at === undefined) {
        positions.set(key, out.length);
        out.push(entry);
      } else {
        out[at] = entry;
      }
    });
    return out;
  }) as Dict;
}
