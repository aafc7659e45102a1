// Generators of hostile compose projects for the loader's fuzz test (`load.fuzz.test.ts`): real compose files
// mutated (values replaced by hostile ones, keys named like `Object.prototype` members, aliases that contain
// themselves, misplaced tags, deep nesting, alias bombs), and generators for each kind of document that once
// crashed or hung the loader. A project is a few files written into one directory and the caller's variables.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { isCollection, isMap, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Scalar, YAMLMap, YAMLSeq } from 'yaml';

export interface HostileProject {
  /** File name (relative to the project directory) -> contents. `compose.yaml` is always there. */
  readonly files: Readonly<Record<string, string>>;
  /** The `-f` files, in order. */
  readonly composeFiles: readonly string[];
  /** The caller's environment. */
  readonly environment: Readonly<Record<string, string>>;
}

/** Every compose file under the given fixture directories (recursively): the documents mutations start from. */
export function readSeeds(directories: readonly string[]): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (/\.ya?ml$/.test(entry.name)) found.push(readFileSync(path, 'utf8'));
    }
  };
  directories.forEach(walk);
  return found;
}

/** Names `Object.prototype` gives every plain object, and the names that reach it. */
export const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'toString', 'valueOf', 'hasOwnProperty', 'isPrototypeOf', 'prototype', '__defineGetter__', 'toLocaleString'];

const protoName = fc.constantFrom(...PROTOTYPE_NAMES);

const longDigits = fc.integer({ min: 20, max: 60_000 }).map((n) => '1'.repeat(n));

/** Values that once crashed or hung a pass: huge and non-finite numbers, long digit runs, growing interpolations. */
const hostileScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 2, 2 ** 64, 1e21, Number.POSITIVE_INFINITY, Number.NaN, -1, 0, 65536, 4294967296),
  longDigits,
  longDigits.map((digits) => `${digits}s`),
  longDigits.map((digits) => `1.${digits}m`),
  longDigits.map((digits) => `${digits}:${digits}`),
  longDigits.map((digits) => `${digits}g`),
  fc.integer({ min: 1, max: 200 }).map((n) => `${'${A:-'.repeat(n)}x${'}'.repeat(n)}`),
  fc.integer({ min: 1, max: 20_000 }).map((n) => '${BIG}'.repeat(n)),
  fc.constantFrom('${', '${}', '${A', '$${A}', '${A:?boom}', '${constructor}', '${__proto__}', '${toString:-x}', '$', '${A:-${B:-${C}}}'),
  protoName,
  fc.constantFrom('1s2', '..5s', '1µs', 'all', 'unlimited', '0x7fffffffffffffff', '-0', '1e+308', '8080-1', '1-65536:1-65536', '[::1]:80:80'),
  fc.string({ maxLength: 12 }),
);

/** A mapping or list holding hostile values under hostile keys. */
const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileScalar },
  { weight: 1, arbitrary: fc.array(hostileScalar, { maxLength: 4 }) },
  { weight: 1, arbitrary: fc.array(fc.tuple(protoName, hostileScalar), { maxLength: 3 }).map((entries) => new Map(entries)) },
  { weight: 1, arbitrary: fc.array(protoName.map((name) => `${name}=x`), { maxLength: 3 }) },
);

/** One change to a parsed document; indexes pick among its nodes (modulo how many there are). */
type Mutation =
  | { readonly kind: 'set'; readonly at: number; readonly value: unknown }
  | { readonly kind: 'key'; readonly at: number; readonly key: string; readonly value: unknown }
  | { readonly kind: 'self-alias'; readonly at: number; readonly inside: number }
  | { readonly kind: 'alias'; readonly from: number; readonly at: number }
  | { readonly kind: 'tag'; readonly at: number; readonly tag: string }
  | { readonly kind: 'nest'; readonly at: number; readonly depth: number }
  | { readonly kind: 'delete'; readonly at: number };

