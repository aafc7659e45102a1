import assert from 'node:assert/strict';
import { test } from 'node:test';
import { linkEnvironment, overlayEnvironment } from './link-env.js';

test("a link's variables: ports tcp first, ranges of consecutive ports, the name, the environment but HOME and PATH", () => {
  const env = linkEnvironment({
    linkName: '/web/my-db',
    address: '10.0.0.2',
    exposedPorts: ['53/udp', '5433/tcp', '5432/tcp', '6000/tcp', '7000/tcp', '7001/tcp'],
    environment: ['PASSWORD=p=w', 'PATH=/bin', 'HOME=/', 'BROKEN'],
  });
  assert.deepEqual(env, [
    'MY_DB_PORT=tcp://10.0.0.2:5432',
    ...group('5432', 'tcp'),
    ...group('5433', 'tcp'),
    ...group('6000', 'tcp'),
    'MY_DB_PORT_5432_TCP_START=tcp://10.0.0.2:5432',
    'MY_DB_PORT_5432_TCP_PORT_START=5432',
    'MY_DB_PORT_5432_TCP_END=tcp://10.0.0.2:5433',
    'MY_DB_PORT_5432_TCP_PORT_END=5433',
    ...group('7000', 'tcp'),
    ...group('7001', 'tcp'),
    // A range is written once the port after it shows it has ended (as moby does).
    ...group('53', 'udp'),
    'MY_DB_PORT_7000_TCP_START=tcp://10.0.0.2:7000',
    'MY_DB_PORT_7000_TCP_PORT_START=7000',
    'MY_DB_PORT_7000_TCP_END=tcp://10.0.0.2:7001',
    'MY_DB_PORT_7000_TCP_PORT_END=7001',
    'MY_DB_NAME=/web/my-db',
    'MY_DB_ENV_PASSWORD=p=w',
  ]);
});

function group(port: string, proto: string): string[] {
  const prefix = `MY_DB_PORT_${port}_${proto.toUpperCase()}`;
  return [`${prefix}=${proto}://10.0.0.2:${port}`, `${prefix}_ADDR=10.0.0.2`, `${prefix}_PORT=${port}`, `${prefix}_PROTO=${proto}`];
}

test('no exposed ports: the name and environment only; the container\'s own variables win, in place', () => {
  assert.deepEqual(linkEnvironment({ linkName: '/a/b', address: '10.0.0.3', exposedPorts: [], environment: [] }), ['B_NAME=/a/b']);
  assert.deepEqual(overlayEnvironment(['B_NAME=/a/b', 'B_ENV_X=1'], ['PATH=/bin', 'B_NAME=mine']), ['B_NAME=mine', 'B_ENV_X=1', 'PATH=/bin']);
});
