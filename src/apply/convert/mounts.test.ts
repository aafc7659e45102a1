import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { VolumeMount } from '../../model/types.js';
import type { ContainerPlanContext } from './context.js';
import { planContext } from './test-context.js';
import { convertMounts } from './mounts.js';

const ctx = planContext({
  volumeNames: { data: 'shop_data', ext: 'my-cool-volume' },
  containersByService: { db: [{ id: 'db111', name: 'shop-db-1' }, { id: 'db222', name: 'shop-db-2' }] },
});

function mounts(volumes: VolumeMount[], context: ContainerPlanContext = ctx) {
  const warnings: string[] = [];
  const fragment = convertMounts({ name: 'web', volumes }, context, (w) => warnings.push(w));
  return { host: fragment.host, warnings };
}

test('binds that may create their host path, and plain project volumes, use Binds strings', () => {
  assert.deepEqual(
    mounts([
      { type: 'bind', source: '/opt/data', target: '/var/lib/data', bind: { create_host_path: true } },
      { type: 'bind', source: '/etc/app', target: '/etc/configs', read_only: true, bind: { selinux: 'z' } },
      { type: 'bind', source: '/opt/cached', target: '/opt/cached', consistency: 'cached' },
      { type: 'volume', source: 'data', target: '/var/lib/volume', volume: {} },
      { type: 'volume', source: 'ext', target: '/ext', read_only: true },
    ]).host,
    {
      Binds: [
        '/opt/data:/var/lib/data:rw',
        '/etc/app:/etc/configs:ro,z',
        '/opt/cached:/opt/cached:rw',
        'shop_data:/var/lib/volume:rw',
        'my-cool-volume:/ext:ro',
      ],
    },
  );
});

test('what Binds cannot say goes through Mounts', () => {
  assert.deepEqual(
    mounts([
      { type: 'bind', source: '/must/exist', target: '/a', bind: { create_host_path: false } },
      { type: 'bind', source: '/src', target: '/b', read_only: true, bind: { propagation: 'rshared', create_host_path: true, recursive: 'readonly' } },
      { type: 'volume', target: '/var/lib/anonymous', volume: {} },
      { type: 'volume', source: 'data', target: '/c', volume: { nocopy: true, subpath: 'sub' } },
      { type: 'tmpfs', target: '/opt/tmpfs', tmpfs: { size: '10000', mode: '1777' } },
      { type: 'tmpfs', target: '/opt/tmp2', tmpfs: { size: '64m', mode: 493 } },
      { type: 'npipe', source: '\\\\.\\pipe\\docker_engine', target: '\\\\.\\pipe\\docker_engine' },
      { type: 'image', source: 'alpine', target: '/img', image: { subpath: 'etc' } },
    ], { ...ctx, apiVersion: '1.48' }).host,
    {
      Mounts: [
        { Type: 'bind', Source: '/must/exist', Target: '/a' },
        { Type: 'bind', Source: '/src', Target: '/b', ReadOnly: true, BindOptions: { Propagation: 'rshared', CreateMountpoint: true, ReadOnlyForceRecursive: true } },
        { Type: 'volume', Target: '/var/lib/anonymous' },
        { Type: 'volume', Source: 'shop_data', Target: '/c', VolumeOptions: { NoCopy: true, Subpath: 'sub' } },
        { Type: 'tmpfs', Target: '/opt/tmpfs', TmpfsOptions: { SizeBytes: 10000, Mode: 0o1777 } },
        { Type: 'tmpfs', Target: '/opt/tmp2', TmpfsOptions: { SizeBytes: 64 * 1024 * 1024, Mode: 493 } },
        { Type: 'npipe', Source: '\\\\.\\pipe\\docker_engine', Target: '\\\\.\\pipe\\docker_engine' },
        { Type: 'image', Source: 'alpine', Target: '/img', ImageOptions: { Subpath: 'etc' } },
      ],
    },
  );
});

test('image mounts need API 1.48', () => {
  assert.throws(() => mounts([{ type: 'image', source: 'alpine', target: '/img' }], { ...ctx, apiVersion: '1.47' }), /require Engine API 1.48/);
});

test('a later volume on the same target replaces the earlier one', () => {
  assert.deepEqual(
    mounts([
      { type: 'bind', source: '/one', target: '/data' },
      { type: 'volume', source: 'data', target: '/data' },
    ]).host,
    { Binds: ['shop_data:/data:rw'] },
  );
});

test('an option block of another mount type is ignored with a warning', () => {
  const { host, warnings } = mounts([{ type: 'volume', source: 'data', target: '/d', bind: { propagation: 'rshared' } }]);
  assert.deepEqual(host, { Binds: ['shop_data:/d:rw'] });
  assert.deepEqual(warnings, ['service "web": volume /d: a mount of type volume should not define `bind` options; they are ignored']);
});

test('tmpfs, volumes_from and volume_driver', () => {
  const fragment = convertMounts(
    { name: 'web', tmpfs: ['/run', '/tmp:size=64m,mode=1777'], volumes_from: ['db', 'db:ro', 'container:legacy', 'container:other:rw'], volume_driver: 'local' },
    ctx,
    () => {},
  );
  assert.deepEqual(fragment.host, {
    Tmpfs: { '/run': '', '/tmp': 'size=64m,mode=1777' },
    VolumesFrom: ['db111', 'db111:ro', 'legacy', 'other:rw'],
    VolumeDriver: 'local',
  });
});

test('volumes_from a service without a container is an error', () => {
  assert.throws(() => convertMounts({ name: 'web', volumes_from: ['cache'] }, ctx, () => {}), /cannot share volume with service cache: container missing/);
});

test('on recreate, anonymous and image-declared volumes of the old container are carried over', () => {
  const context: ContainerPlanContext = {
    ...ctx,
    inherited: {
      mounts: [
        { type: 'volume', name: 'abc123', source: '/var/lib/docker/volumes/abc123/_data', destination: '/var/lib/anonymous', rw: true },
        { type: 'volume', name: 'def456', source: '/x', destination: '/image/vol', rw: false },
        { type: 'volume', name: 'named', source: '/y', destination: '/var/lib/volume', rw: true },
        { type: 'tmpfs', source: '', destination: '/run', rw: true },
      ],
      imageVolumes: ['/image/vol', '/run'],
    },
  };
  assert.deepEqual(
    mounts(
      [
        { type: 'volume', target: '/var/lib/anonymous' },
        { type: 'volume', source: 'data', target: '/var/lib/volume' },
      ],
      context,
    ).host,
    {
      Binds: ['shop_data:/var/lib/volume:rw'],
      Mounts: [
        { Type: 'volume', Source: 'abc123', Target: '/var/lib/anonymous' },
        { Type: 'volume', Source: 'def456', Target: '/image/vol', ReadOnly: true },
      ],
    },
  );
});
