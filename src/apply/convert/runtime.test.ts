import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertRuntime } from './runtime.js';

test('runtime, isolation, sysctls and storage_opt', () => {
  assert.deepEqual(
    convertRuntime({
      name: 'web',
      runtime: 'runc',
      isolation: 'default',
      sysctls: { 'net.core.somaxconn': 1024, 'net.ipv4.tcp_syncookies': '0' },
      storage_opt: { size: '20G' },
    }),
    { host: { Runtime: 'runc', Isolation: 'default', Sysctls: { 'net.core.somaxconn': '1024', 'net.ipv4.tcp_syncookies': '0' }, StorageOpt: { size: '20G' } } },
  );
  assert.deepEqual(convertRuntime({ name: 'web', sysctls: ['net.core.somaxconn=1024'] }).host, { Sysctls: { 'net.core.somaxconn': '1024' } });
});
