// One test per finding of the hostile-input pass over the loader (each once crashed with a JavaScript error or
// hung): the document is now refused with a BerthError naming file, line, column and path, or loads as it should.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { BerthError } from './errors.js';
import { aliasBomb } from './hostile-projects.js';
import { DISK } from './files.js';
import { loadFromFiles } from './load-passes.js';
import type { LoadedModel } from './load.js';
import { MAX_FILE_BYTES } from './limits.js';
import type { Dict } from './tree.js';

/** Writes the files into a fresh directory and loads `compose.yaml` (and `compose.override.yaml` when given). */
function load(files: Record<string, string>, environment: Record<string, string> = {}): LoadedModel {
  const dir = mkdtempSync(join(tmpdir(), 'berth-hostile-'));
  try {
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const composeFiles = ['compose.yaml', 'compose.override.yaml'].filter((name) => name in files).map((name) => join(dir, name));
    return loadFromFiles({ cwd: dir, environment, files: composeFiles, projectName: 'hostile', warn: () => {} }, DISK);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The load is refused with one BerthError whose description (file:line:col: message) matches `expected`. */
function refused(files: Record<string, string>, expected: RegExp, environment: Record<string, string> = {}): void {
  assert.throws(
    () => load(files, environment),
    (error: unknown) => {
      assert.ok(error instanceof BerthError, `not a BerthError: ${(error as Error).stack}`);
      assert.ok(error.position, `no position: ${error.describe()}`);
      assert.match(error.describe().replace(/^\/\S*\//, ''), expected);
      return true;
    },
  );
}

const services = (model: LoadedModel): Dict => model.tree.services as Dict;

test('an alias inside the node it names is refused where it is written (it recursed until the stack overflowed)', () => {
  refused({ 'compose.yaml': 'services: &a\n  web: *a\n' }, /^compose\.yaml:2:8: invalid YAML: services\.web: alias \*a refers to a node that contains it$/);
  refused({ 'compose.yaml': 'x-a: &a [[*a]]\n' }, /^compose\.yaml:1:11: invalid YAML: x-a\[0\]\[0\]: alias \*a/);
  refused({ 'compose.yaml': 'x-a: &a {<<: *a}\n' }, /^compose\.yaml:1:14: invalid YAML: x-a\["<<"\]: alias \*a refers to a node that contains it$/);
});

test('aliases that multiply the document (billion laughs) and nesting beyond the limits are refused', () => {
  refused({ 'compose.yaml': aliasBomb(9, 9) }, /^compose\.yaml:\d+:\d+: invalid YAML: .*(holds more than 100000 values|Excessive alias count)/);
  refused({ 'compose.yaml': `x-deep: ${'['.repeat(100)}${']'.repeat(100)}\n` }, /^compose\.yaml:1:73: invalid YAML: x-deep(\[0\]){7}\.\.\.: nested deeper than 64 levels$/);
  refused({ 'compose.yaml': `x-deep: ${'['.repeat(5000)}${']'.repeat(5000)}\n` }, /^compose\.yaml:1:\d+: invalid YAML: (nested too deeply|x-deep.*nested deeper)/);
  const nest = (depth: number, inner: string): string => `${'['.repeat(depth)}${inner}${']'.repeat(depth)}`;
  refused({ 'compose.yaml': `x-a: &a ${nest(36, 'x')}\nx-b: ${nest(32, '*a')}\n` }, /^compose\.yaml:2:\d+: invalid YAML: x-b.*: alias \*a nests the document deeper than 64 levels$/);
  // An alias used many times is fine.
  const anchors = `x-env: &env {A: "1"}\nservices:\n${Array.from({ length: 300 }, (_, i) => `  s${i}: {image: x, environment: *env}\n`).join('')}`;
  assert.equal(Object.keys(services(load({ 'compose.yaml': anchors }))).length, 300);
});

test('a !!merge tag on a plain value, and a << key with a value that is not a mapping, are refused where written', () => {
  refused({ 'compose.yaml': 'services:\n  web: !!merge x\n' }, /^compose\.yaml:2:16: invalid YAML: services\.web: the !!merge tag belongs on a << key only$/);
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    labels: [!!merge x]\n' }, /^compose\.yaml:4:22: invalid YAML: services\.web\.labels\[0\]: the !!merge tag/);
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    <<: 1\n' }, /^compose\.yaml:4:9: invalid YAML: services\.web: a << merge key takes a mapping/);
  // The merge key itself still works.
  const merged = load({ 'compose.yaml': 'x-base: &base {image: x, tty: true}\nservices:\n  web:\n    <<: *base\n    tty: false\n' });
  assert.deepEqual(services(merged).web, { image: 'x', tty: false, networks: { default: null } });
});

test('keys named like Object.prototype members work as names across merge, include and extends', () => {
  const merged = load({
    'compose.yaml': 'services:\n  web:\n    image: x\n    depends_on: [toString]\n',
    'compose.override.yaml': 'services:\n  toString:\n    image: y\n  web:\n    labels: {constructor: z, hasOwnProperty: w}\n',
  });
  assert.deepEqual(Object.keys(services(merged)).sort(), ['toString', 'web']);
  assert.deepEqual((services(merged).web as Dict).labels, { constructor: 'z', hasOwnProperty: 'w' });

  const included = load({
    'compose.yaml': 'include: [lib.yaml]\nservices:\n  web:\n    image: x\n    depends_on: [constructor]\n    networks: [valueOf]\n',
    'lib.yaml': 'services:\n  constructor:\n    image: y\nnetworks:\n  valueOf: {}\n',
  });
  assert.deepEqual(Object.keys(services(included)).sort(), ['constructor', 'web']);

  const extended = load({
    'compose.yaml': 'services:\n  web:\n    extends: {file: base.yaml, service: toString}\n',
    'base.yaml': 'services:\n  toString:\n    image: y\n    environment: [constructor=1]\n',
  });
  assert.deepEqual((services(extended).web as Dict).environment, { constructor: '1' });

  // Names the project does not define are still unknown, however Object.prototype calls its members.
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    depends_on: [toString]\n' }, /^compose\.yaml:4:17: services\.web\.depends_on\.toString: service "web" depends on undefined service "toString"$/);
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    networks: [constructor]\n' }, /^compose\.yaml:4:15: services\.web\.networks\.constructor: service "web" refers to undefined network constructor$/);
  refused({ 'compose.yaml': 'services:\n  web:\n    extends: hasOwnProperty\n' }, /service "hasOwnProperty" not found/);
});

test('__proto__ is refused as a name wherever it would become a key', () => {
  refused({ 'compose.yaml': 'services:\n  __proto__:\n    image: x\n' }, /^compose\.yaml:2:3: invalid YAML: services: the key "__proto__" is not allowed$/);
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    labels: ["__proto__=x"]\n' }, /^compose\.yaml:4:\d+: services\.web\.labels\[0\]: the name "__proto__" is not allowed$/);
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    links: [__proto__]\n' }, /^compose\.yaml:\d+:\d+: services\.web\.depends_on: the name "__proto__" is not allowed$/);
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    env_file: app.env\n', 'app.env': 'A=1\n__proto__=2\n' }, /app\.env:2: the variable name "__proto__" is not allowed$/);
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n', '.env': '__proto__=1\n' }, /\.env:1: the variable name "__proto__" is not allowed$/);
});

test('variables named like Object.prototype members are unset unless defined', () => {
  const model = load({ 'compose.yaml': 'services:\n  web:\n    image: "x${constructor}${toString:-y}"\n    environment: [hasOwnProperty]\n' });
  assert.equal((services(model).web as Dict).image, 'xy');
  assert.deepEqual((services(model).web as Dict).environment, { hasOwnProperty: null });
  const defined = load({ 'compose.yaml': 'services:\n  web:\n    image: "${constructor}"\n' }, { constructor: 'z' });
  assert.equal((services(defined).web as Dict).image, 'z');
});

test('an interpolation whose result outgrows its bound is refused (it threw "Invalid string length" or took seconds)', () => {
  const big = { BIG: 'b'.repeat(100_000) };
  refused({ 'compose.yaml': `services:\n  web:\n    image: x\n    environment:\n      A: "${'${BIG}'.repeat(20)}"\n` }, /^compose\.yaml:5:10: services\.web\.environment\.A: interpolating "\$\{BIG\}.*" gives a value longer than 1 MiB$/, big);
  const many = Array.from({ length: 200 }, (_, i) => `      A${i}: "${'${BIG}'.repeat(9)}"\n`).join('');
  refused({ 'compose.yaml': `services:\n  web:\n    image: x\n    environment:\n${many}` }, /interpolated values add up to more than 16 MiB/, big);
  const doubling = Array.from({ length: 40 }, (_, i) => `D${i + 1}=\${D${i}}\${D${i}}\n`).join('');
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n', '.env': `D0=xxxxxxxx\n${doubling}` }, /\.env:\d+: interpolating .* gives a value longer than 1 MiB$/);
  refused({ 'compose.yaml': `services:\n  web:\n    image: "${'${A:-'.repeat(40)}x${'}'.repeat(40)}"\n` }, /^compose\.yaml:3:12: services\.web\.image: invalid interpolation format for ".*": expressions nested more than 32 deep$/);
});

test('a duration of 50,000 digits is refused at once (the parser was quadratic on long digit runs)', () => {
  const digits = '1'.repeat(50_000);
  refused({ 'compose.yaml': `services:\n  web:\n    image: x\n    stop_grace_period: ${digits}s\n` }, /^compose\.yaml:4:24: services\.web\.stop_grace_period: invalid duration "1{57}\.\.\.": longer than the longest duration/);
  refused({ 'compose.yaml': `services:\n  web:\n    image: x\n    healthcheck: {interval: "${digits}"}\n` }, /^compose\.yaml:4:29: services\.web\.healthcheck\.interval: invalid duration "1{57}\.\.\."$/);
});

test('scale and replicas must be whole numbers of containers a host can run (scale: 1e+308 never finished planning)', () => {
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    scale: 1e+308\n' }, /^compose\.yaml:4:12: services\.web\.scale: 1e\+308 is out of range \(integers are limited to 9007199254740991 in magnitude\)$/);
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    scale: 20000\n' }, /^compose\.yaml:4:12: services\.web\.scale: 20000 is out of range \(from 0 to 10000\)$/);
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    deploy: {replicas: 1e9}\n' }, /services\.web\.deploy\.replicas: 1000000000 is out of range \(from 0 to 10000\)$/);
  assert.equal((services(load({ 'compose.yaml': 'services:\n  web:\n    image: x\n    scale: 3\n' })).web as Dict).scale, 3);
});

test('ports, sizes, modes and ulimits are refused out of range', () => {
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    ports: [{target: 70000}]\n' }, /services\.web\.ports\[0\]\.target: 70000 is out of range \(from 0 to 65535\)$/);
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    ports: [{target: 80, published: "99999"}]\n' }, /services\.web\.ports\[0\]\.published: invalid published port "99999"$/);
  refused({ 'compose.yaml': `services:\n  web:\n    image: x\n    mem_limit: ${'9'.repeat(30)}\n` }, /services\.web\.mem_limit: invalid size .*: more than 9007199254740991 bytes$/);
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    shm_size: 9000000000p\n' }, /invalid size "9000000000p": more than/);
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    ulimits: {nofile: {soft: 1e30, hard: 1}}\n' }, /services\.web\.ulimits\.nofile\.soft: 1e\+30 is out of range/);
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    volumes: [{type: tmpfs, target: /x, tmpfs: {mode: 99999999999}}]\n' }, /services\.web\.volumes\[0\]\.tmpfs\.mode: 99999999999 is out of range \(from 0 to 4294967295\)$/);
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    configs: [{source: c, mode: 0777777}]\nconfigs:\n  c: {content: x}\n' }, /services\.web\.configs\[0\]\.mode: invalid file mode 262143: not between 0 and 07777$/);
  const model = load({ 'compose.yaml': 'services:\n  web:\n    image: x\n    mem_limit: 1g\n    ports: ["8000-8001:80-81"]\n    ulimits: {nofile: 1024}\n' });
  assert.equal((services(model).web as Dict).mem_limit, 1024 ** 3);
});

test('duplicate keys are found in linear time, and a file larger than the limit is not read', () => {
  const wide = `x-wide:\n${Array.from({ length: 30_000 }, (_, i) => `  k${i}: ${i}\n`).join('')}services:\n  web:\n    image: x\n`;
  assert.ok(load({ 'compose.yaml': wide }));
  refused({ 'compose.yaml': `${wide}x-wide: 1\n` }, /^compose\.yaml:30005:1: invalid YAML: mapping key "x-wide" already defined at line 1$/);
  refused({ 'compose.yaml': `# ${'x'.repeat(MAX_FILE_BYTES)}\n` }, /^compose\.yaml: .*compose\.yaml is larger than 4 MiB: not read$/);
});

test('YAML values compose has no use for are refused where written, not turned into empty mappings', () => {
  refused({ 'compose.yaml': 'services:\n  web:\n    image: x\n    labels: {a: !!timestamp 2001-12-14}\n' }, /^compose\.yaml:4:\d+: invalid YAML: services\.web\.labels\.a: a timestamp is not a value compose accepts/);
  refused({ 'compose.yaml': 'x-a: !!binary aGVsbG8=\n' }, /^compose\.yaml:1:15: invalid YAML: x-a: binary data is not a value/);
  refused({ 'compose.yaml': '? [a, b]\n: c\n' }, /^compose\.yaml:1:3: invalid YAML: a mapping key must be a plain value/);
});

test('an included file that cannot be read is reported where the include names it (found by the fuzz test)', () => {
  refused({ 'compose.yaml': `include:\n  - ${'a'.repeat(5000)}\n` }, /^compose\.yaml:2:5: include\[0\]: cannot read .*ENAMETOOLONG/);
  refused({ 'compose.yaml': `services:\n  web:\n    image: x\n    env_file: ${'a'.repeat(5000)}\n` }, /^compose\.yaml:4:15: .*cannot read .*ENAMETOOLONG/);
  refused({ 'compose.yaml': `services:\n  web:\n    image: x\n    label_file: [${'a'.repeat(5000)}]\n` }, /^compose\.yaml:4:\d+: .*cannot read .*ENAMETOOLONG/);
});
