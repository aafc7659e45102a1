import assert from 'node:assert/strict';
import { test } from 'node:test';
import { humanSize, layerEvent } from './layers.js';

const PARENT = 'Image reg/web:1';

test('a pull shows messages about a layer that carry progress details, as compose does', () => {
  assert.equal(layerEvent(PARENT, { status: 'Digest: sha256:00', hasDetail: false }, 'pull'), undefined);
  assert.equal(layerEvent(PARENT, { id: '1', status: 'Pulling from web', hasDetail: false }, 'pull'), undefined);
  assert.deepEqual(layerEvent(PARENT, { id: 'abc', status: 'Pulling fs layer', hasDetail: true }, 'pull'), { resource: 'abc', parent: PARENT, status: 'Pulling fs layer', done: false });
  assert.deepEqual(layerEvent(PARENT, { id: 'abc', status: 'Downloading', hasDetail: true, current: 1500, total: 1052000 }, 'pull'), {
    resource: 'abc',
    parent: PARENT,
    status: 'Downloading',
    done: false,
    detail: '1.5kB/1.052MB',
    current: 1500,
    total: 1052000,
  });
  assert.equal(layerEvent(PARENT, { id: 'abc', status: 'Pull complete', hasDetail: true }, 'pull')?.done, true);
  assert.equal(layerEvent(PARENT, { id: 'abc', status: 'waiting', hasDetail: true }, 'pull')?.status, 'Waiting');
});

test('a push shows every message about a layer; a mount names where from; other words pass through', () => {
  assert.equal(layerEvent('reg/app:1', { id: 'abc', status: 'Preparing', hasDetail: false }, 'push')?.status, 'Preparing');
  assert.deepEqual(layerEvent('reg/app:1', { id: 'abc', status: 'Mounted from other/app', hasDetail: false }, 'push'), {
    resource: 'abc',
    parent: 'reg/app:1',
    status: 'Mounted from',
    done: true,
    detail: 'other/app',
  });
  assert.equal(layerEvent('reg/app:1', { id: 'abc', status: 'Layer already exists', hasDetail: false }, 'push')?.done, true);
  assert.deepEqual(layerEvent('reg/app:1', { id: 'abc', status: 'Retrying in 5 seconds', hasDetail: false }, 'push'), {
    resource: 'abc',
    parent: 'reg/app:1',
    status: 'Working',
    done: false,
    detail: 'Retrying in 5 seconds',
  });
});

test('sizes as docker prints them', () => {
  assert.equal(humanSize(0), '0B');
  assert.equal(humanSize(527), '527B');
  assert.equal(humanSize(1500), '1.5kB');
  assert.equal(humanSize(1052346), '1.052MB');
  assert.equal(humanSize(3.2e9), '3.2GB');
});
