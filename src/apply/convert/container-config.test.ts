import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planContext } from './test-context.js';
import { convertContainerConfig, imageReference } from './container-config.js';

const ctx = planContext({
  labels: { 'com.docker.compose.service': 'web' },
});

test('the image is the service\'s, or the one build tags as <project>-<service>', () => {
  assert.equal(imageReference({ name: 'web', image: 'nginx:1' }, 'shop'), 'nginx:1');
  assert.equal(imageReference({ name: 'web' }, 'shop'), 'shop-web');
});

test('plain container settings map one to one; stop_grace_period becomes whole seconds', () => {
  const fragment = convertContainerConfig(
    {
      name: 'web',
      image: 'redis',
      hostname: 'foo',
      domainname: 'foo.com',
      user: 'someone',
      working_dir: '/code',
      tty: true,
      stdin_open: true,
      stop_signal: 'SIGUSR1',
      stop_grace_period: '1m30s',
      init: true,
      annotations: { 'com.example.foo': 'bar' },
    },
    ctx,
  );
  assert.deepEqual(fragment, {
    config: {
      Image: 'redis',
      Labels: { 'com.docker.compose.service': 'web' },
      Hostname: 'foo',
      Domainname: 'foo.com',
      User: 'someone',
      WorkingDir: '/code',
      AttachStdin: false,
      AttachStdout: true,
      AttachStderr: true,
      Tty: true,
      OpenStdin: true,
      StopSignal: 'SIGUSR1',
      StopTimeout: 90,
    },
    host: { Init: true, Annotations: { 'com.example.foo': 'bar' } },
  });
});

test('a pinned image in the context wins over the service image', () => {
  const fragment = convertContainerConfig({ name: 'web', image: 'redis' }, { ...ctx, image: 'sha256:abc' });
  assert.equal(fragment.config?.Image, 'sha256:abc');
  assert.equal(fragment.config?.Tty, false);
  assert.deepEqual(fragment.host, {});
});
