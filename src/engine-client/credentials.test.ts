import assert from 'node:assert/strict';
import { test } from 'node:test';
import { authKey, createCredentials, encodeAuth, encodeAuthMap, fromHelper, parseDockerConfig, registryOf, storedAuth } from './credentials.js';
import type { HelperRunner } from './credentials.js';

const decode = (header: string): unknown => JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
const basic = (user: string, password: string): string => Buffer.from(`${user}:${password}`).toString('base64');

test('the registry of a reference, as docker reads it', () => {
  assert.equal(registryOf('postgres:16'), 'docker.io');
  assert.equal(registryOf('library/postgres'), 'docker.io');
  assert.equal(registryOf('me/app@sha256:abc'), 'docker.io');
  assert.equal(registryOf('index.docker.io/me/app'), 'docker.io');
  assert.equal(registryOf('127.0.0.1:5000/me/app:v1'), '127.0.0.1:5000');
  assert.equal(registryOf('registry.example/app'), 'registry.example');
  assert.equal(registryOf('localhost/app'), 'localhost');
  assert.equal(registryOf('Upper/app'), 'Upper');
});

test('Docker Hub is filed under the old index URL, whichever of its names the image uses', () => {
  for (const name of ['docker.io', 'index.docker.io', 'registry-1.docker.io']) assert.equal(authKey(name), 'https://index.docker.io/v1/');
  assert.equal(authKey('127.0.0.1:5000'), '127.0.0.1:5000');
});

test('auths entries: auth decoded into user and password (a colon in the password kept), the key as the address', () => {
  const config = parseDockerConfig(JSON.stringify({ auths: { 'reg:5000': { auth: basic('me', 'pa:ss') }, 'https://index.docker.io/v1/': { identitytoken: 'tok' } } }), 'config.json');
  assert.deepEqual(storedAuth(config, 'reg:5000'), { username: 'me', password: 'pa:ss', serveraddress: 'reg:5000' });
  assert.deepEqual(storedAuth(config, 'https://index.docker.io/v1/'), { identitytoken: 'tok', serveraddress: 'https://index.docker.io/v1/' });
  assert.deepEqual(storedAuth(config, 'other:5000'), {});
});

test('a key written by an old client (with scheme and path) still matches its host', () => {
  const config = parseDockerConfig(JSON.stringify({ auths: { 'https://reg.example/v1/': { auth: basic('a', 'b') } } }), 'config.json');
  assert.equal(storedAuth(config, 'reg.example').username, 'a');
});

test('a malformed config.json is an error that names the file and the entry', () => {
  assert.throws(() => parseDockerConfig('{', '/h/.docker/config.json'), /\/h\/\.docker\/config\.json: not valid JSON/);
  assert.throws(() => parseDockerConfig('[]', 'c.json'), /c\.json: expected a JSON object/);
  assert.throws(() => parseDockerConfig(JSON.stringify({ auths: { r: { auth: basic('x', 'y').slice(0, 2) + '!!' } } }), 'c.json'), /auths\.r\.auth is not base64 of "user:password"/);
  assert.throws(() => parseDockerConfig(JSON.stringify({ auths: { r: { username: 5 } } }), 'c.json'), /auths\.r\.username must be a string/);
  assert.throws(() => parseDockerConfig(JSON.stringify({ credHelpers: { r: true } }), 'c.json'), /credHelpers\.r must be a string/);
});

test("a helper's answer: a password, or an identity token when the user is <token>", () => {
  const stored = { email: 'me@example', username: 'old', serveraddress: 'reg' };
  assert.deepEqual(fromHelper('{"ServerURL":"reg","Username":"me","Secret":"pw"}', 'reg', stored, 'x'), { email: 'me@example', username: 'me', password: 'pw', serveraddress: 'reg' });
  assert.deepEqual(fromHelper('{"Username":"<token>","Secret":"t0k"}', 'reg', {}, 'x'), { identitytoken: 't0k', serveraddress: 'reg' });
  assert.throws(() => fromHelper('oops', 'reg', {}, 'pass'), /docker-credential-pass get reg: its output is not JSON: oops/);
});

