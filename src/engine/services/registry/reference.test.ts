import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canonical, familiarName, familiarReference, parseReference } from './reference.js';

test('references are read as dockerd reads them, Docker Hub names made whole', () => {
  assert.deepEqual(parseReference('busybox'), { domain: 'docker.io', path: 'library/busybox' });
  assert.deepEqual(parseReference('busybox:1.36'), { domain: 'docker.io', path: 'library/busybox', tag: '1.36' });
  assert.deepEqual(parseReference('team/app'), { domain: 'docker.io', path: 'team/app' });
  assert.deepEqual(parseReference('index.docker.io/busybox'), { domain: 'docker.io', path: 'library/busybox' });
  assert.deepEqual(parseReference('127.0.0.1:5000/a/b:v1'), { domain: '127.0.0.1:5000', path: 'a/b', tag: 'v1' });
  assert.deepEqual(parseReference('localhost/app'), { domain: 'localhost', path: 'app' });
  const digest = `sha256:${'a'.repeat(64)}`;
  assert.deepEqual(parseReference(`postgres:16@${digest}`), { domain: 'docker.io', path: 'library/postgres', tag: '16', digest });
  assert.equal(canonical(parseReference(`postgres:16@${digest}`)), `docker.io/library/postgres@${digest}`);
  assert.equal(canonical(parseReference('busybox')), 'docker.io/library/busybox:latest');
  assert.equal(familiarName('docker.io/library/busybox:latest'), 'busybox:latest');
  assert.equal(familiarName('docker.io/team/app'), 'team/app');
  assert.equal(familiarReference(parseReference('127.0.0.1:5000/a:v1')), '127.0.0.1:5000/a:v1');
});

test('malformed references are refused with dockerd\'s words', () => {
  assert.throws(() => parseReference('Busybox'), /repository name must be lowercase/);
  assert.throws(() => parseReference('busybox@sha256:../../etc'), /invalid reference format/);
  assert.throws(() => parseReference('a//b'), /invalid reference format/);
  assert.throws(() => parseReference(''), /invalid reference format/);
  assert.throws(() => parseReference(`a:${'x'.repeat(200)}`), /invalid reference format/);
  assert.throws(() => parseReference(`${'a'.repeat(300)}`), /must not be more than 255/);
});
