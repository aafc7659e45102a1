import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildRecord, commandLine, mergeEnv } from './build-record.js';
import type { NewContainer } from './build-record.js';

const ID = 'a'.repeat(64);

function container(overrides: Partial<NewContainer> & Pick<NewContainer, 'request'>): NewContainer {
  const defaults = overrides.image?.defaults ?? { Cmd: ['sh'], Env: ['PATH=/bin', 'A=1'], Labels: { from: 'image' }, WorkingDir: '/srv', StopSignal: 'SIGQUIT' };
  return {
    id: ID,
    name: 'web',
    created: '2024-01-01T00:00:00.000Z',
    image: { id: 'sha256:img', defaults },
    command: commandLine(overrides.request, defaults),
    mounts: [],
    tmpfs: {},
    networks: {},
    ...overrides,
  };
}

test('the command: the request\'s entrypoint replaces the image\'s and drops its cmd; a cmd alone keeps the entrypoint', () => {
  const image = { Entrypoint: ['/entry'], Cmd: ['serve'] };
  assert.deepEqual(commandLine({}, image), { entrypoint: ['/entry'], cmd: ['serve'], argv: ['/entry', 'serve'] });
  assert.deepEqual(commandLine({ Entrypoint: ['/other'] }, image), { entrypoint: ['/other'], cmd: [], argv: ['/other'] });
  assert.deepEqual(commandLine({ Cmd: ['run', 'x'] }, image), { entrypoint: ['/entry'], cmd: ['run', 'x'], argv: ['/entry', 'run', 'x'] });
  assert.deepEqual(commandLine({ Entrypoint: [''], Cmd: ['ls'] }, image).argv, ['ls']);
});

test('no command from the request or the image is a 400', () => {
  assert.throws(() => commandLine({}, {}), /No command specified/);
  assert.throws(() => commandLine({ Entrypoint: [] }, { Cmd: ['sh'] }), /No command specified/);
});

test('the environment: request entries override the image\'s by name, first-seen order kept', () => {
  assert.deepEqual(mergeEnv(['PATH=/bin', 'A=1'], ['A=2', 'B=3']), ['PATH=/bin', 'A=2', 'B=3']);
});

test('a record takes the image\'s defaults where the request is silent', () => {
  const record = buildRecord(container({ request: { Image: 'busybox', Env: ['A=2'], Labels: { mine: 'yes' } } }));
  assert.equal(record.config.WorkingDir, '/srv');
  assert.equal(record.config.StopSignal, 'SIGQUIT');
  assert.deepEqual(record.config.Env, ['PATH=/bin', 'A=2']);
  assert.deepEqual(record.config.Labels, { from: 'image', mine: 'yes' });
  assert.equal(record.config.Hostname, ID.slice(0, 12));
  assert.equal(record.hostname, ID.slice(0, 12));
  assert.equal(record.path, 'sh');
  assert.deepEqual(record.args, []);
  assert.equal(record.hostConfig.NetworkMode, 'default');
  assert.deepEqual(record.state, { status: 'created', pid: 0, exitCode: 0, startedAt: '0001-01-01T00:00:00Z', finishedAt: '0001-01-01T00:00:00Z', oomKilled: false, error: '' });
});

test('the request wins over the image, and HostConfig and NetworkingConfig stay out of the config', () => {
  const record = buildRecord(
    container({
      request: { Image: 'busybox', User: '33', WorkingDir: '/w', StopSignal: 'SIGINT', Hostname: 'box', HostConfig: { NetworkMode: 'host', Tmpfs: { '/old': '' } }, NetworkingConfig: { EndpointsConfig: {} } },
      tmpfs: { '/run': 'size=1' },
    }),
  );
  assert.equal(record.config.User, '33');
  assert.equal(record.config.WorkingDir, '/w');
  assert.equal(record.config.StopSignal, 'SIGINT');
  assert.equal(record.hostname, 'box');
  assert.equal(record.hostConfig.NetworkMode, 'host');
  assert.deepEqual(record.hostConfig.Tmpfs, { '/run': 'size=1' });
  assert.equal('HostConfig' in record.config, false);
  assert.equal('NetworkingConfig' in record.config, false);
});
