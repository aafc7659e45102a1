import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInMemory } from './run-in-memory.js';

const fixture = (name: string): string => fileURLToPath(new URL(`../../fixtures/model/${name}`, import.meta.url));

const berth = runInMemory;

test('config --services lists active services in dependency order, with the override and .env applied', async () => {
  const result = await berth(['config', '--services'], fixture('config-basic'));
  assert.equal(result.stderr, '');
  assert.equal(result.stdout, 'db\napi\nweb\n');
});

test('config --images interpolates from .env, and the shell environment wins over .env', async () => {
  const fromDotEnv = await berth(['config', '--images'], fixture('config-basic'));
  assert.equal(fromDotEnv.stdout, 'basic-api\npostgres\nregistry.local/web:from-dotenv\n');
  const fromShell = await berth(['config', '--images'], fixture('config-basic'), { TAG: 'shell', PROJECT: 'other' });
  assert.equal(fromShell.stdout, 'other-api\npostgres\nregistry.local/web:shell\n');
});

test('config --profiles lists all profiles; --profile enables a service; naming a service enables it', async () => {
  assert.equal((await berth(['config', '--profiles'], fixture('config-basic'))).stdout, 'debug\n');
  assert.equal((await berth(['--profile', 'debug', 'config', '--services'], fixture('config-basic'))).stdout, 'db\napi\ndebug\nweb\n');
  // --services lists the project whatever services are named, as compose does; other listings honour them.
  assert.equal((await berth(['config', '--services', 'debug'], fixture('config-basic'))).stdout, 'db\napi\nweb\n');
  assert.equal((await berth(['config', '--images', 'debug'], fixture('config-basic'))).stdout, 'basic-api\npostgres\nbusybox\nregistry.local/web:from-dotenv\n');
});

test('config -q validates and prints nothing; -p sets the project name; an invalid -p is an error', async () => {
  const quiet = await berth(['config', '-q'], fixture('config-basic'));
  assert.deepEqual([quiet.code, quiet.stdout], [0, '']);
  assert.match((await berth(['-p', 'named', 'config', '--images'], fixture('config-basic'))).stdout, /^named-api\n/);
  const invalid = await berth(['-p', 'Bad Name', 'config', '-q'], fixture('config-basic'));
  assert.equal(invalid.code, 1);
  assert.match(invalid.stderr, /invalid project name "Bad Name"/);
});

test('config --environment prints the interpolation environment, sorted', async () => {
  const result = await berth(['config', '--environment'], fixture('config-basic'), { ZED: '1' });
  assert.equal(result.stdout, 'COMPOSE_PROJECT_NAME=basic\nREGISTRY=registry.local\nTAG=from-dotenv\nZED=1\n');
});

test('a dependency cycle is one error that prints the path, exit 1, no stack trace', async () => {
  const result = await berth(['config', '-q'], fixture('bad-cycle'));
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^\/.*bad-cycle\/compose\.yaml:3:5: services\.a: dependency cycle detected: a -> b -> a\n$/);
});

test('a required variable that is missing names file, line, column and path', async () => {
  const result = await berth(['config', '-q'], fixture('bad-interpolation'));
  assert.equal(result.code, 1);
  assert.match(result.stderr, /^\/.*bad-interpolation\/compose\.yaml:3:12: services\.web\.image: required variable IMAGE is missing a value: must be set\n$/);
});

