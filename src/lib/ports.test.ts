import assert from 'node:assert/strict';
import { test } from 'node:test';
import { publishedAddress, urlOf } from './ports.js';

const local = { socketPath: '/var/run/docker.sock' };
const remote = { host: 'engine.example' };
const both = {
  ports: [
    { ip: '::', privatePort: 80, publicPort: 32768, type: 'tcp' },
    { ip: '0.0.0.0', privatePort: 80, publicPort: 32768, type: 'tcp' },
    { ip: '127.0.0.1', privatePort: 53, publicPort: 5353, type: 'udp' },
    { privatePort: 9000, type: 'tcp' },
  ],
};

test('a port bound on every address is reached on loopback, IPv4 first', () => {
  assert.deepEqual(publishedAddress(local, both, 80, 'tcp'), { host: '127.0.0.1', port: 32768 });
  assert.deepEqual(publishedAddress(local, { ports: [both.ports[0]!] }, 80, 'tcp'), { host: '::1', port: 32768 });
});

test('a port bound on every address of a remote engine is reached on its host', () => {
  assert.deepEqual(publishedAddress(remote, both, 80, 'tcp'), { host: 'engine.example', port: 32768 });
});

test('a port bound on one address is reached there, for its protocol only', () => {
  assert.deepEqual(publishedAddress(local, both, 53, 'udp'), { host: '127.0.0.1', port: 5353 });
  assert.equal(publishedAddress(local, both, 53, 'tcp'), undefined);
});

test('an exposed port that is not published has no address', () => {
  assert.equal(publishedAddress(local, both, 9000, 'tcp'), undefined);
});

test('urls put IPv6 hosts in brackets and paths after a slash', () => {
  assert.equal(urlOf({ host: '::1', port: 8080 }, 'health'), 'http://[::1]:8080/health');
  assert.equal(urlOf({ host: '127.0.0.1', port: 80 }, '/'), 'http://127.0.0.1:80/');
});
