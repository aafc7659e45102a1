import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideImage, decidePullVerb, isLatest, parsePullPolicy } from './pull-policy.js';
import type { ImageService } from './pull-policy.js';

const HOUR = 3600 * 1000;
const NOW = Date.UTC(2026, 0, 10);
const web = (extra: Partial<ImageService> = {}): ImageService => ({ name: 'web', image: 'reg/web:1', ...extra });
const buildable = (extra: Partial<ImageService> = {}): ImageService => web({ build: { context: '.' } as ImageService['build'], ...extra });
const action = (services: ImageService[], local: { lastTagTime?: number } | undefined, flags: { build?: 'missing' | 'always' | 'never'; pull?: string } = {}) =>
  decideImage('reg/web:1', services, local, { build: flags.build ?? 'missing', ...(flags.pull ? { pull: flags.pull } : {}) }, NOW);

test('pull_policy values as compose-go reads them', () => {
  assert.deepEqual(parsePullPolicy(undefined, 's'), { kind: 'missing' });
  assert.deepEqual(parsePullPolicy('if_not_present', 's'), { kind: 'missing' });
  assert.deepEqual(parsePullPolicy('refresh', 's'), { kind: 'missing' });
  assert.deepEqual(parsePullPolicy('daily', 's'), { kind: 'refresh', everyMs: 24 * HOUR });
  assert.deepEqual(parsePullPolicy('weekly', 's'), { kind: 'refresh', everyMs: 7 * 24 * HOUR });
  assert.deepEqual(parsePullPolicy('every_12h', 's'), { kind: 'refresh', everyMs: 12 * HOUR });
  assert.deepEqual(parsePullPolicy('every_1d12h', 's'), { kind: 'refresh', everyMs: 36 * HOUR });
  assert.throws(() => parsePullPolicy('every_soon', 's'), /services\.s\.pull_policy: "every_soon" needs a positive duration after every_/);
  assert.throws(() => parsePullPolicy('every_0s', 's'), /services\.s\.pull_policy: "every_0s" needs a positive duration/);
});

test('missing (the default): pull only what the engine does not have', () => {
  assert.equal(action([web()], undefined).action, 'pull');
  assert.deepEqual(action([web()], {}), { action: 'use', cause: 'image reg/web:1 is on the engine' });
});

test('always pulls even what is there; never and --pull never pull nothing', () => {
  assert.deepEqual(action([web({ pull_policy: 'always' })], {}), { action: 'pull', cause: 'pull_policy: always (service web)', onFailure: 'fail' });
  assert.equal(action([web()], {}, { pull: 'always' }).cause, '--pull always (service web)');
  assert.equal(action([web({ pull_policy: 'never' })], {}).action, 'use');
  assert.deepEqual(action([web({ pull_policy: 'never' })], undefined), { action: 'missing', cause: 'No such image: reg/web:1 (pull_policy: never, so it is not pulled)' });
  assert.equal(action([web({ pull_policy: 'always' })], undefined, { pull: 'never' }).action, 'missing');
});

test('daily, weekly, every_: pull when the engine last tagged its copy longer ago than that (compose\'s LastTagTime rule)', () => {
  assert.equal(action([web({ pull_policy: 'daily' })], { lastTagTime: NOW - 23 * HOUR }).action, 'use');
  assert.equal(action([web({ pull_policy: 'daily' })], { lastTagTime: NOW - 25 * HOUR }).action, 'pull');
  assert.equal(action([web({ pull_policy: 'weekly' })], { lastTagTime: NOW - 6 * 24 * HOUR }).action, 'use');
  assert.equal(action([web({ pull_policy: 'every_2h' })], { lastTagTime: NOW - 3 * HOUR }).action, 'pull');
  assert.equal(action([web({ pull_policy: 'daily' })], undefined).action, 'pull');
  // An engine that never recorded the time (Go's zero time) has a copy older than any window, as in compose.
  assert.match(action([web({ pull_policy: 'daily' })], {}).cause, /does not say when it got its copy/);
});

