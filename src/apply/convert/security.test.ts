import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ServiceConfig } from '../../model/types.js';
import { planContext } from './test-context.js';
import { convertSecurity } from './security.js';

const ctx = planContext();

function run(service: ServiceConfig, context = ctx) {
  const warnings: string[] = [];
  return { ...convertSecurity(service, context, (w) => warnings.push(w)), warnings };
}

test('capabilities, privileges and options map one to one', () => {
  assert.deepEqual(
    run({
      name: 'web',
      cap_add: ['ALL'],
      cap_drop: ['NET_ADMIN', 'SYS_ADMIN'],
      privileged: true,
      read_only: true,
      security_opt: ['label=level:s0:c100,c200', 'label:type:svirt_apache_t', 'no-new-privileges', 'seccomp=unconfined'],
      group_add: ['mail', 1000],
    }),
    {
      host: {
        CapAdd: ['ALL'],
        CapDrop: ['NET_ADMIN', 'SYS_ADMIN'],
        Privileged: true,
        ReadonlyRootfs: true,
        SecurityOpt: ['label=level:s0:c100,c200', 'label:type:svirt_apache_t', 'no-new-privileges', 'seccomp=unconfined'],
        GroupAdd: ['mail', '1000'],
      },
      warnings: [],
    },
  );
});

test('systempaths=unconfined unmasks /proc and /sys paths instead of being sent', () => {
  assert.deepEqual(run({ name: 'web', security_opt: ['systempaths=unconfined'] }).host, { MaskedPaths: [], ReadonlyPaths: [] });
});

test('a seccomp profile file is inlined as compact JSON', () => {
  const read: string[] = [];
  const context = { ...ctx, workingDir: '/project', readFile: (path: string) => (read.push(path), '{\n  "defaultAction": "SCMP_ACT_ERRNO"\n}') };
  assert.deepEqual(run({ name: 'web', security_opt: ['seccomp=profiles/strict.json'] }, context).host, {
    SecurityOpt: ['seccomp={"defaultAction":"SCMP_ACT_ERRNO"}'],
  });
  assert.deepEqual(read, ['/project/profiles/strict.json']);
  assert.deepEqual(run({ name: 'web', security_opt: ['seccomp=/p.json'] }).warnings.length, 1);
});

test('an option without a value is refused', () => {
  assert.throws(() => run({ name: 'web', security_opt: ['apparmor'] }), /invalid security-opt/);
});