const index = fc.nat({ max: 10_000 });

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('set' as const), at: index, value: hostileValue }),
  fc.record({ kind: fc.constant('key' as const), at: index, key: fc.oneof(protoName, fc.constantFrom('<<', 'x-a', 'services', 'scale', 'extends')), value: hostileValue }),
  fc.record({ kind: fc.constant('self-alias' as const), at: index, inside: index }),
  fc.record({ kind: fc.constant('alias' as const), from: index, at: index }),
  fc.record({
    kind: fc.constant('tag' as const),
    at: index,
    tag: fc.constantFrom('tag:yaml.org,2002:merge', '!reset', '!override', 'tag:yaml.org,2002:binary', 'tag:yaml.org,2002:set', 'tag:yaml.org,2002:timestamp', 'tag:yaml.org,2002:omap', 'tag:yaml.org,2002:int', '!custom'),
  }),
  fc.record({ kind: fc.constant('nest' as const), at: index, depth: fc.integer({ min: 1, max: 300 }) }),
  fc.record({ kind: fc.constant('delete' as const), at: index }),
);

interface Located {
  readonly path: ReadonlyArray<unknown>;
  readonly node: Scalar | YAMLMap | YAMLSeq;
}

function nodesOf(doc: Document): Located[] {
  const out: Located[] = [];
  const walk = (node: unknown, path: ReadonlyArray<unknown>): void => {
    if (!isScalar(node) && !isCollection(node)) return;
    out.push({ path, node });
    if (isMap(node)) for (const pair of node.items) walk(pair.value, [...path, isScalar(pair.key) ? pair.key.value : pair.key]);
    if (isSeq(node)) node.items.forEach((item, i) => walk(item, [...path, i]));
  };
  walk(doc.contents, []);
  return out;
}

function nested(depth: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < depth; i++) value = i % 2 === 0 ? [value] : { a: value };
  return value;
}

/** Applies the mutations in order; a mutation the document cannot take (no such node) is skipped. */
function mutate(text: string, mutations: readonly Mutation[]): string {
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) return text;
  let anchors = 0;
  for (const change of mutations) {
    const nodes = nodesOf(doc);
    const pick = (i: number): Located | undefined => nodes[i % Math.max(nodes.length, 1)];
    const target = pick('at' in change ? change.at : 0);
    if (!target) continue;
    switch (change.kind) {
      case 'set':
        if (target.path.length > 0) doc.setIn(target.path, doc.createNode(change.value));
        break;
      case 'key':
        if (isMap(target.node)) target.node.set(doc.createNode(change.key), doc.createNode(change.value));
        break;
      case 'self-alias': {
        if (!isCollection(target.node)) break;
        target.node.anchor = `a${anchors++}`;
        const inner = nodesOf(doc).filter((n) => n.path.length > target.path.length && target.path.every((p, i) => n.path[i] === p));
        const spot = inner[change.inside % Math.max(inner.length, 1)];
        const alias = doc.createAlias(target.node);
        if (spot) doc.setIn(spot.path, alias);
        else if (isSeq(target.node)) target.node.add(alias);
        else if (isMap(target.node)) target.node.set('<<', alias);
        break;
      }
      case 'alias': {
        const source = pick(change.from);
        if (!source || source === target || target.path.length === 0) break;
        source.node.anchor ??= `a${anchors++}`;
        doc.setIn(target.path, doc.createAlias(source.node));
        break;
      }
      case 'tag':
        target.node.tag = change.tag;
        break;
      case 'nest':
        if (target.path.length > 0) doc.setIn(target.path, doc.createNode(nested(change.depth)));
        break;
      case 'delete':
        if (target.path.length > 0) doc.deleteIn(target.path);
        break;
    }
  }
  try {
    return doc.toString();
  } catch {
    return text; // a change the library cannot write out: the seed as it was
  }
}

/** Raw lines spliced into a file's text: YAML the library parses into something unusual. */
const hostileLine = fc.oneof(
  fc.constantFrom(
    'x-a: &a [*a]',
    'x-b: &b {<<: *b}',
    'x-c: !!merge x',
    'x-d: {<<: 1}',
    'x-e: !!binary aGVsbG8=',
    'x-f: !!set {a, b}',
    'x-g: !!timestamp 2001-12-14',
    'x-h: !!omap [a: 1, __proto__: 2]',
    '? [a, b]\n: c',
    '__proto__: {image: x}',
    'x-i: {a: 1, a: 2}',
    '%YAML 1.1\n---',
    'x-j: *nowhere',
    'x-k: &k [x, x]',
    'x-l: [*k, *k, *k, *k]',
  ),
  fc.integer({ min: 1, max: 5000 }).map((n) => `x-deep: ${'['.repeat(n)}${']'.repeat(n)}`),
  fc.integer({ min: 1, max: 3000 }).map((n) => `x-wide: {${Array.from({ length: n }, (_, i) => `k${i}: ${i}`).join(', ')}}`),
);