test('invalid YAML, a schema violation, a missing env file and a missing -f file are clear errors', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
  t.after(() => rmSync(dir, { recursive: true }));
  writeFileSync(join(dir, 'broken.yaml'), 'services:\n  web: [\n');
  writeFileSync(join(dir, 'unknown.yaml'), 'services:\n  web:\n    image: x\n    imag: y\n');
  const broken = await berth(['-f', 'broken.yaml', 'config', '-q'], dir);
  assert.equal(broken.code, 1);
  assert.match(broken.stderr, /broken\.yaml:\d+:\d+: invalid YAML/);
  const unknown = await berth(['-f', 'unknown.yaml', 'config', '-q'], dir);
  assert.match(unknown.stderr, /unknown\.yaml:4:11: services\.web\.imag: services\.web additional property imag is not allowed\n$/);
  const noEnv = await berth(['-f', 'unknown.yaml', '--env-file', 'nope.env', 'config', '-q'], dir);
  assert.match(noEnv.stderr, /env file .*nope\.env not found/);
  const noFile = await berth(['-f', 'missing.yaml', 'config', '-q'], dir);
  assert.match(noFile.stderr, /missing\.yaml: no such file or directory/);
  for (const result of [broken, unknown, noEnv, noFile]) {
    assert.equal(result.code, 1);
    assert.doesNotMatch(result.stderr, /\n\s+at /);
  }
});

test('a duplicate container_name is one error naming both services, file, line and column', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-config-'));
  t.after(() => rmSync(dir, { recursive: true }));
  writeFileSync(join(dir, 'compose.yaml'), 'services:\n  a:\n    image: x\n    container_name: same\n  b:\n    image: x\n    container_name: same\n');
  const result = await berth(['config', '-q'], dir);
  assert.equal(result.code, 1);
  assert.equal(result.stderr, `${join(dir, 'compose.yaml')}:7:21: services.b.container_name: services a and b use the same container_name "same"\n`);
});

test('digest flags need a registry and are refused by name; an unknown --format is an error', async () => {
  const result = await berth(['config', '--resolve-image-digests'], fixture('config-basic'));
  assert.equal(result.code, 1);
  assert.match(result.stderr, /--resolve-image-digests and --lock-image-digests need registry access/);
  const format = await berth(['config', '--format', 'toml'], fixture('config-basic'));
  assert.deepEqual([format.code, format.stderr], [1, 'unsupported format "toml"\n']);
});

test('config prints the canonical model; -o writes it to a file; a literal $ is written $$', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-config-out-'));
  t.after(() => rmSync(dir, { recursive: true }));
  writeFileSync(join(dir, 'compose.yaml'), 'name: out\nservices:\n  web:\n    image: busybox\n    command: echo $$HOME\n');
  const printed = await berth(['config'], dir);
  assert.equal(
    printed.stdout,
    'name: out\nservices:\n  web:\n    command:\n      - echo\n      - $$HOME\n    image: busybox\n    networks:\n      default: null\nnetworks:\n  default:\n    name: out_default\n',
  );
  const saved = await berth(['config', '--format', 'json', '-o', 'out.json'], dir);
  assert.deepEqual([saved.code, saved.stdout], [0, '']);
  assert.equal(JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')).services.web.image, 'busybox');
});

test('config --hash, --volumes, --networks, --variables', async () => {
  const hashes = (await berth(['config', '--hash', '*'], fixture('config-basic'))).stdout.trim().split('\n');
  assert.deepEqual(hashes.map((line) => line.split(' ')[0]), ['api', 'db', 'web']);
  for (const line of hashes) assert.match(line, / [0-9a-f]{64}$/);
  assert.equal((await berth(['config', '--hash', 'db'], fixture('config-basic'))).stdout, `${hashes[1]}\n`);
  assert.match((await berth(['config', '--hash', 'nope'], fixture('config-basic'))).stderr, /no such service: nope/);
  assert.equal((await berth(['config', '--networks'], fixture('config-basic'))).stdout, 'default\n');
  assert.equal((await berth(['config', '--volumes'], fixture('config-basic'))).stdout, '');
  assert.equal(
    (await berth(['config', '--variables'], fixture('config-basic'))).stdout,
    [
      'NAME                REQUIRED            DEFAULT VALUE       ALTERNATE VALUE',
      'PROJECT             false               basic               ',
      'REGISTRY            false                                   ',
      'TAG                 false               latest              ',
      '',
    ].join('\n'),
  );
});
