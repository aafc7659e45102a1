import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PortConfig } from '../../model/types.js';
import { convertPorts, exposedPortKeys } from './ports.js';

test('published ports are exposed and bound, with host ip, range and protocol', () => {
  const ports: PortConfig[] = [
    { mode: 'ingress', target: 3000, protocol: 'tcp' },
    { mode: 'ingress', target: 8080, published: '9090', protocol: 'tcp' },
    { mode: 'ingress', host_ip: '127.0.0.1', target: 5000, published: '5000', protocol: 'tcp' },
    { mode: 'ingress', target: 53, published: '1053', protocol: 'udp' },
    { mode: 'ingress', target: 80, published: '8000-8010', protocol: 'tcp' },
    { mode: 'ingress', target: 80, published: '8080', host_ip: '::1', protocol: 'tcp' },
    { mode: 'ingress', target: 9, protocol: 'SCTP' },
  ];
  assert.deepEqual(convertPorts({ name: 'web', ports }), {
    config: {
      ExposedPorts: { '3000/tcp': {}, '8080/tcp': {}, '5000/tcp': {}, '53/udp': {}, '80/tcp': {}, '9/sctp': {} },
    },
    host: {
      PortBindings: {
        '3000/tcp': [{ HostIp: '', HostPort: '' }],
        '8080/tcp': [{ HostIp: '', HostPort: '9090' }],
        '5000/tcp': [{ HostIp: '127.0.0.1', HostPort: '5000' }],
        '53/udp': [{ HostIp: '', HostPort: '1053' }],
        '80/tcp': [
          { HostIp: '', HostPort: '8000-8010' },
          { HostIp: '::1', HostPort: '8080' },
        ],
        '9/sctp': [{ HostIp: '', HostPort: '' }],
      },
    },
  });
});

test('expose adds ports (and ranges) without binding them', () => {
  assert.deepEqual(convertPorts({ name: 'web', expose: ['3000', '4000-4002/udp'] }), {
    config: { ExposedPorts: { '3000/tcp': {}, '4000/udp': {}, '4001/udp': {}, '4002/udp': {} } },
    host: {},
  });
  assert.deepEqual(exposedPortKeys('7/sctp', []), ['7/sctp']);
});

test('bad ports and host addresses are refused with their path', () => {
  assert.throws(() => convertPorts({ name: 'web', expose: ['70000'] }), /invalid port 70000/);
  assert.throws(() => convertPorts({ name: 'web', expose: ['5-3'] }), /invalid port range/);
  assert.throws(
    () => convertPorts({ name: 'web', ports: [{ target: 80, host_ip: 'localhost' }] }),
    (error: { message: string; path: unknown }) => /invalid host IP/.test(error.message) && JSON.stringify(error.path) === '["services","web","ports",0,"host_ip"]',
  );
});

test('no ports, nothing', () => {
  assert.deepEqual(convertPorts({ name: 'web' }), { config: {}, host: {} });
});
