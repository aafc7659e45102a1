// The OCI spec a container gets: Docker's defaults, and what its HostConfig asks for (security options, cgroup
// settings, devices) applied or, where the request cannot be honoured, refused before it gets here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { HostConfigBody } from '../../engine-api/containers.js';
import type { HostSupport } from './host-support.js';
import { parseSecurityOpt } from './security-opt.js';
import { buildSpec } from './spec.js';

const HOST: HostSupport = { cgroupVersion: 1, blkioWeight: true, blkioThrottle: true, memorySwappiness: true, oomKillDisable: true, cpusetMems: true, apparmor: false };

function specFor(hostConfig: HostConfigBody, config: { Tty?: boolean } = {}, host: HostSupport = HOST): Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return buildSpec({
    record: { id: 'c0ffee', hostname: 'box', path: '/bin/sh', args: [], config: { Env: [], ...config }, hostConfig },
    rootfs: '/nonexistent/rootfs',
    user: { uid: 0, gid: 0, additionalGids: [] },
    etcFiles: {},
    hostRlimitNofile: 1024,
    mounts: [],
    host,
  });
}

test('by default: Docker\'s capabilities, seccomp, masked paths, no NoNewPrivs, the cgroup under /berth', () => {
  const spec = specFor({});
  assert.equal(spec.process.noNewPrivileges, undefined);
  assert.ok(spec.process.capabilities.bounding.includes('CAP_CHOWN'));
  assert.ok(!spec.process.capabilities.bounding.includes('CAP_SYS_ADMIN'));
  assert.equal(spec.linux.seccomp.defaultAction, 'SCMP_ACT_ERRNO');
  assert.ok(spec.linux.maskedPaths.includes('/proc/kcore'));
  assert.ok(spec.linux.readonlyPaths.includes('/proc/sys'));
  assert.equal(spec.linux.cgroupsPath, '/berth/c0ffee');
  assert.ok(!spec.linux.namespaces.some((ns: { type: string }) => ns.type === 'cgroup'), 'cgroup v1: the host\'s cgroup namespace, as dockerd');
  assert.ok(specFor({}, {}, { ...HOST, cgroupVersion: 2 }).linux.namespaces.some((ns: { type: string }) => ns.type === 'cgroup'), 'cgroup v2: a private one');
});

test('security options: no-new-privileges, seccomp unconfined or a profile, systempaths, writable cgroups', () => {
  assert.equal(specFor({ SecurityOpt: ['no-new-privileges'] }).process.noNewPrivileges, true);
  assert.equal(specFor({ SecurityOpt: ['no-new-privileges:true'] }).process.noNewPrivileges, true);
  assert.equal(specFor({ SecurityOpt: ['no-new-privileges=false'] }).process.noNewPrivileges, undefined);
  assert.equal(specFor({ SecurityOpt: ['seccomp=unconfined'] }).linux.seccomp, undefined);
  const profile = JSON.stringify({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }, { name: 'ptrace', action: 'SCMP_ACT_ERRNO', includes: { caps: ['CAP_SYS_ADMIN'] } }] });
  const custom = specFor({ SecurityOpt: [`seccomp=${profile}`] }).linux.seccomp;
  assert.equal(custom.defaultAction, 'SCMP_ACT_ALLOW');
  assert.deepEqual(custom.syscalls, [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 1 }], 'a rule for capabilities the container lacks is left out');
  const open = specFor({ SecurityOpt: ['systempaths=unconfined'] }).linux;
  assert.deepEqual([open.maskedPaths, open.readonlyPaths], [[], []]);
  const cgroupMount = specFor({ SecurityOpt: ['writable-cgroups=true'] }).mounts.find((mount: { destination: string }) => mount.destination === '/sys/fs/cgroup');
  assert.ok(!cgroupMount.options.includes('ro'));
  assert.equal(specFor({ Privileged: true, SecurityOpt: [`seccomp=${profile}`] }).linux.seccomp, undefined, 'privileged: no seccomp, as dockerd');
});

