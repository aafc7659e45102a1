import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceConfig } from '../../model/types.js';
import type { ContainerPlanContext } from './context.js';
import { planContext } from './test-context.js';
import { convertNetworking, networksByPriority } from './networking.js';

const ctx = planContext({
  networkNames: { default: 'shop_default', front: 'shop_front', back: 'shop_back' },
  containersByService: { vpn: [{ id: 'vpn111', name: 'shop-vpn-1' }] },
});

function run(service: ServiceConfig, context: ContainerPlanContext = ctx, links: string[] = []) {
  const warnings: string[] = [];
  return { ...convertNetworking(service, context, links, (w) => warnings.push(w)), warnings };
}

test('networks are ordered by priority, then name', () => {
  assert.deepEqual(networksByPriority({ foo: null, bar: { priority: 10 }, zot: { priority: 100 }, qix: { priority: 1000 } }, 'web'), ['qix', 'zot', 'bar', 'foo']);
  assert.deepEqual(networksByPriority({ zot: null, bar: null, foo: {} }, 'web'), ['bar', 'foo', 'zot']);
});

test('the default network: container name, service name as aliases', () => {
  assert.deepEqual(run({ name: 'web', networks: { default: null } }), {
    host: { NetworkMode: 'shop_default' },
    config: {},
    networking: { EndpointsConfig: { shop_default: { Aliases: ['shop-web-1', 'web'] } } },
    extraNetworks: [],
    warnings: [],
  });
});

test('from API 1.44 every network is in the create request, with addresses, aliases, links and options', () => {
  const result = run(
    {
      name: 'web',
      mac_address: '02:42:ac:11:65:43',
      networks: {
        back: { ipv4_address: '172.16.238.10', ipv6_address: '2001:3984:3989::10', mac_address: '02:42:72:98:65:08', link_local_ips: ['169.254.1.1'] },
        front: { aliases: ['alias1', 'alias3'], priority: 5, gw_priority: 1, interface_name: 'eth7', driver_opts: { foo: 'bar' } },
      },
    },
    { ...ctx, apiVersion: '1.49' },
    ['shop-db-1:db'],
  );
  assert.deepEqual(result, {
    host: { NetworkMode: 'shop_front' },
    config: {},
    networking: {
      EndpointsConfig: {
        shop_front: {
          Aliases: ['shop-web-1', 'web', 'alias1', 'alias3'],
          Links: ['shop-db-1:db'],
          MacAddress: '02:42:ac:11:65:43',
          DriverOpts: { foo: 'bar', 'com.docker.network.endpoint.ifname': 'eth7' },
          GwPriority: 1,
        },
        shop_back: {
          Aliases: ['shop-web-1', 'web'],
          Links: ['shop-db-1:db'],
          IPAMConfig: { IPv4Address: '172.16.238.10', IPv6Address: '2001:3984:3989::10', LinkLocalIPs: ['169.254.1.1'] },
          MacAddress: '02:42:72:98:65:08',
        },
      },
    },
    extraNetworks: [],
    warnings: [],
  });
});

test('before API 1.44 only the primary network is in the request; the MAC address is container-wide', () => {
  assert.deepEqual(run({ name: 'web', mac_address: '02:42:ac:11:65:43', networks: { front: null, back: { aliases: ['b'] } } }, { ...ctx, apiVersion: '1.43' }), {
    host: { NetworkMode: 'shop_back' },
    config: { MacAddress: '02:42:ac:11:65:43' },
    networking: { EndpointsConfig: { shop_back: { Aliases: ['shop-web-1', 'web', 'b'], MacAddress: '02:42:ac:11:65:43' } } },
    extraNetworks: [{ network: 'shop_front', endpointConfig: { Aliases: ['shop-web-1', 'web'] } }],
    warnings: [],
  });
});

test('the context may name the primary network; run without aliases keeps only the container name', () => {
  const result = run({ name: 'web', networks: { front: null, back: null } }, { ...ctx, primaryNetwork: 'front', useNetworkAliases: false });
  assert.equal(result.host?.NetworkMode, 'shop_front');
  assert.deepEqual(result.networking?.EndpointsConfig['shop_back'], { Aliases: ['shop-web-1'] });
});

test('network_mode is passed through; service:x becomes the container of x; disabled means none', () => {
  assert.deepEqual(run({ name: 'web', network_mode: 'host' }), { config: {}, host: { NetworkMode: 'host' }, extraNetworks: [], warnings: [] });
  assert.deepEqual(run({ name: 'web', network_mode: 'service:vpn' }).host, { NetworkMode: 'container:vpn111' });
  assert.deepEqual(run({ name: 'web', network_mode: 'container:abc' }).host, { NetworkMode: 'container:abc' });
  assert.deepEqual(run({ name: 'web', network_mode: 'disabled' }), {
    config: { NetworkDisabled: true },
    host: { NetworkMode: 'none' },
    extraNetworks: [],
    warnings: [],
  });
  assert.throws(() => run({ name: 'web', network_mode: 'service:nope' }), /cannot share network namespace with service nope: container missing/);
});

test('a project without networks gives none', () => {
  assert.deepEqual(run({ name: 'web' }, { ...ctx, networkNames: {} }), { host: { NetworkMode: 'none' }, extraNetworks: [], warnings: [] });
});

test('inconsistent or unsupported network settings are refused', () => {
  assert.throws(() => run({ name: 'web', mac_address: '02:00:00:00:00:01', networks: { front: { mac_address: '02:00:00:00:00:02' } } }), /should have the same value as network front/);
  assert.throws(() => run({ name: 'web', networks: { front: { interface_name: 'eth1' } } }, { ...ctx, apiVersion: '1.48' }), /interface_name requires Engine API 1.49/);
  assert.throws(() => run({ name: 'web', networks: { front: { ipv4_address: '2001::1' } } }), /invalid IPv4 address/);
  assert.throws(() => run({ name: 'web', networks: { elsewhere: null } }), /undefined network elsewhere/);
});