test('X-Registry-Auth is base64url JSON with Go\'s field names and padding; nothing at all is {}', () => {
  const header = encodeAuth({ serveraddress: 'r', username: 'u', password: 'p>?' });
  assert.deepEqual(decode(header), { username: 'u', password: 'p>?', serveraddress: 'r' });
  assert.equal(Object.keys(decode(header) as object).join(), 'username,password,serveraddress');
  assert.ok(!/[+/]/.test(header));
  assert.equal(encodeAuth({}), 'e30=');
  assert.deepEqual(decode(encodeAuthMap({ b: { username: 'x' }, a: {} })), { a: {}, b: { username: 'x' } });
});

function sources(files: Record<string, string>, helpers: Record<string, (action: string, input: string) => { code: number; stdout: string }> = {}) {
  const calls: string[] = [];
  const runHelper: HelperRunner = async (helper, action, input) => {
    calls.push(`${helper} ${action} ${input}`);
    const answer = helpers[helper];
    if (!answer) throw new Error(`no helper ${helper}`);
    return { ...answer(action, input), stderr: '' };
  };
  const read = async (path: string): Promise<string> => {
    if (path in files) return files[path]!;
    throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  };
  return { calls, runHelper, read };
}

test('DOCKER_CONFIG moves config.json; no file means anonymous', async () => {
  const { read, runHelper } = sources({ '/elsewhere/config.json': JSON.stringify({ auths: { 'reg:1': { auth: basic('u', 'p') } } }) });
  const moved = createCredentials({ environment: { DOCKER_CONFIG: '/elsewhere' }, homeDir: '/home/u', read, runHelper });
  assert.equal((await moved.authFor('reg:1/app')).password, 'p');
  const home = createCredentials({ environment: {}, homeDir: '/home/u', read, runHelper });
  assert.deepEqual(await home.authFor('reg:1/app'), {});
});

test('credHelpers win over credsStore, which wins over auths; the helper gets the key on stdin', async () => {
  const { read, runHelper, calls } = sources(
    {
      '/h/.docker/config.json': JSON.stringify({
        auths: { 'a:1': { auth: basic('file', 'f') }, 'https://index.docker.io/v1/': {} },
        credsStore: 'store',
        credHelpers: { 'b:1': 'special' },
      }),
    },
    {
      store: (action, input) => (action === 'list' ? { code: 0, stdout: '{"c:1":"x"}' } : input === 'a:1' ? { code: 0, stdout: '{"Username":"s","Secret":"sp"}' } : { code: 1, stdout: 'credentials not found in native keychain\n' }),
      special: () => ({ code: 0, stdout: '{"Username":"h","Secret":"hp"}' }),
    },
  );
  const credentials = createCredentials({ environment: {}, homeDir: '/h', read, runHelper });
  assert.deepEqual(await credentials.authFor('b:1/x'), { username: 'h', password: 'hp', serveraddress: 'b:1' });
  assert.deepEqual(await credentials.authFor('a:1/x:v'), { username: 's', password: 'sp', serveraddress: 'a:1' });
  assert.deepEqual(await credentials.authFor('busybox'), {});
  assert.deepEqual(calls, ['special get b:1', 'store get a:1', 'store get https://index.docker.io/v1/']);
  assert.deepEqual(Object.keys(await credentials.all()), ['a:1', 'b:1', 'c:1', 'https://index.docker.io/v1/']);
});

test("a helper that fails says which helper and what it printed", async () => {
  const { read, runHelper } = sources({ '/h/.docker/config.json': JSON.stringify({ credsStore: 'broken' }) }, { broken: () => ({ code: 3, stdout: 'keychain locked' }) });
  const credentials = createCredentials({ environment: {}, homeDir: '/h', read, runHelper });
  await assert.rejects(credentials.authFor('reg:1/a'), /error getting credentials for reg:1 from docker-credential-broken: keychain locked/);
});
