import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runInMemory } from '../cli/run-in-memory.js';
import { BerthError } from './errors.js';
import { loadModel } from './load.js';
import type { LoadOptions } from './load.js';
import { cachedParse, cachedValidation, exactText } from './load-cache.js';
import type { LoadCache } from './load-cache.js';
import { openLoadCache } from './load-cache-dir.js';
import { parseComposeText } from './parse.js';

function memoryCache(): LoadCache & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return { entries, read: (key) => entries.get(key), write: (key, value) => void entries.set(key, value) };
}

test('exactText tells apart every value the loader or the schema can tell apart', () => {
  const distinct = [null, true, false, 0, 1, 1.5, '1', '', 'null', [], {}, [1], { a: 1 }, { a: '1' }, { a: null }, { b: 1 }, [[]], [{}]];
  const texts = distinct.map(exactText);
  assert.equal(new Set(texts).size, distinct.length);
  assert.ok(texts.every((text) => text !== undefined));
  // Numbers JSON writes the same way are the same number.
  assert.equal(exactText(1.0), exactText(1));
});

test('exactText refuses what JSON cannot carry exactly', () => {
  const getter = Object.defineProperty({}, 'a', { get: () => 1, enumerable: true });
  const hidden = Object.defineProperty({}, 'a', { value: 1, enumerable: false });
  const withProto = JSON.parse('{"__proto__": 1}') as unknown;
  for (const value of [undefined, NaN, Infinity, -0, 10n, { a: undefined }, [1, , 2], new Date(0), new Map(), getter, hidden, withProto, { [Symbol('s')]: 1 }, () => 1]) {
    assert.equal(exactText({ x: [value] }), undefined, String(value));
  }
  assert.notEqual(exactText(Object.assign(Object.create(null) as object, { a: 1 })), undefined);
});

test('a parse is remembered by the text, and positions come from parsing again only when asked', () => {
  const cache = memoryCache();
  const text = 'services:\n  web:\n    image: busybox\n    ports: ["80:80"]\n';
  let parses = 0;
  const parse = (file: string, source: string) => {
    parses++;
    return parseComposeText(file, source);
  };
  const first = cachedParse('/p/compose.yaml', text, cache, parse);
  const second = cachedParse('/other/compose.yaml', text, cache, parse);
  assert.equal(parses, 1);
  assert.deepEqual(second.map((doc) => doc.tree), first.map((doc) => doc.tree));
  assert.equal(second[0]?.file, '/other/compose.yaml');
  assert.notEqual(second[0]?.tree, first[0]?.tree, 'a fresh tree each time: the passes change trees in place');
  assert.deepEqual(second[0]?.locate(['services', 'web', 'ports']), { file: '/other/compose.yaml', line: 4, column: 12 });
  assert.equal(parses, 2);
  // A different text is parsed.
  cachedParse('/p/compose.yaml', `${text}\n`, cache, parse);
  assert.equal(parses, 3);
});

test('a file that fails to parse is never remembered, and a damaged entry is parsed again', () => {
  const cache = memoryCache();
  assert.throws(() => cachedParse('/p/c.yaml', 'services: [', cache, parseComposeText), BerthError);
  assert.equal(cache.entries.size, 0);
  const text = 'services: {}\n';
  cachedParse('/p/c.yaml', text, cache, parseComposeText);
  const [key] = cache.entries.keys();
  for (const damaged of ['', '{', '[]', '[{"tree": []}]', '[{"tree": {}, "resets": [[{}]], "overrides": []}]']) {
    cache.entries.set(key!, damaged);
    assert.deepEqual(cachedParse('/p/c.yaml', text, cache, parseComposeText)[0]?.tree, { services: {} });
  }
  // A value JSON cannot carry (.nan) is parsed every time.
  const nan = memoryCache();
  cachedParse('/p/c.yaml', 'x-n: .nan\n', nan, parseComposeText);
  assert.equal(nan.entries.size, 0);
});

