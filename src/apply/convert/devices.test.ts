import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertDevices, isCdiName } from './devices.js';

test('devices map by path; CDI names go to the cdi driver', () => {
  assert.deepEqual(
    convertDevices({
      name: 'web',
      devices: [
        { source: '/dev/ttyUSB0', target: '/dev/ttyUSB0', permissions: 'rwm' },
        { source: '/dev/sda', target: '/dev/xvda', permissions: 'r' },
        '/dev/fuse',
        '/dev/a:/dev/b:rw',
        { source: 'nvidia.com/gpu=all', target: 'nvidia.com/gpu=all' },
        'vendor.com/class=dev0',
      ],
      device_cgroup_rules: ['c 1:3 mr', 'a 7:* rmw'],
    }),
    {
      host: {
        Devices: [
          { PathOnHost: '/dev/ttyUSB0', PathInContainer: '/dev/ttyUSB0', CgroupPermissions: 'rwm' },
          { PathOnHost: '/dev/sda', PathInContainer: '/dev/xvda', CgroupPermissions: 'r' },
          { PathOnHost: '/dev/fuse', PathInContainer: '/dev/fuse', CgroupPermissions: 'rwm' },
          { PathOnHost: '/dev/a', PathInContainer: '/dev/b', CgroupPermissions: 'rw' },
        ],
        DeviceCgroupRules: ['c 1:3 mr', 'a 7:* rmw'],
        DeviceRequests: [{ Driver: 'cdi', DeviceIDs: ['nvidia.com/gpu=all', 'vendor.com/class=dev0'] }],
      },
    },
  );
  assert.equal(isCdiName('/dev/ttyUSB0'), false);
});

test('reserved devices, then CDI devices, then gpus (which always ask for the gpu capability)', () => {
  assert.deepEqual(
    convertDevices({
      name: 'web',
      deploy: { resources: { reservations: { devices: [{ capabilities: ['gpu', 'utility'], driver: 'nvidia', count: 'all' }, { capabilities: ['tpu'], device_ids: ['0', '3'] }] } } },
      devices: ['vendor.com/class=x'],
      gpus: [{ driver: 'nvidia', count: 2, options: { x: 'y' } }, { device_ids: ['GPU-1'] }],
    }).host?.DeviceRequests,
    [
      { Driver: 'nvidia', Count: -1, Capabilities: [['gpu', 'utility']] },
      { Count: 0, DeviceIDs: ['0', '3'], Capabilities: [['tpu']] },
      { Driver: 'cdi', DeviceIDs: ['vendor.com/class=x'] },
      { Driver: 'nvidia', Count: 2, Capabilities: [['gpu']], Options: { x: 'y' } },
      { Count: 0, DeviceIDs: ['GPU-1'], Capabilities: [['gpu']] },
    ],
  );
});

test('gpus: all is one request for every GPU', () => {
  assert.deepEqual(convertDevices({ name: 'web', gpus: 'all' }).host, { DeviceRequests: [{ Count: -1, Capabilities: [['gpu']] }] });
});
