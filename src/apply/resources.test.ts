import assert from 'node:assert/strict';
import { test } from 'node:test';
import { networkConfigHash, volumeConfigHash } from '../model/hash.js';
import type { Dict } from '../model/tree.js';
import type { NetworkConfig, VolumeConfig } from '../model/types.js';
import { networkCreateBody, volumeCreateBody } from './resources.js';

test("a plain network: compose's name and defaults, the user's labels kept, berth's labels to find it again", () => {
  const network = { labels: { team: 'web' } } as NetworkConfig;
  assert.deepEqual(networkCreateBody('demo', 'default', network, '2.0.0'), {
    Name: 'demo_default',
    Driver: 'bridge',
    Options: {},
    Internal: false,
    Attachable: false,
    Labels: {
      team: 'web',
      'com.docker.compose.network': 'default',
      'com.docker.compose.project': 'demo',
      'com.docker.compose.version': '2.0.0',
      'com.docker.compose.config-hash': networkConfigHash(network as Dict),
    },
    CheckDuplicate: true,
  });
});

test('a network with its own name, driver, options, IPAM pools and IP families', () => {
  const network = {
    name: 'shared-net',
    driver: 'macvlan',
    driver_opts: { parent: 'eth0' },
    internal: true,
    attachable: true,
    enable_ipv6: true,
    enable_ipv4: false,
    ipam: { config: [{ subnet: '10.9.0.0/24', ip_range: '10.9.0.128/25', gateway: '10.9.0.1', aux_addresses: { router: '10.9.0.2' } }, { subnet: 'fd00::/64' }], options: { x: 'y' } },
  } as unknown as NetworkConfig;
  const body = networkCreateBody('demo', 'back', network, '2.0.0');
  assert.equal(body.Name, 'shared-net');
  assert.equal(body.Driver, 'macvlan');
  assert.deepEqual(body.Options, { parent: 'eth0' });
  assert.deepEqual(body.IPAM, {
    Driver: 'default',
    Config: [{ Subnet: '10.9.0.0/24', IPRange: '10.9.0.128/25', Gateway: '10.9.0.1', AuxiliaryAddresses: { router: '10.9.0.2' } }, { Subnet: 'fd00::/64' }],
    Options: { x: 'y' },
  });
  assert.equal(body.Internal, true);
  assert.equal(body.Attachable, true);
  assert.equal(body.EnableIPv6, true);
  assert.equal(body.EnableIPv4, false);
  assert.equal(body.Labels!['com.docker.compose.network'], 'back');
});

test("a volume: compose's name, or its own; the driver and its options; labels to find it again", () => {
  const volume = { driver_opts: { type: 'tmpfs', device: 'tmpfs' }, labels: { keep: 'yes' } } as unknown as VolumeConfig;
  assert.deepEqual(volumeCreateBody('demo', 'data', volume, '2.0.0'), {
    Name: 'demo_data',
    Driver: 'local',
    DriverOpts: { type: 'tmpfs', device: 'tmpfs' },
    Labels: {
      keep: 'yes',
      'com.docker.compose.volume': 'data',
      'com.docker.compose.project': 'demo',
      'com.docker.compose.version': '2.0.0',
      'com.docker.compose.config-hash': volumeConfigHash(volume as Dict),
    },
  });
  assert.equal(volumeCreateBody('demo', 'data', { name: 'my-data' } as VolumeConfig, '2.0.0').Name, 'my-data');
});
