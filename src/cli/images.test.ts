import assert from 'node:assert/strict';
import { test } from 'node:test';
import { familiarReference } from './images.js';

test('images: a reference as docker shows it', () => {
  assert.deepEqual(familiarReference('busybox'), { repository: 'busybox', tag: 'latest' });
  assert.deepEqual(familiarReference('docker.io/library/redis:7'), { repository: 'redis', tag: '7' });
  assert.deepEqual(familiarReference('localhost:5000/team/app'), { repository: 'localhost:5000/team/app', tag: 'latest' });
  assert.deepEqual(familiarReference('app@sha256:abc'), { repository: 'app', tag: '' });
  assert.deepEqual(familiarReference(`sha256:${'a'.repeat(64)}`), { repository: '', tag: '' });
});
