import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findMount } from './tools.js';

const MOUNTINFO = [
  '22 1 0:21 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
  '90 22 0:50 / /var/lib/berth/containers/abc/bundle/rootfs rw,relatime shared:40 - overlay overlay rw,lowerdir=/l1:/l2,upperdir=/var/lib/berth/containers/abc/upper,workdir=/var/lib/berth/containers/abc/work',
  '91 22 0:51 / /var/lib/berth/containers/abc/bundle/rootfs rw,relatime - tmpfs tmpfs rw',
  '92 22 0:52 / /mnt/with\\040space rw - tmpfs none rw,size=1k',
].join('\n');

test('the topmost mount at a path, with its type and superblock options', () => {
  assert.deepEqual(findMount(MOUNTINFO, '/var/lib/berth/containers/abc/bundle/rootfs'), { type: 'tmpfs', source: 'tmpfs', superOptions: 'rw' });
  assert.equal(findMount(MOUNTINFO.split('\n').slice(0, 2).join('\n'), '/var/lib/berth/containers/abc/bundle/rootfs')?.type, 'overlay');
});

test('escaped paths match, and a path nothing is mounted at gives nothing', () => {
  assert.equal(findMount(MOUNTINFO, '/mnt/with space')?.source, 'none');
  assert.equal(findMount(MOUNTINFO, '/var/lib/berth'), undefined);
});
