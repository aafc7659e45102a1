import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseChallenges, parseRegistryAuthHeader, parseRegistryConfigHeader, registryKey } from './auth.js';

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

test('X-Registry-Auth: username/password, auth, identity and registry tokens; empty means anonymous', () => {
  assert.deepEqual(parseRegistryAuthHeader(encode({ username: 'a', password: 'b', serveraddress: 'h:5000' })), { username: 'a', password: 'b', serverAddress: 'h:5000' });
  assert.deepEqual(parseRegistryAuthHeader(encode({ auth: Buffer.from('u:p:q').toString('base64') })), { username: 'u', password: 'p:q' });
  assert.deepEqual(parseRegistryAuthHeader(encode({ identitytoken: 'refresh' })), { identityToken: 'refresh' });
  assert.deepEqual(parseRegistryAuthHeader(encode({ registrytoken: 'bearer' })), { registryToken: 'bearer' });
  assert.equal(parseRegistryAuthHeader(encode({})), undefined);
  assert.equal(parseRegistryAuthHeader(''), undefined);
  assert.throws(() => parseRegistryAuthHeader('!!!not-json'), /not base64-encoded JSON/);
  assert.throws(() => parseRegistryAuthHeader(encode({ username: 5 })), /username must be a string/);
  assert.throws(() => parseRegistryAuthHeader(encode([1])), /not a JSON object/);
});

test('X-Registry-Config maps registries to credentials; Docker Hub addresses become docker.io', () => {
  const config = parseRegistryConfigHeader(encode({ 'https://index.docker.io/v1/': { username: 'hub' }, '127.0.0.1:5000': { username: 'local', password: 'x' } }));
  assert.deepEqual([...config.keys()], ['docker.io', '127.0.0.1:5000']);
  assert.equal(registryKey('http://127.0.0.1:5000/v2/'), '127.0.0.1:5000');
});

test('WWW-Authenticate challenges with quoted and escaped values', () => {
  assert.deepEqual(parseChallenges('Bearer realm="https://auth/token",service="reg",scope="repository:a/b:pull,push"'), [
    { scheme: 'bearer', params: { realm: 'https://auth/token', service: 'reg', scope: 'repository:a/b:pull,push' } },
  ]);
  assert.deepEqual(parseChallenges('Basic realm="a \\"quoted\\" realm"'), [{ scheme: 'basic', params: { realm: 'a "quoted" realm' } }]);
  assert.deepEqual(parseChallenges('Basic realm=x, Bearer realm="y"').map((challenge) => challenge.scheme), ['basic', 'bearer']);
  assert.deepEqual(parseChallenges(undefined), []);
});