test('an image and a build section: pull first, build when the pull fails; a present copy is kept if the pull fails', () => {
  assert.deepEqual(action([buildable()], undefined), { action: 'pull', cause: 'image not on the engine (service web)', onFailure: 'build' });
  assert.deepEqual(action([buildable({ pull_policy: 'always' })], {}), { action: 'pull', cause: 'pull_policy: always (service web)', onFailure: 'use' });
  assert.equal(action([buildable()], {}).action, 'use');
});

test('pull_policy: build and --build build; --no-build never builds', () => {
  assert.deepEqual(action([buildable({ pull_policy: 'build' })], {}), { action: 'build', cause: 'pull_policy: build (service web)' });
  assert.deepEqual(action([buildable()], {}, { build: 'always' }), { action: 'build', cause: '--build' });
  assert.equal(action([buildable()], {}, { pull: 'build' }).action, 'build');
  assert.equal(action([buildable({ pull_policy: 'build' })], {}, { build: 'never' }).action, 'use');
  assert.deepEqual(action([buildable({ pull_policy: 'build' })], undefined, { build: 'never' }), {
    action: 'missing',
    cause: 'No such image: reg/web:1 (--no-build, and pull_policy: build)',
  });
  assert.deepEqual(action([buildable()], undefined, { build: 'never' }), { action: 'pull', cause: 'image not on the engine (service web)', onFailure: 'fail' });
});

test('a build-only service (no image key) is built when missing, never pulled', () => {
  const only: ImageService = { name: 'app', build: { context: '.' } as ImageService['build'] };
  assert.equal(decideImage('p-app', [only], undefined, { build: 'missing' }, NOW).action, 'build');
  assert.equal(decideImage('p-app', [only], {}, { build: 'missing' }, NOW).action, 'use');
  assert.equal(decideImage('p-app', [{ ...only, pull_policy: 'always' }], {}, { build: 'missing' }, NOW).action, 'use');
  assert.equal(decideImage('p-app', [only], undefined, { build: 'never' }, NOW).action, 'missing');
});

test('services sharing an image: any one that wants a pull pulls it; the one with a build section builds it', () => {
  const other: ImageService = { name: 'worker', image: 'reg/web:1', pull_policy: 'always' };
  assert.deepEqual(action([web(), other], {}), { action: 'pull', cause: 'pull_policy: always (service worker)', onFailure: 'fail' });
  assert.equal(action([other, buildable({ name: 'builder', pull_policy: 'build' })], {}).action, 'build');
});

test('berth pull: an explicit pull refreshes unless the policy says otherwise', () => {
  assert.deepEqual(decidePullVerb(web(), {}), { pull: true });
  assert.deepEqual(decidePullVerb(web({ pull_policy: 'daily' }), {}), { pull: true });
  assert.deepEqual(decidePullVerb(web({ pull_policy: 'missing' }), {}), { pull: false, reason: 'Image is already present locally' });
  assert.deepEqual(decidePullVerb(web({ pull_policy: 'missing' }), undefined), { pull: true });
  assert.deepEqual(decidePullVerb(web({ image: 'reg/web', pull_policy: 'missing' }), {}), { pull: true });
  assert.deepEqual(decidePullVerb(web({ pull_policy: 'never' }), {}), { pull: false, reason: '' });
  assert.deepEqual(decidePullVerb(web({ pull_policy: 'build' }), undefined), { pull: false, reason: '' });
  assert.deepEqual(decidePullVerb(web({ pull_policy: 'never' }), {}, 'always'), { pull: true });
  assert.deepEqual(decidePullVerb(web(), {}, 'missing'), { pull: false, reason: 'Image is already present locally' });
});

test('latest: a bare name or :latest, never a digest', () => {
  assert.ok(isLatest('busybox'));
  assert.ok(isLatest('reg:5000/a/b:latest'));
  assert.ok(isLatest('reg:5000/a/b'));
  assert.ok(!isLatest('reg:5000/a/b:1'));
  assert.ok(!isLatest('a/b@sha256:00'));
});