test('security options the engine cannot honour are refused, naming what', () => {
  assert.throws(() => parseSecurityOpt(['apparmor=docker-default'], { apparmor: false }), /no AppArmor/);
  assert.equal(parseSecurityOpt(['apparmor=docker-default'], { apparmor: true }).apparmor, 'docker-default');
  assert.throws(() => parseSecurityOpt(['seccomp=/etc/profile.json'], HOST), /not valid JSON \(the docker CLI sends the content of the file/);
  assert.throws(() => parseSecurityOpt(['seccomp={"defaultAction":"ALLOW"}'], HOST), /seccomp profile: defaultAction: expected one of/);
  assert.throws(() => parseSecurityOpt(['seccomp={"defaultAction":"SCMP_ACT_ALLOW","listenerPath":"/run/x"}'], HOST), /notify listener/);
  assert.throws(() => parseSecurityOpt(['no-new-privileges=maybe'], HOST), /true or false/);
  assert.throws(() => parseSecurityOpt(['label=bogus'], HOST, false), /invalid --security-opt label/);
  assert.doesNotThrow(() => parseSecurityOpt(['label=disable', 'label=type:svirt_t'], HOST, false), 'without SELinux, labels are accepted and ignored, as dockerd');
  assert.throws(() => parseSecurityOpt(['label=disable'], HOST, true), /SELinux labels are not applied/);
  assert.throws(() => parseSecurityOpt(['selinux-magic'], HOST), /invalid --security-opt: "selinux-magic"/);
});

test('cgroup settings: parent, memory (reservation, swappiness, OOM killer), cpuset mems, devices and their rules', () => {
  const spec = specFor({
    CgroupParent: 'm-executor-abcd',
    MemoryReservation: 20971520,
    MemorySwappiness: 10,
    OomKillDisable: true,
    CpusetMems: '0',
    Devices: [{ PathOnHost: '/dev/null', PathInContainer: '/dev/xnull', CgroupPermissions: 'rw' }],
    DeviceCgroupRules: ['c 42:* rmw'],
    OomScoreAdj: 500,
  });
  assert.equal(spec.linux.cgroupsPath, '/m-executor-abcd/c0ffee');
  assert.deepEqual(spec.linux.resources.memory, { reservation: 20971520, swappiness: 10, disableOOMKiller: true });
  assert.equal(spec.linux.resources.cpu.mems, '0');
  assert.deepEqual(spec.linux.devices, [{ path: '/dev/xnull', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 }]);
  assert.deepEqual(spec.linux.resources.devices.slice(-2), [
    { allow: true, type: 'c', major: 1, minor: 3, access: 'rw' },
    { allow: true, type: 'c', major: 42, access: 'rmw' },
  ]);
  assert.equal(spec.process.oomScoreAdj, 500);
  assert.equal(specFor({ MemorySwappiness: -1 }).linux.resources.memory, undefined, '-1 is "not set"');
});

test('namespaces and the terminal: UTS of the host, a private cgroup namespace, the first console size, annotations', () => {
  const uts = specFor({ UTSMode: 'host' });
  assert.ok(!uts.linux.namespaces.some((ns: { type: string }) => ns.type === 'uts'));
  assert.equal(uts.hostname, undefined);
  assert.ok(specFor({ CgroupnsMode: 'private' }).linux.namespaces.some((ns: { type: string }) => ns.type === 'cgroup'));
  assert.deepEqual(specFor({ ConsoleSize: [40, 120] }, { Tty: true }).process.consoleSize, { height: 40, width: 120 });
  assert.equal(specFor({ ConsoleSize: [0, 0] }, { Tty: true }).process.consoleSize, undefined);
  assert.deepEqual(specFor({ Annotations: { 'org.example': 'x' } }).annotations, { 'org.example': 'x' });
});
