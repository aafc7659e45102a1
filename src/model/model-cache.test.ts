import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { BerthError } from './errors.js';
import { loadModel } from './load.js';
import type { LoadedModel, LoadOptions } from './load.js';
import type { LoadCache } from './load-cache.js';

function memoryCache(): LoadCache & { entries: Map<string, string> } {
  const entries = new Map<string, string>();
  return { entries, read: (key) => entries.get(key), write: (key, value) => void entries.set(key, value) };
}

function modelEntries(cache: { entries: Map<string, string> }): string[] {
  return [...cache.entries.keys()].filter((key) => key.startsWith('model-'));
}

/** A project directory with `files`, removed after the test. */
function project(t: { after: (fn: () => void) => void }, files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'berth-model-cache-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

/** Loads through `cache`, telling whether the stored model came back (a hit) or the passes ran and stored one (a miss). */
async function load(options: LoadOptions, cache: LoadCache): Promise<{ model: LoadedModel; hit: boolean }> {
  let stored = false;
  const spy: LoadCache = {
    read: (key) => cache.read(key),
    write: (key, value) => {
      if (key.startsWith('model-')) stored = true;
      cache.write(key, value);
    },
  };
  const model = await loadModel({ ...options, cache: spy });
  return { model, hit: !stored };
}

test('an unchanged project comes back whole from the cache, with its warnings given again', async (t) => {
  const dir = project(t, {
    'compose.yaml': 'version: "3"\nservices:\n  web:\n    image: busybox:${TAG:-1}\n    env_file: web.env\n    ports: ["8080:80"]\n',
    'web.env': 'A=1\n',
  });
  const cache = memoryCache();
  const warnings: string[] = [];
  const options: LoadOptions = { cwd: dir, environment: { TAG: '2' }, warn: (message) => warnings.push(message), cache };
  const fresh = await loadModel({ ...options, cache: undefined });
  const cold = await loadModel(options);
  const warm = await loadModel(options);
  assert.deepEqual(cold, fresh);
  assert.deepEqual(warm, fresh);
  assert.equal(modelEntries(cache).length, 1);
  assert.equal(warnings.length, 3);
  assert.ok(warnings.every((warning) => warning === warnings[0] && /version/.test(warning)), 'the obsolete-version warning, each time');
  assert.notEqual(warm.tree, cold.tree, 'a fresh tree each time: callers may change it');
});

test('a change the load would see is a miss: file texts, files that appear or go, real paths, variables, options', async (t) => {
  const dir = project(t, {
    'compose.yaml': 'services:\n  web:\n    image: busybox\n    env_file: [{path: web.env, required: false}]\n    develop: {watch: [{path: ./src, action: sync, target: /src}]}\n',
    'web.env': 'A=1\n',
    'src/a': '',
    'other/a': '',
  });
  const cache = memoryCache();
  const options: LoadOptions = { cwd: dir, environment: { X: '1' }, warn: () => {} };
  const check = async (what: string, change: () => void, given: LoadOptions = options): Promise<void> => {
    await load(options, cache);
    assert.equal((await load(options, cache)).hit, true, `before: ${what}`);
    change();
    const after = await load(given, cache);
    assert.equal(after.hit, false, what);
    assert.deepEqual(after.model, await loadModel(given), what);
  };
  await load(options, cache);
  await check('the compose file changed', () => writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: busybox:2\n    env_file: [{path: web.env, required: false}]\n    develop: {watch: [{path: ./src, action: sync, target: /src}]}\n'));
  await check('an env_file changed', () => writeFileSync(join(dir, 'web.env'), 'A=2\n'));
  await check('an optional env_file went', () => unlinkSync(join(dir, 'web.env')));
  await check('an optional env_file came back', () => writeFileSync(join(dir, 'web.env'), 'A=3\n'));
  await check('a .env appeared', () => writeFileSync(join(dir, '.env'), 'X=2\n'));
  await check('an override file appeared', () => writeFileSync(join(dir, 'compose.override.yaml'), 'services:\n  web:\n    labels: {a: b}\n'));
  await check('a watched path became a link elsewhere', () => {
    rmSync(join(dir, 'src'), { recursive: true });
    symlinkSync(join(dir, 'other'), join(dir, 'src'));
  });
  await check('a variable the .env sets changed', () => {}, { ...options, environment: { X: '3' } });
  await check('an option changed', () => {}, { ...options, profiles: ['debug'] });
  assert.equal((await load({ ...options, profiles: ['debug'] }, cache)).hit, true);
});

test('a project that fails is never stored: it fails every time with its position', async (t) => {
  const dir = project(t, { 'compose.yaml': 'services:\n  web:\n    image: busybox\n    healthcheck: ${N}\n' });
  const cache = memoryCache();
  const options: LoadOptions = { cwd: dir, environment: { N: 'many' }, warn: () => {}, cache };
  for (let run = 0; run < 2; run++) {
    await assert.rejects(() => loadModel(options), (error: BerthError) => error instanceof BerthError && error.position?.line === 4);
  }
  assert.deepEqual(modelEntries(cache), []);
});

test('a project read from stdin is not stored, and a damaged entry is loaded again', async (t) => {
  const dir = project(t, { 'compose.yaml': 'services:\n  web:\n    image: busybox\n' });
  const cache = memoryCache();
  const stdin: LoadOptions = { cwd: dir, environment: {}, files: ['-'], readStdin: () => 'services:\n  a:\n    image: busybox\n', warn: () => {}, cache };
  assert.deepEqual(Object.keys((await loadModel(stdin)).tree.services as object), ['a']);
  assert.deepEqual(modelEntries(cache), []);
  const options: LoadOptions = { cwd: dir, environment: {}, warn: () => {}, cache };
  const fresh = await loadModel(options);
  const [key] = modelEntries(cache);
  for (const damaged of ['', '{', '[]', '{"looks": [], "warnings": [], "model": {}}', '{"looks": [["text"]], "warnings": [], "model": null}']) {
    cache.entries.set(key!, damaged);
    assert.deepEqual(await loadModel(options), fresh, damaged);
  }
});

test('a changed variable no file names is still a hit, and the model carries its new value; one a file names is a miss', async (t) => {
  const dir = project(t, {
    'compose.yaml': 'services:\n  web:\n    image: busybox:${TAG:-1}\n    environment: [LANG]\n',
    '.env': 'FROM_DOTENV=1\n',
  });
  const cache = memoryCache();
  const options: LoadOptions = { cwd: dir, environment: { TAG: '2', PADDING: 'aaa', SECRET_TOKEN: 'hunter2-value' }, warn: () => {} };
  await load(options, cache);
  assert.ok([...cache.entries.values()].every((entry) => !entry.includes('hunter2-value')), "the caller's variables are not written to disk");
  const padded = await load({ ...options, environment: { ...options.environment, PADDING: 'bbbbbb', ADDED: 'x' } }, cache);
  assert.equal(padded.hit, true);
  assert.deepEqual(padded.model, await loadModel({ ...options, environment: { ...options.environment, PADDING: 'bbbbbb', ADDED: 'x' } }));
  assert.equal(padded.model.environment.PADDING, 'bbbbbb');
  assert.equal(padded.model.environment.FROM_DOTENV, '1');
  for (const [what, environment] of [
    ['a variable the file interpolates', { ...options.environment, TAG: '3' }],
    ['a bare variable the file names', { ...options.environment, LANG: 'C' }],
    ['a variable the loader reads by name', { ...options.environment, COMPOSE_PROFILES: 'debug' }],
    ['a variable the .env could be overridden by', { ...options.environment, FROM_DOTENV: '2' }],
  ] as const) {
    const changed = await load({ ...options, environment }, cache);
    assert.equal(changed.hit, false, what);
    assert.deepEqual(changed.model, await loadModel({ ...options, environment }), what);
    await load(options, cache);
  }
  // `_` changes with the program a shell runs: inside `depends_on` it is no variable, as `${_}` it is.
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: busybox\n    depends_on: [db]\n  db:\n    image: busybox\n');
  await load({ ...options, environment: { ...options.environment, _: '/usr/bin/node' } }, cache);
  assert.equal((await load({ ...options, environment: { ...options.environment, _: '/usr/bin/time' } }, cache)).hit, true);
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: busybox\n    labels: {by: "${_}"}\n');
  await load({ ...options, environment: { ...options.environment, _: '/usr/bin/node' } }, cache);
  const underscore = await load({ ...options, environment: { ...options.environment, _: '/usr/bin/time' } }, cache);
  assert.equal(underscore.hit, false);
  assert.deepEqual((underscore.model.tree.services as Record<string, { labels: object }>).web?.labels, { by: '/usr/bin/time' });
  // A backslash could spell a name that the text does not hold as written: any change is then a miss.
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  web:\n    image: "busybox:\\x24{PADDING}"\n');
  await load(options, cache);
  const escaped = await load({ ...options, environment: { ...options.environment, PADDING: 'ccc' } }, cache);
  assert.equal(escaped.hit, false);
  assert.equal((escaped.model.tree.services as Record<string, { image: string }>).web?.image, 'busybox:ccc');
});
