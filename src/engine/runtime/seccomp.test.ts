import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { resolveSeccomp } from './seccomp.js';

const DEFAULT_CAPS = ['CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_FSETID', 'CAP_FOWNER', 'CAP_MKNOD', 'CAP_NET_RAW', 'CAP_SETGID', 'CAP_SETUID', 'CAP_SETFCAP', 'CAP_SETPCAP', 'CAP_NET_BIND_SERVICE', 'CAP_SYS_CHROOT', 'CAP_KILL', 'CAP_AUDIT_WRITE'];

test("resolved for the default capabilities, the profile is the one dockerd hands runc", () => {
  const reference = JSON.parse(readFileSync(fileURLToPath(new URL('../../../src/engine/runtime/oci-defaults.json', import.meta.url)), 'utf8')).linux.seccomp;
  const resolved = resolveSeccomp(DEFAULT_CAPS, '6.1.0');
  assert.deepEqual(resolved.architectures, reference.architectures);
  assert.equal((resolved.syscalls as unknown[]).length, reference.syscalls.length);
  assert.deepEqual(resolved, reference);
});

test('cap_add SYS_ADMIN allows mount; without it mount is not in the allowed lists', () => {
  const names = (caps: string[]): string[] => (resolveSeccomp(caps, '6.1.0').syscalls as Array<{ names: string[]; action: string }>).filter((rule) => rule.action === 'SCMP_ACT_ALLOW').flatMap((rule) => rule.names);
  assert.equal(names(DEFAULT_CAPS).includes('mount'), false);
  assert.equal(names([...DEFAULT_CAPS, 'CAP_SYS_ADMIN']).includes('mount'), true);
});