function spliceLines(text: string, lines: ReadonlyArray<readonly [number, string]>): string {
  const out = text.split('\n');
  for (const [at, line] of lines) out.splice(at % (out.length + 1), 0, line);
  return out.join('\n');
}

/** `levels` of aliases, each naming the one before `width` times: width^levels values from a few lines. */
export function aliasBomb(levels: number, width: number): string {
  let text = 'x-l0: &l0 [a]\n';
  for (let i = 1; i <= levels; i++) text += `x-l${i}: &l${i} [${Array.from({ length: width }, () => `*l${i - 1}`).join(', ')}]\n`;
  return `services:\n  web:\n    image: x\n${text}`;
}

const seededProject = (seeds: readonly string[]): fc.Arbitrary<HostileProject> =>
  fc
    .record({
      seed: fc.nat({ max: seeds.length - 1 }),
      mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
      lines: fc.array(fc.tuple(fc.nat(), hostileLine), { maxLength: 2 }),
      override: fc.option(fc.record({ seed: fc.nat({ max: seeds.length - 1 }), mutations: fc.array(mutation, { maxLength: 3 }) }), { freq: 3 }),
      big: fc.integer({ min: 0, max: 200_000 }),
    })
    .map(({ seed, mutations, lines, override, big }) => {
      const files: Record<string, string> = { 'compose.yaml': spliceLines(mutate(seeds[seed]!, mutations), lines) };
      const composeFiles = ['compose.yaml'];
      if (override) {
        files['compose.override.yaml'] = mutate(seeds[override.seed]!, override.mutations);
        composeFiles.push('compose.override.yaml');
      }
      return { files, composeFiles, environment: { BIG: 'x'.repeat(big), A: 'a' } };
    });

// The kinds of document that once crashed or hung the loader, each generated on its own.

