import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { discoverEndpoint, parseEndpoint } from './endpoint.js';

const files = (entries: Record<string, string>) => (path: string): string => {
  const found = entries[path];
  if (found === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
  return found;
};

test('the chain: -H, then DOCKER_HOST, then the context, then the default socket', () => {
  const home = '/home/u';
  const id = createHash('sha256').update('remote').digest('hex');
  const readFile = files({
    '/home/u/.docker/config.json': JSON.stringify({ currentContext: 'remote' }),
    [`/home/u/.docker/contexts/meta/${id}/meta.json`]: JSON.stringify({ Endpoints: { docker: { Host: 'unix:///run/remote.sock' } } }),
  });
  assert.equal(discoverEndpoint({ host: 'unix:///a.sock', environment: { DOCKER_HOST: 'unix:///b.sock' }, homeDir: home, readFile }).socketPath, '/a.sock');
  assert.equal(discoverEndpoint({ environment: { DOCKER_HOST: 'unix:///b.sock' }, homeDir: home, readFile }).socketPath, '/b.sock');
  assert.deepEqual(discoverEndpoint({ environment: {}, homeDir: home, readFile }).socketPath, '/run/remote.sock');
  assert.equal(discoverEndpoint({ environment: { DOCKER_CONTEXT: 'default' }, homeDir: home, readFile }).socketPath, '/var/run/docker.sock');
  assert.throws(() => discoverEndpoint({ environment: { DOCKER_CONTEXT: 'gone' }, homeDir: home, readFile }), /context "gone" does not exist/);
});

test('addresses: unix, tcp with default ports, tls', () => {
  assert.deepEqual(parseEndpoint('tcp://127.0.0.1:2375', 'x'), { source: 'x', url: 'tcp://127.0.0.1:2375', host: '127.0.0.1', port: 2375, protocol: 'http' });
  assert.equal(parseEndpoint('tcp://engine', 'x', '/certs').port, 2376);
  assert.equal(parseEndpoint('tcp://engine', 'x', '/certs').protocol, 'https');
  assert.throws(() => parseEndpoint('ssh://me@host', 'DOCKER_HOST'), /ssh:\/\/ engines are not supported/);
  assert.throws(() => parseEndpoint('bogus', 'DOCKER_HOST'), /cannot parse engine address/);
});