test('only a valid verdict is remembered, for exactly the tree validated', () => {
  const cache = memoryCache();
  let runs = 0;
  const refuse = () => {
    runs++;
    throw new BerthError('invalid');
  };
  const accept = () => void runs++;
  assert.throws(() => cachedValidation({ services: { web: { image: 1 } } }, cache, refuse));
  assert.throws(() => cachedValidation({ services: { web: { image: 1 } } }, cache, refuse));
  assert.equal(runs, 2);
  cachedValidation({ services: { web: { image: 'a' } } }, cache, accept);
  cachedValidation({ services: { web: { image: 'a' } } }, cache, accept);
  assert.equal(runs, 3);
  // A tree that differs only in a type is validated again.
  assert.throws(() => cachedValidation({ services: { web: { image: ['a'] } } }, cache, refuse));
  // A tree with a value JSON cannot carry is validated every time.
  cachedValidation({ services: { web: { image: 'a', x: undefined } } }, cache, accept);
  cachedValidation({ services: { web: { image: 'a', x: undefined } } }, cache, accept);
  assert.equal(runs, 6);
});

test('a project loads the same with a cold cache, a warm one and none; an invalid one is refused every time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-load-cache-'));
  try {
    writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: busybox\n    environment: ["A=${A:-1}"]\n    ports: ["8080:80"]\n');
    writeFileSync(join(dir, 'compose.override.yaml'), 'services:\n  web:\n    ports: !override ["9090:80"]\n    labels: {x: "y"}\n');
    const cache = memoryCache();
    const options: LoadOptions = { cwd: dir, environment: {}, warn: () => {} };
    const plain = await loadModel(options);
    const cold = await loadModel({ ...options, cache });
    const warm = await loadModel({ ...options, cache });
    assert.deepEqual(cold, plain);
    assert.deepEqual(warm, plain);
    // Interpolated to something the schema refuses: the warm parse cache must not make it pass.
    writeFileSync(join(dir, 'compose.override.yaml'), 'services:\n  web:\n    ports: !override ["9090:80"]\n    labels: {x: "y"}\n    healthcheck: ${N}\n');
    const environment = { N: 'many' };
    for (let run = 0; run < 2; run++) {
      await assert.rejects(() => loadModel({ ...options, environment, cache }), (error: BerthError) => {
        assert.match(error.message, /healthcheck/);
        assert.equal(error.position?.line, 5);
        return true;
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('every model fixture prints the same through a cold and a warm cache on disk', async () => {
  const root = fileURLToPath(new URL('../../fixtures/model', import.meta.url));
  const cacheDir = mkdtempSync(join(tmpdir(), 'berth-load-cache-'));
  try {
    for (const name of readdirSync(root).sort()) {
      const dir = join(root, name);
      if (!existsSync(join(dir, 'expected.json'))) continue;
      const spec = existsSync(join(dir, 'args.json')) ? (JSON.parse(readFileSync(join(dir, 'args.json'), 'utf8')) as { args?: string[]; env?: Record<string, string> }) : {};
      const args = [...(spec.args ?? []), 'config', '--format', 'json'];
      const environment = { HOME: '/home/fixtures', ...spec.env };
      const none = await runInMemory(args, dir, environment);
      for (const pass of ['cold', 'warm']) {
        const cached = await runInMemory(args, dir, { ...environment, BERTH_CACHE_DIR: join(cacheDir, 'c') });
        assert.deepEqual(cached, none, `${name}, ${pass} cache`);
      }
    }
    assert.ok(readdirSync(join(cacheDir, 'c')).length > 0, 'the cache was used');
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
});

test('the cache on disk: off when asked, never in a directory others can write or a home that does not exist', () => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-load-cache-'));
  try {
    assert.equal(openLoadCache({ BERTH_CACHE_DIR: '' }), undefined);
    assert.equal(openLoadCache({ HOME: join(dir, 'no-such-home') }), undefined);
    assert.equal(existsSync(join(dir, 'no-such-home')), false);
    const cache = openLoadCache({ BERTH_CACHE_DIR: join(dir, 'mine') });
    assert.ok(cache);
    cache.write('valid-x', 'valid');
    assert.equal(cache.read('valid-x'), 'valid');
    assert.equal(openLoadCache({ BERTH_CACHE_DIR: join(dir, 'mine') })?.read('valid-x'), 'valid');
    mkdirSync(join(dir, 'shared'));
    chmodSync(join(dir, 'shared'), 0o777);
    assert.equal(openLoadCache({ BERTH_CACHE_DIR: join(dir, 'shared') }), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
