import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertBlkio } from './blkio.js';

test('blkio_config maps weights and throttles, rates as sizes', () => {
  assert.deepEqual(
    convertBlkio({
      name: 'web',
      blkio_config: {
        weight: 300,
        weight_device: [{ path: '/dev/sda', weight: 400 }],
        device_read_bps: [{ path: '/dev/sdb', rate: '12mb' }],
        device_read_iops: [{ path: '/dev/sdb', rate: 120 }],
        device_write_bps: [{ path: '/dev/sdb', rate: '1024k' }],
        device_write_iops: [{ path: '/dev/sdb', rate: 30 }],
      },
    }),
    {
      host: {
        BlkioWeight: 300,
        BlkioWeightDevice: [{ Path: '/dev/sda', Weight: 400 }],
        BlkioDeviceReadBps: [{ Path: '/dev/sdb', Rate: 12 * 1024 * 1024 }],
        BlkioDeviceReadIOps: [{ Path: '/dev/sdb', Rate: 120 }],
        BlkioDeviceWriteBps: [{ Path: '/dev/sdb', Rate: 1024 * 1024 }],
        BlkioDeviceWriteIOps: [{ Path: '/dev/sdb', Rate: 30 }],
      },
    },
  );
});