const selfAliases: fc.Arbitrary<HostileProject> = fc
  .record({ depth: fc.integer({ min: 0, max: 5 }), via: fc.constantFrom('list', 'merge', 'omap', 'flowPair'), under: fc.constantFrom('services', 'x-a', 'networks') })
  .map(({ depth, via, under }) => {
    // An `!!omap` and a flow list's `k: v` entry hold their values in pairs, not in a mapping (once missed: a cycle).
    const inner = { list: '[*a]', merge: '{<<: *a}', omap: '!!omap [k: *a]', flowPair: '[k: *a]' }[via];
    const value = `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
    return single(`${under}: &a\n  web: ${value}\n`);
  });

const mergeTags: fc.Arbitrary<HostileProject> = fc
  .constantFrom('!!merge x', '!!merge [a]', '!!merge {a: 1}', '[!!merge x]', '{<<: !!merge x}', '{!!merge <<: 1}', '{<<: [1, 2]}', '{<<: [{a: 1}, x]}')
  .map((value) => single(`services:\n  web:\n    image: x\n    labels: ${value}\n`));

/** Object.prototype names where services, keys and variables are named, across a merge, an include and an extends. */
const prototypeKeys: fc.Arbitrary<HostileProject> = fc
  .record({ name: protoName, other: protoName, where: fc.nat({ max: 7 }) })
  .map(({ name, other, where }) => {
    const variants: Array<Record<string, string>> = [
      { 'compose.yaml': `services:\n  web:\n    image: x\n`, 'compose.override.yaml': `services:\n  ${name}:\n    image: y\n  web:\n    labels: {${other}: z}\n` },
      { 'compose.yaml': `include: [lib.yaml]\nservices:\n  web:\n    image: x\n    depends_on: [${name}]\n`, 'lib.yaml': `services:\n  ${name}:\n    image: y\nnetworks:\n  ${other}: {}\n` },
      { 'compose.yaml': `services:\n  web:\n    extends: {file: base.yaml, service: ${name}}\n`, 'base.yaml': `services:\n  ${name}:\n    image: y\n    environment: [${other}=1]\n` },
      { 'compose.yaml': `services:\n  web:\n    image: x\n    env_file: [app.env]\n    label_file: [app.labels]\n`, 'app.env': `${name}=1\n${other}=\${${name}}\n`, 'app.labels': `${name}=1\n` },
      { 'compose.yaml': `services:\n  web:\n    image: \${${name}:-x}\n    environment: [${name}]\n`, '.env': `${other}=2\n` },
      { 'compose.yaml': `services:\n  web:\n    image: x\n    links: [${name}]\n    networks: [${other}]\n    volumes: ['${name}:/data']\n` },
      { 'compose.yaml': `services:\n  web:\n    image: x\n    extends: ${name}\n  ${other}:\n    image: y\n` },
      { 'compose.yaml': `services:\n  web:\n    image: x\n    depends_on:\n      ${name}: {condition: service_started}\n    secrets: [${other}]\n` },
    ];
    const files = variants[where]!;
    const composeFiles = Object.keys(files).filter((file) => file.startsWith('compose.'));
    return { files, composeFiles, environment: {} };
  });

const growingInterpolations: fc.Arbitrary<HostileProject> = fc
  .record({ size: fc.integer({ min: 1, max: 1 << 20 }), repeat: fc.integer({ min: 1, max: 5000 }), doublings: fc.integer({ min: 1, max: 40 }), nesting: fc.integer({ min: 1, max: 3000 }) })
  .map(({ size, repeat, doublings, nesting }) => {
    let dotenv = 'D0=xxxxxxxxxxxxxxxx\n';
    for (let i = 1; i <= doublings; i++) dotenv += `D${i}=\${D${i - 1}}\${D${i - 1}}\n`;
    return {
      files: {
        'compose.yaml':
          `services:\n  web:\n    image: x\n    environment:\n      A: "${'${BIG}'.repeat(repeat)}"\n      B: \${D${doublings}}\n` +
          `      C: "${'${X:-'.repeat(nesting)}${'}'.repeat(nesting)}"\n`,
        '.env': dotenv,
      },
      composeFiles: ['compose.yaml'],
      environment: { BIG: 'b'.repeat(size) },
    };
  });

/** Numbers where compose wants a duration, a count, a port or a size. */
const hugeNumbers: fc.Arbitrary<HostileProject> = fc
  .record({ key: fc.constantFrom('stop_grace_period', 'scale', 'mem_limit', 'shm_size', 'cpus', 'pids_limit', 'oom_score_adj'), value: hostileScalar })
  .map(({ key, value }) => single(`services:\n  web:\n    image: x\n    ${key}: ${typeof value === 'string' ? JSON.stringify(value) : String(value)}\n    healthcheck: {test: [CMD, 'true'], interval: ${JSON.stringify(String(value))}}\n    deploy: {replicas: ${typeof value === 'number' ? String(value) : '1'}}\n    ports: [{target: 80, published: ${JSON.stringify(String(value))}}]\n    ulimits: {nofile: ${JSON.stringify(String(value))}}\n`));

const aliasBombs: fc.Arbitrary<HostileProject> = fc
  .record({ levels: fc.integer({ min: 1, max: 12 }), width: fc.integer({ min: 2, max: 12 }) })
  .map(({ levels, width }) => single(aliasBomb(levels, width)));

function single(text: string): HostileProject {
  return { files: { 'compose.yaml': text }, composeFiles: ['compose.yaml'], environment: {} };
}

/** The five kinds the hostile-input pass found, plus alias bombs. */
export const KNOWN_CRASHERS = { selfAliases, mergeTags, prototypeKeys, growingInterpolations, hugeNumbers, aliasBombs };

export function hostileProject(seeds: readonly string[]): fc.Arbitrary<HostileProject> {
  return fc.oneof(
    { weight: 6, arbitrary: seededProject(seeds) },
    ...Object.values(KNOWN_CRASHERS).map((arbitrary) => ({ weight: 1, arbitrary })),
  );
}
