// berth's own engine, driven by the stock docker CLI: each test one obligation, checked on what the engine reports.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { freePort, rawRequest, startTestEngine } from './engine-helpers.js';
import type { TestEngine } from './engine-helpers.js';
import { IMAGE, SLEEPER, testProject, waitFor } from './helpers.js';

let engine: TestEngine;
before(async () => {
  engine = await startTestEngine();
});
after(async () => {
  await engine?.stop();
});

/** `promise`, or a failure naming `what` once `ms` passed without it settling: no wait in these tests is unbounded. */
function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

const sleeperArgs = ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 0.2; done & wait"];

test('docker version and info describe the engine, API 1.44 with a minimum of 1.24', () => {
  const version = engine.docker(['version', '--format', '{{.Server.APIVersion}} {{.Server.MinAPIVersion}}']);
  assert.equal(version.code, 0, version.stderr);
  assert.equal(version.stdout.trim(), '1.44 1.24');
  assert.match(engine.docker(['info', '--format', '{{.Driver}} {{.LoggingDriver}}']).stdout, /overlay2 json-file/);
});

test('loaded images are listed, inspected, tagged and removed', () => {
  assert.match(engine.docker(['images', '--format', '{{.Repository}}:{{.Tag}}']).stdout, /berth-test-busybox:latest/);
  const id = engine.docker(['image', 'inspect', '-f', '{{.Id}}', IMAGE]).stdout.trim();
  assert.match(id, /^sha256:[0-9a-f]{64}$/);
  assert.equal(engine.docker(['tag', IMAGE, 'example/retagged:v1']).code, 0);
  assert.equal(engine.docker(['image', 'inspect', '-f', '{{.Id}}', 'example/retagged:v1']).stdout.trim(), id);
  const untag = engine.docker(['rmi', 'example/retagged:v1']);
  assert.match(untag.stdout, /Untagged: example\/retagged:v1/);
  assert.equal(engine.docker(['image', 'inspect', IMAGE]).code, 0, 'the other tag and the image remain');
});

test('docker run --rm prints the output and returns the exit code, and leaves nothing behind', () => {
  const run = engine.docker(['run', '--rm', '--network', 'none', IMAGE, 'sh', '-c', 'echo out; echo err >&2; exit 3']);
  assert.equal(run.code, 3);
  assert.equal(run.stdout, 'out\n');
  assert.equal(run.stderr, 'err\n');
  assert.equal(engine.docker(['ps', '-aq']).stdout, '');
});

test('a detached container runs, lists with filters, logs, pauses, renames, stops, restarts and is removed', () => {
  const id = engine.docker(['run', '-d', '--network', 'none', '--name', 'worker', '--label', 'role=test', IMAGE, ...sleeperArgs]).stdout.trim();
  assert.match(id, /^[0-9a-f]{64}$/);
  assert.equal(engine.docker(['ps', '--filter', 'label=role=test', '--format', '{{.Names}}']).stdout, 'worker\n');
  assert.equal(engine.docker(['ps', '--filter', 'label=role=other', '-q']).stdout, '');
  assert.equal(engine.docker(['inspect', '-f', '{{.State.Running}} {{.Config.Hostname}}', 'worker']).stdout.trim(), `true ${id.slice(0, 12)}`);
  assert.equal(engine.docker(['pause', 'worker']).code, 0);
  assert.match(engine.docker(['ps', '--filter', 'status=paused', '--format', '{{.Status}}']).stdout, /\(Paused\)/);
  assert.equal(engine.docker(['unpause', 'worker']).code, 0);
  assert.equal(engine.docker(['rename', 'worker', 'worker2']).code, 0);
  assert.equal(engine.docker(['stop', 'worker2']).code, 0);
  assert.equal(engine.docker(['inspect', '-f', '{{.State.Status}} {{.State.ExitCode}}', 'worker2']).stdout.trim(), 'exited 0');
  assert.equal(engine.docker(['start', 'worker2']).code, 0);
  assert.equal(engine.docker(['restart', '-t', '1', 'worker2']).code, 0);
  assert.equal(engine.docker(['kill', 'worker2']).code, 0);
  assert.equal(engine.docker(['wait', 'worker2']).stdout.trim(), '137');
  assert.equal(engine.docker(['rm', 'worker2']).code, 0);
  assert.equal(engine.docker(['ps', '-aq']).stdout, '');
});

test('logs -f follows the output until the container stops', () => {
  engine.docker(['run', '-d', '--network', 'none', '--name', 'talker', IMAGE, 'sh', '-c', 'for i in 1 2 3; do echo line $i; sleep 0.2; done']);
  const logs = engine.docker(['logs', '-f', 'talker']);
  assert.equal(logs.stdout, 'line 1\nline 2\nline 3\n');
  assert.equal(engine.docker(['logs', '--tail', '1', 'talker']).stdout, 'line 3\n');
  engine.docker(['rm', '-f', 'talker']);
});

test('events report the container lifecycle with the container name', () => {
  const start = Math.floor(Date.now() / 1000) - 1;
  engine.docker(['run', '--rm', '--network', 'none', '--name', 'evented', IMAGE, 'true']);
  const until = Math.floor(Date.now() / 1000) + 1;
  const events = engine.docker(['events', '--since', String(start), '--until', String(until), '--filter', 'container=evented', '--format', '{{.Action}}']);
  assert.deepEqual(events.stdout.trim().split('\n'), ['create', 'attach', 'start', 'die', 'destroy']);
});

test('containers outlive the engine and are adopted when it starts again', async () => {
  engine.docker(['run', '-d', '--network', 'none', '--name', 'survivor', IMAGE, ...sleeperArgs]);
  await engine.restart();
  assert.equal(engine.docker(['inspect', '-f', '{{.State.Status}}', 'survivor']).stdout.trim(), 'running');
  assert.equal(engine.docker(['stop', 'survivor']).code, 0);
  assert.equal(engine.docker(['rm', 'survivor']).code, 0);
});

test('what the engine cannot do yet is refused with a clear 400 naming the field, never ignored', () => {
  const refusals: Array<[string[], RegExp]> = [
    [['--cpu-rt-runtime', '950000'], /HostConfig\.CpuRealtimeRuntime is not supported by berth's engine: real-time CPU scheduling/],
    [['--runtime', 'kata'], /HostConfig\.Runtime: runtime "kata" is not supported/],
    [['--storage-opt', 'size=1G'], /HostConfig\.StorageOpt is not supported by berth's engine/],
    [['--security-opt', 'label=bogus'], /HostConfig\.SecurityOpt: invalid --security-opt label: "label=bogus"/],
    [['--security-opt', 'seccomp=/not/a/profile.json'], /open \/not\/a\/profile\.json|HostConfig\.SecurityOpt: the seccomp profile/],
    [['--gpus', 'all'], /HostConfig\.DeviceRequests is not supported by berth's engine/],
  ];
  for (const [flags, message] of refusals) {
    const created = engine.docker(['create', '--network', 'none', ...flags, IMAGE]);
    assert.notEqual(created.code, 0, flags.join(' '));
    assert.match(created.stderr, message);
  }
  assert.match(engine.docker(['network', 'create', '-d', 'macvlan', 'refused-net']).stderr, /network driver "macvlan" \(only "bridge"\) is not supported/);
  assert.match(engine.docker(['network', 'create', '-o', 'com.docker.network.bridge.host_binding_ipv4=1.2.3.4', 'refused-net']).stderr, /the network driver option "com.docker.network.bridge.host_binding_ipv4" is not supported/);
  assert.match(engine.docker(['volume', 'create', '-d', 'nfs', 'refused-vol']).stderr, /volume driver "nfs" \(only "local"\) is not supported/);
});

test('devices, device cgroup rules, group_add, oom_score_adj and no-new-privileges are applied inside the container', () => {
  const script = 'echo data > /dev/xnull && stat -c %t:%T /dev/xnull; id -G; cat /proc/self/oom_score_adj; grep NoNewPrivs /proc/self/status';
  const run = engine.docker(['run', '--rm', '--network', 'none', '--device', '/dev/null:/dev/xnull:rw', '--device-cgroup-rule', 'c 42:* rmw', '--group-add', '1234', '--group-add', '5678', '--oom-score-adj', '300', '--security-opt', 'no-new-privileges', IMAGE, 'sh', '-c', script]);
  assert.equal(run.code, 0, run.stderr);
  const [numbers, groups, oom, nnp] = run.stdout.trim().split('\n');
  assert.equal(numbers, '1:3');
  assert.deepEqual(groups!.split(' ').sort(), ['0', '1234', '5678'].sort());
  assert.equal(oom, '300');
  assert.match(nnp!, /NoNewPrivs:\s+1/);
});

test('bad requests: malformed JSON, unknown ids, name conflicts, and the engine keeps serving', async () => {
  const malformed = await rawRequest(engine.socket, 'POST', '/v1.44/containers/create', '{"Image": ');
  assert.equal(malformed.status, 400);
  assert.match(JSON.parse(malformed.body).message, /invalid JSON/);
  const missing = await rawRequest(engine.socket, 'GET', '/containers/doesnotexist/json');
  assert.deepEqual([missing.status, JSON.parse(missing.body).message], [404, 'No such container: doesnotexist']);
  const noImage = await rawRequest(engine.socket, 'POST', '/containers/create', JSON.stringify({ Image: 'nothere:latest', HostConfig: { NetworkMode: 'none' } }));
  assert.equal(noImage.status, 404);
  engine.docker(['create', '--network', 'none', '--name', 'taken', IMAGE, 'true']);
  const taken = await rawRequest(engine.socket, 'POST', '/containers/create?name=taken', JSON.stringify({ Image: IMAGE, Cmd: ['true'], HostConfig: { NetworkMode: 'none' } }));
  assert.equal(taken.status, 409);
  assert.match(JSON.parse(taken.body).message, /is already in use/);
  const unknownRoute = await rawRequest(engine.socket, 'GET', '/v1.44/nothing/here');
  assert.equal(unknownRoute.status, 404);
  engine.docker(['rm', '-f', 'taken']);
  assert.equal((await rawRequest(engine.socket, 'GET', '/_ping')).status, 200);
});

test('berth up and down on berth engine, services with network_mode: none', async (t) => {
  const project = await testProject(t);
  project.write(`
services:
  web:
    image: \${IMAGE}
    network_mode: none
    command: ${SLEEPER}
    depends_on: [db]
  db:
    image: \${IMAGE}
    network_mode: none
    command: ${SLEEPER}
`);
  const env = { DOCKER_HOST: engine.host };
  const up = await project.run(['up', '-d'], { env });
  assert.equal(up.code, 0, up.stderr);
  assert.equal(engine.docker(['ps', '--filter', `label=com.docker.compose.project=${project.name}`, '-q']).stdout.split('\n').filter(Boolean).length, 2);
  const again = await project.run(['--progress', 'plain', 'up', '-d'], { env });
  assert.doesNotMatch(again.stderr, /Recreate|Creating/);
  const down = await project.run(['down'], { env });
  assert.equal(down.code, 0, down.stderr);
  assert.equal(engine.docker(['ps', '-aq']).stdout, '');
});

test('exec runs in the running container: output, exit code, stdin, workdir, env, user, privileged, ExecIDs', async () => {
  engine.docker(['run', '-d', '--network', 'none', '--name', 'exec-target', IMAGE, ...sleeperArgs]);
  try {
    const run = engine.docker(['exec', 'exec-target', 'sh', '-c', 'echo out; echo err >&2; exit 5']);
    assert.deepEqual([run.code, run.stdout, run.stderr], [5, 'out\n', 'err\n']);
    assert.equal(engine.docker(['exec', '-i', 'exec-target', 'cat'], Buffer.from('piped\n')).stdout, 'piped\n');
    assert.equal(engine.docker(['exec', '-w', '/tmp', '-e', 'X=1', 'exec-target', 'sh', '-c', 'echo $(pwd) $X']).stdout, '/tmp 1\n');
    assert.match(engine.docker(['exec', '-u', '1000', 'exec-target', 'id']).stdout, /^uid=1000 /);
    const capabilities = (flags: string[]): string => engine.docker(['exec', ...flags, 'exec-target', 'grep', 'CapEff', '/proc/self/status']).stdout.trim();
    assert.equal(capabilities([]), 'CapEff:\t00000000a80425fb');
    assert.notEqual(capabilities(['--privileged']), capabilities([]), 'a privileged exec gets every capability');
    // Every capability the engine itself holds (its bounding set: the same as this test's).
    const own = /^CapBnd:\s*(\S+)/m.exec(readFileSync('/proc/self/status', 'utf8'))![1];
    assert.equal(capabilities(['--privileged']), `CapEff:\t${own}`);
    // ExecIDs, as dockerd gives them: the execs not yet started or still running (finished ones are dropped), none
    // after the container stopped; null when there are none.
    const execIds = (): unknown => JSON.parse(engine.docker(['inspect', '-f', '{{json .ExecIDs}}', 'exec-target']).stdout);
    assert.equal(execIds(), null, 'finished execs are not listed');
    const created = await within(rawRequest(engine.socket, 'POST', '/containers/exec-target/exec', JSON.stringify({ Cmd: ['true'] })), 10_000, 'exec create');
    assert.equal(created.status, 201, created.body);
    const { Id: pending } = JSON.parse(created.body) as { Id: string };
    assert.deepEqual(execIds(), [pending]);
    assert.equal(engine.docker(['restart', '-t', '5', 'exec-target']).code, 0);
    assert.equal(execIds(), null, 'an exec of an earlier run is not listed');
  } finally {
    engine.docker(['rm', '-f', 'exec-target']);
  }
});

test("an exec in the moment between a container's exit and the engine hearing of it is refused as dockerd refuses it", async () => {
  // Deterministic: the container's monitor, which tells the engine of the exit, is held (SIGSTOP) while the
  // container's process is killed, so the record still says running when the process is gone.
  engine.docker(['run', '-d', '--network', 'none', '--name', 'exec-race', IMAGE, ...sleeperArgs]);
  const inspect = (format: string): string => engine.docker(['inspect', '-f', format, 'exec-race']).stdout.trim();
  const id = inspect('{{.Id}}');
  const pid = Number(inspect('{{.State.Pid}}'));
  const monitor = Number(readFileSync(join(engine.root, 'containers', id, 'monitor.pid'), 'utf8').trim());
  const pending = await within(rawRequest(engine.socket, 'POST', '/containers/exec-race/exec', JSON.stringify({ Cmd: ['true'] })), 10_000, 'exec create');
  assert.equal(pending.status, 201, pending.body);
  process.kill(monitor, 'SIGSTOP');
  try {
    process.kill(pid, 'SIGKILL');
    await waitFor(() => processEnded(pid), 10_000);
    assert.equal(inspect('{{.State.Running}}'), 'true', 'the engine has not heard of the exit yet');
    const created = await within(rawRequest(engine.socket, 'POST', '/containers/exec-race/exec', JSON.stringify({ Cmd: ['true'] })), 10_000, 'exec create');
    assert.deepEqual([created.status, JSON.parse(created.body)], [409, { message: `Container ${id} is not running` }]);
    // An exec made before the exit, started in that moment: the same answer, before any output.
    const { Id: exec } = JSON.parse(pending.body) as { Id: string };
    const started = await within(rawRequest(engine.socket, 'POST', `/exec/${exec}/start`, JSON.stringify({ Detach: false })), 10_000, 'exec start');
    assert.deepEqual([started.status, JSON.parse(started.body)], [409, { message: `Container ${id} is not running` }]);
  } finally {
    process.kill(monitor, 'SIGCONT');
    engine.docker(['rm', '-f', 'exec-race']);
  }
});

/** Whether a process has exited: gone, or a zombie its parent has not reaped yet. */
function processEnded(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return /^[ZX]/.test(stat.slice(stat.lastIndexOf(')') + 2));
  } catch {
    return true;
  }
}

test('top lists the container processes; cp, export and save give their files', async () => {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'berth-engine-files-'));
  try {
    engine.docker(['run', '-d', '--network', 'none', '--name', 'files', IMAGE, 'sh', '-c', "echo data > /tmp/file; ln -s /etc /tmp/etclink; trap 'exit 0' TERM; while true; do sleep 0.2; done & wait"]);
    // top lists what runs once the shell has started its loop.
    await waitFor(() => /sleep/.test(engine.docker(['top', 'files']).stdout));
    const top = engine.docker(['top', 'files']);
    assert.match(top.stdout, /PID/);
    assert.match(top.stdout, /sleep|sh -c/);
    assert.equal(engine.docker(['cp', 'files:/tmp/file', join(dir, 'copied')]).code, 0);
    assert.equal(readFileSync(join(dir, 'copied'), 'utf8'), 'data\n');
    // A link to /etc inside the container is followed inside the container, never to the host's /etc.
    assert.equal(engine.docker(['cp', 'files:/tmp/etclink/hostname', join(dir, 'hostname')]).code, 0);
    assert.notEqual(readFileSync(join(dir, 'hostname'), 'utf8'), readFileSync('/etc/hostname', 'utf8'));
    assert.equal(engine.docker(['export', '-o', join(dir, 'export.tar'), 'files']).code, 0);
    assert.equal(engine.docker(['save', '-o', join(dir, 'saved.tar'), IMAGE]).code, 0);
    assert.equal(engine.docker(['rm', '-f', 'files']).code, 0);
    assert.equal(engine.docker(['rmi', IMAGE]).code, 0);
    assert.match(engine.docker(['load', '-i', join(dir, 'saved.tar')]).stdout, /Loaded image: berth-test-busybox:latest/);
    assert.equal(engine.docker(['run', '--rm', '--network', 'none', IMAGE, 'true']).code, 0, 'the saved image runs again after load');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('cp into a container stays inside it, even through links; import and stats work', async () => {
  const { mkdirSync, mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'berth-engine-cp-'));
  const marker = `berth-test-${process.pid}.txt`;
  try {
    mkdirSync(join(dir, 'sub'));
    writeFileSync(join(dir, 'sub', marker), 'inside\n');
    engine.docker(['run', '-d', '--network', 'none', '--name', 'cp-target', IMAGE, ...sleeperArgs]);
    assert.equal(engine.docker(['cp', join(dir, 'sub'), 'cp-target:/tmp/']).code, 0);
    assert.equal(engine.docker(['exec', 'cp-target', 'cat', `/tmp/sub/${marker}`]).stdout, 'inside\n');
    // A link in the container to / must lead to the container's root, not the host's.
    engine.docker(['exec', 'cp-target', 'ln', '-s', '/', '/tmp/rootlink']);
    assert.equal(engine.docker(['cp', join(dir, 'sub', marker), 'cp-target:/tmp/rootlink/etc/']).code, 0);
    assert.equal(engine.docker(['exec', 'cp-target', 'cat', `/etc/${marker}`]).stdout, 'inside\n');
    assert.equal(existsSync(`/etc/${marker}`), false, 'nothing written on the host');
    const stats = engine.docker(['stats', '--no-stream', '--format', '{{.Name}} {{.PIDs}}', 'cp-target']);
    assert.match(stats.stdout, /^cp-target \d+\n$/);
    assert.equal(engine.docker(['export', '-o', join(dir, 'rootfs.tar'), 'cp-target']).code, 0);
    const imported = engine.docker(['import', join(dir, 'rootfs.tar'), 'example/imported:v1']);
    assert.equal(imported.code, 0, imported.stderr);
    assert.equal(engine.docker(['run', '--rm', '--network', 'none', 'example/imported:v1', '/bin/busybox', 'echo', 'imported']).stdout, 'imported\n');
    engine.docker(['rm', '-f', 'cp-target']);
    engine.docker(['rmi', 'example/imported:v1']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('stdin and terminals: run -i feeds the container, run -t and exec -t give it a terminal', () => {
  const piped = engine.docker(['run', '-i', '--rm', '--network', 'none', IMAGE, 'sh', '-c', 'cat; echo done'], Buffer.from('hello stdin\n'));
  assert.deepEqual([piped.code, piped.stdout], [0, 'hello stdin\ndone\n']);
  const tty = engine.docker(['run', '-t', '--rm', '--network', 'none', IMAGE, 'sh', '-c', 'tty; exit 2']);
  assert.equal(tty.code, 2);
  assert.match(tty.stdout, /^\/dev\/pts\/\d+\r\n$/);
  engine.docker(['run', '-d', '--network', 'none', '--name', 'tty-exec', IMAGE, ...sleeperArgs]);
  const exec = engine.docker(['exec', '-t', 'tty-exec', 'sh', '-c', 'tty; exit 3']);
  assert.equal(exec.code, 3);
  assert.match(exec.stdout, /\/dev\/pts\/\d+/);
  engine.docker(['rm', '-f', 'tty-exec']);
});

test('diff lists what a container changed, commit makes an image of it, --init runs the command under tini', () => {
  engine.docker(['run', '-d', '--network', 'none', '--name', 'changer', IMAGE, 'sh', '-c', "echo added > /tmp/new; rm /bin/vi; trap 'exit 0' TERM; while true; do sleep 0.2; done & wait"]);
  const deadline = Date.now() + 5000;
  let diff = '';
  while (!diff.includes('/tmp/new') && Date.now() < deadline) diff = engine.docker(['diff', 'changer']).stdout;
  assert.deepEqual(diff.trim().split('\n').sort(), ['A /tmp/new', 'C /bin', 'C /tmp', 'D /bin/vi']);
  assert.equal(engine.docker(['commit', '-m', 'scenario', 'changer', 'example/committed:v1']).code, 0);
  const listed = (filter: string): string => engine.docker(['images', '--filter', filter, '--format', '{{.Repository}}']).stdout;
  assert.match(listed(`since=${IMAGE}`), /example\/committed/);
  assert.doesNotMatch(listed('before=example/committed:v1'), /example\/committed/);
  assert.match(listed('before=example/committed:v1'), /berth-test-busybox/);
  assert.match(engine.docker(['images', '--filter', 'shape=round']).stderr, /invalid filter 'shape'/);
  const run = engine.docker(['run', '--rm', '--network', 'none', 'example/committed:v1', 'sh', '-c', 'cat /tmp/new; test -e /bin/vi || echo vi-gone']);
  assert.equal(run.stdout, 'added\nvi-gone\n');
  engine.docker(['rm', '-f', 'changer']);
  engine.docker(['rmi', 'example/committed:v1']);
  const init = engine.docker(['run', '--rm', '--init', '--network', 'none', IMAGE, 'cat', '/proc/1/cmdline']);
  assert.match(init.stdout, /^\/sbin\/docker-init\0--\0cat/);
});

test('healthchecks are run by the engine, and restart policies restart what exits', async () => {
  engine.docker(['run', '-d', '--network', 'none', '--name', 'checked', '--health-cmd', 'test -f /tmp/ready', '--health-interval', '1s', '--health-retries', '2', IMAGE, 'sh', '-c', "sleep 1; touch /tmp/ready; trap 'exit 0' TERM; while true; do sleep 0.2; done & wait"]);
  assert.match(engine.docker(['ps', '--format', '{{.Status}}', '--filter', 'name=checked']).stdout, /health: starting/);
  const deadline = Date.now() + 10_000;
  let health = '';
  while (health !== 'healthy' && Date.now() < deadline) {
    health = engine.docker(['inspect', '-f', '{{.State.Health.Status}}', 'checked']).stdout.trim();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(health, 'healthy');
  engine.docker(['rm', '-f', 'checked']);
  engine.docker(['run', '-d', '--network', 'none', '--name', 'retried', '--restart', 'on-failure:2', IMAGE, 'sh', '-c', 'echo run; exit 3']);
  const until = Date.now() + 10_000;
  let state = '';
  while (state !== 'exited 2' && Date.now() < until) {
    state = engine.docker(['inspect', '-f', '{{.State.Status}} {{.RestartCount}}', 'retried']).stdout.trim();
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  assert.equal(state, 'exited 2');
  assert.equal(engine.docker(['logs', 'retried']).stdout, 'run\nrun\nrun\n');
  engine.docker(['rm', '-f', 'retried']);
});

test('confinement and limits hold inside the container, and an OOM kill is reported', async (t) => {
  const status = engine.docker(['run', '--rm', '--network', 'none', IMAGE, 'sh', '-c', 'grep -E "^(CapEff|Seccomp):" /proc/self/status; wc -c < /proc/timer_list']);
  // Docker's 14 default capabilities, seccomp in filter mode, /proc/timer_list masked.
  assert.deepEqual(status.stdout.split(/\s+/).filter(Boolean), ['CapEff:', '00000000a80425fb', 'Seccomp:', '2', '0']);
  const limits = engine.docker(['run', '--rm', '--network', 'none', '--memory', '32m', '--pids-limit', '50', '--cpu-shares', '512', IMAGE, 'sh', '-c',
    'cat /sys/fs/cgroup/memory/memory.limit_in_bytes /sys/fs/cgroup/memory.max /sys/fs/cgroup/pids/pids.max /sys/fs/cgroup/pids.max 2>/dev/null']);
  assert.deepEqual(limits.stdout.split('\n').filter(Boolean), [String(32 * 1024 * 1024), '50']);
  const since = Math.floor(Date.now() / 1000) - 1;
  // Out of memory at once (tail buffers a line that never ends): killed before the engine could even read its pid.
  const oom = engine.docker(['run', '--name', 'hungry', '--network', 'none', '--memory', '16m', '--memory-swap', '16m', IMAGE, 'tail', '/dev/zero']);
  t.after(() => engine.docker(['rm', '-f', 'hungry']));
  assert.equal(oom.code, 137);
  assert.equal(engine.docker(['inspect', '-f', '{{.State.OOMKilled}} {{.State.ExitCode}}', 'hungry']).stdout.trim(), 'true 137');
  const events = engine.docker(['events', '--since', String(since), '--until', String(Math.floor(Date.now() / 1000) + 1), '--filter', 'container=hungry', '--format', '{{.Action}}']);
  assert.match(events.stdout, /^oom\ndie$/m);
});

test('on a terminal attach, the detach keys end the attachment and leave the container running', async () => {
  const { connect } = await import('node:net');
  engine.docker(['run', '-d', '-it', '--network', 'none', '--name', 'detachable', IMAGE, 'sh']);
  const connection = connect(engine.socket);
  try {
    let received = '';
    connection.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    // Every wait below is bounded: an engine that never answers or never ends the attachment fails the test, saying which.
    const closed = new Promise<void>((resolve, reject) => {
      connection.on('end', resolve);
      connection.on('close', () => resolve());
      connection.on('error', reject);
    });
    connection.write('POST /containers/detachable/attach?stream=1&stdin=1&stdout=1&detachKeys=ctrl-x HTTP/1.1\r\nHost: engine\r\nConnection: Upgrade\r\nUpgrade: tcp\r\n\r\n');
    connection.write('echo $((6 * 7))\n');
    const deadline = Date.now() + 15_000;
    while (!received.includes('42') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    assert.match(received, /HTTP\/1\.1 101[\s\S]*42/, 'the attachment echoes the shell\'s answer within 15 s');
    connection.write('\x18'); // ctrl-x
    await within(closed, 15_000, 'the engine ending the attachment after the detach keys');
    assert.equal(engine.docker(['inspect', '-f', '{{.State.Running}}', 'detachable']).stdout.trim(), 'true');
    const bad = await within(rawRequest(engine.socket, 'POST', '/containers/detachable/attach?stream=1&stdin=1&detachKeys=ctrl-1'), 15_000, 'attach with bad detach keys');
    assert.equal(bad.status, 400);
    assert.match(bad.body, /Invalid detach keys/);
    // Without an upgrade, attach gives the output as the response body (here the log so far, then it ends).
    const plain = await within(rawRequest(engine.socket, 'POST', '/containers/detachable/attach?logs=1&stdout=1'), 15_000, 'attach without an upgrade ending');
    assert.equal(plain.status, 200);
    assert.match(plain.body, /42/);
  } finally {
    connection.destroy();
    engine.docker(['rm', '-f', 'detachable']);
  }
});

test('volumes: create, list, inspect, mount (copy-up, nocopy, read-only, subpath, volumes-from), in-use 409, rm, prune', () => {
  const run = (...args: string[]) => engine.docker(['run', '--rm', '--network', 'none', ...args]);
  assert.equal(engine.docker(['volume', 'create', '--label', 'team=a', 'vol-data']).stdout.trim(), 'vol-data');
  assert.match(engine.docker(['volume', 'ls', '--filter', 'label=team=a', '--format', '{{.Name}} {{.Driver}}']).stdout, /^vol-data local$/m);
  assert.match(engine.docker(['volume', 'inspect', '-f', '{{.Mountpoint}}', 'vol-data']).stdout, /\/volumes\/vol-data\/_data$/m);
  assert.equal(run('-v', 'vol-data:/data', IMAGE, 'sh', '-c', 'mkdir /data/sub; echo kept > /data/sub/file').code, 0);
  assert.equal(run('-v', 'vol-data:/data:ro', IMAGE, 'cat', '/data/sub/file').stdout, 'kept\n');
  assert.match(run('-v', 'vol-data:/data:ro', IMAGE, 'touch', '/data/x').stderr, /Read-only file system/);
  // A bind of a missing host path: -v makes it, --mount refuses it.
  const missing = `${engine.root}-missing-${Date.now()}/made`;
  assert.equal(run('-v', `${missing}:/made`, IMAGE, 'true').code, 0);
  assert.equal(existsSync(missing), true);
  rmSync(dirname(missing), { recursive: true, force: true });
  assert.match(run('--mount', `type=bind,source=${missing},target=/made`, IMAGE, 'true').stderr, /bind source path does not exist/);
  assert.equal(run('--mount', 'type=volume,source=vol-data,target=/only,volume-subpath=sub', IMAGE, 'ls', '/only').stdout, 'file\n');
  // A new volume gets the image's files at its target; nocopy leaves it empty.
  assert.equal(run('-v', 'vol-copied:/var', IMAGE, 'ls', '/var').stdout, 'www\n');
  assert.equal(run('-v', 'vol-empty:/var:nocopy', IMAGE, 'ls', '/var').stdout, '');
  engine.docker(['run', '-d', '--network', 'none', '--name', 'vol-holder', '-v', 'vol-data:/data', '-v', '/scratch', IMAGE, ...sleeperArgs]);
  try {
    assert.match(engine.docker(['volume', 'rm', 'vol-data']).stderr, /volume is in use/);
    assert.match(run('--volumes-from', 'vol-holder:ro', IMAGE, 'sh', '-c', 'cat /data/sub/file; touch /scratch/x').stderr, /Read-only file system/);
    const anonymous = engine.docker(['inspect', '-f', '{{range .Mounts}}{{if eq .Destination "/scratch"}}{{.Name}}{{end}}{{end}}', 'vol-holder']).stdout.trim();
    assert.match(anonymous, /^[0-9a-f]{64}$/);
    engine.docker(['rm', '-f', '-v', 'vol-holder']);
    assert.notEqual(engine.docker(['volume', 'inspect', anonymous]).code, 0, 'rm -v removes the anonymous volume');
    assert.equal(engine.docker(['volume', 'inspect', 'vol-data']).code, 0, 'and keeps the named one');
  } finally {
    engine.docker(['rm', '-f', 'vol-holder']);
  }
  assert.equal(engine.docker(['volume', 'rm', 'vol-data']).code, 0);
  assert.match(engine.docker(['volume', 'rm', 'vol-data']).stderr, /no such volume/);
  const pruned = engine.docker(['volume', 'prune', '-f', '--all', '--filter', 'label!=keep']).stdout;
  assert.match(pruned, /vol-copied/);
  assert.match(pruned, /vol-empty/);
});


test('networks: user-defined bridges with DNS names and aliases, connect and disconnect, fixed addresses, in-use 409', () => {
  assert.match(engine.docker(['network', 'create', '--label', 'team=a', 'net-app']).stdout, /^[0-9a-f]{64}$/m);
  try {
    assert.match(engine.docker(['network', 'ls', '--filter', 'label=team=a', '--format', '{{.Name}} {{.Driver}}']).stdout, /^net-app bridge$/m);
    for (const name of ['net-web1', 'net-web2']) {
      engine.docker(['run', '-d', '--name', name, '--network', 'net-app', '--network-alias', 'site', IMAGE, 'sh', '-c', `echo served-by-${name} > /var/www/index.html; exec httpd -f -p 80 -h /var/www`]);
    }
    const lookup = engine.docker(['run', '--rm', '--network', 'net-app', IMAGE, 'nslookup', 'site']).stdout;
    assert.equal(lookup.match(/Address: \d+\.\d+\.\d+\.\d+/g)?.length, 2, 'an alias answers every replica');
    // By name, across the bridge: the page comes from that very container (retried while httpd starts).
    const fetched = engine.docker(['run', '--rm', '--network', 'net-app', IMAGE, 'sh', '-c', 'for i in 1 2 3 4 5 6 7 8 9 10; do wget -q -O- http://net-web1/ && exit 0; sleep 0.3; done; exit 1']);
    assert.equal(fetched.stdout, 'served-by-net-web1\n', fetched.stderr);
    const subnet = engine.docker(['network', 'inspect', '-f', '{{(index .IPAM.Config 0).Subnet}}', 'net-app']).stdout.trim();
    // dockerd's default pools: a /16 of 172.17-31, then /20s of 192.168 once those are taken (other tests, the host).
    assert.match(subnet, /^(172\.(1[7-9]|2\d|3[01])\.0\.0\/16|192\.168\.\d+\.0\/20)$/);
    assert.match(engine.docker(['network', 'inspect', '-f', '{{range .Containers}}{{.Name}} {{end}}', 'net-app']).stdout, /net-web1/);
    assert.match(engine.docker(['network', 'rm', 'net-app']).stderr, /has active endpoints/);

    engine.docker(['network', 'create', '--subnet', '10.231.0.0/24', 'net-fixed']);
    assert.match(engine.docker(['network', 'create', '--subnet', '10.231.0.0/16', 'net-clash']).stderr, /Pool overlaps/);
    assert.equal(engine.docker(['network', 'connect', '--ip', '10.231.0.50', '--alias', 'extra', 'net-fixed', 'net-web1']).code, 0);
    assert.match(engine.docker(['exec', 'net-web1', 'ip', '-4', 'addr']).stdout, /inet 10\.231\.0\.50\/24/);
    assert.match(engine.docker(['run', '--rm', '--network', 'net-fixed', IMAGE, 'nslookup', 'extra']).stdout, /Address: 10\.231\.0\.50/);
    assert.equal(engine.docker(['network', 'disconnect', 'net-fixed', 'net-web1']).code, 0);
    assert.doesNotMatch(engine.docker(['exec', 'net-web1', 'ip', '-4', 'addr']).stdout, /10\.231\.0\.50/);
    assert.match(engine.docker(['run', '--rm', '--network', 'container:net-web1', IMAGE, 'ip', '-4', 'addr']).stdout, new RegExp(subnet.split('.').slice(0, 2).join('\\.')));
  } finally {
    engine.docker(['rm', '-f', 'net-web1', 'net-web2']);
    engine.docker(['network', 'rm', 'net-app', 'net-fixed']);
  }
  assert.doesNotMatch(engine.docker(['network', 'ls', '--format', '{{.Name}}']).stdout, /net-app|net-fixed/);
  // The default bridge: legacy links, extra hosts and DNS settings in the container's /etc files.
  engine.docker(['run', '-d', '--name', 'link-target', IMAGE, ...sleeperArgs]);
  try {
    const files = engine.docker(['run', '--rm', '--link', 'link-target:lt', '--add-host', 'extra.example:10.1.2.3', '--dns-search', 'corp.example', '--dns-option', 'attempts:2', IMAGE, 'cat', '/etc/hosts', '/etc/resolv.conf']).stdout;
    assert.match(files, /^\d+\.\d+\.\d+\.\d+\tlt link-target$/m);
    assert.match(files, /^10\.1\.2\.3\textra\.example$/m);
    assert.match(files, /^search corp\.example$/m);
    assert.match(files, /^options attempts:2$/m);
  } finally {
    engine.docker(['rm', '-f', 'link-target']);
  }
});

test('published ports: fixed and ephemeral, reported by port and ps, served on loopback, conflicts refused', async () => {
  const port = await freePort();
  engine.docker(['run', '-d', '--name', 'ports-web', '-p', `127.0.0.1:${port}:80`, '-p', '127.0.0.1::8080', IMAGE, 'sh', '-c', 'echo published > /var/www/index.html; httpd -f -p 80 -h /var/www']);
  try {
    assert.equal(engine.docker(['port', 'ports-web', '80']).stdout.trim(), `127.0.0.1:${port}`);
    const ephemeral = Number(/:(\d+)$/.exec(engine.docker(['port', 'ports-web', '8080']).stdout.trim())?.[1]);
    assert.ok(ephemeral > 0);
    assert.match(engine.docker(['ps', '--format', '{{.Ports}}', '--filter', 'name=ports-web']).stdout, new RegExp(`127\\.0\\.0\\.1:${port}->80/tcp`));
    let body = '';
    const deadline = Date.now() + 5000;
    while (body !== 'published\n' && Date.now() < deadline) {
      body = await fetch(`http://127.0.0.1:${port}/`).then((response) => response.text()).catch(() => '');
    }
    assert.equal(body, 'published\n');
    const taken = engine.docker(['run', '--rm', '-p', `127.0.0.1:${port}:80`, IMAGE, 'true']);
    assert.notEqual(taken.code, 0);
    assert.match(taken.stderr, /port is already allocated/);
  } finally {
    engine.docker(['rm', '-f', 'ports-web']);
  }
});

test('docker build (classic): stages, COPY --from and --chown, ADD of a tar, cache, unused stages skipped, clear errors', async () => {
  const { mkdtempSync, writeFileSync, mkdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { spawnSync } = await import('node:child_process');
  const dir = mkdtempSync(join(tmpdir(), 'berth-build-'));
  const build = (args: string[]) => {
    const result = spawnSync('docker', ['-H', engine.host, 'build', ...args, dir], { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '0' } });
    return { code: result.status, out: `${result.stdout}${result.stderr}` };
  };
  try {
    mkdirSync(join(dir, 'files'));
    writeFileSync(join(dir, 'files', 'one.txt'), 'one\n');
    spawnSync('tar', ['-c', '-f', join(dir, 'bundle.tar'), '-C', join(dir, 'files'), 'one.txt']);
    writeFileSync(join(dir, 'Dockerfile'), [
      `FROM ${IMAGE} AS unused`,
      'RUN echo this stage is not needed && exit 1',
      `FROM ${IMAGE} AS builder`,
      'ARG WHO=nobody',
      'RUN echo "made by $WHO" > /made.txt',
      `FROM ${IMAGE}`,
      'COPY --from=builder --chown=1000:1000 /made.txt /out/',
      'ADD bundle.tar /unpacked/',
      'COPY <<EOT /inline.txt',
      'inline',
      'EOT',
      'CMD ["sh", "-c", "cat /out/made.txt /unpacked/one.txt /inline.txt; stat -c %u /out/made.txt"]',
      '',
    ].join('\n'));
    const first = build(['--build-arg', 'WHO=berth', '--build-arg', 'UNUSED=1', '-t', 'built/app:v1']);
    assert.equal(first.code, 0, first.out);
    assert.doesNotMatch(first.out, /this stage is not needed/);
    assert.match(first.out, /\[Warning\] One or more build-args \[UNUSED\] were not consumed/);
    assert.equal(engine.docker(['run', '--rm', '--network', 'none', 'built/app:v1']).stdout, 'made by berth\none\ninline\n1000\n');
    const again = build(['--build-arg', 'WHO=berth', '-t', 'built/app:v1']);
    assert.doesNotMatch(again.out, /Running in/, 'an unchanged rebuild runs nothing');
    assert.match(again.out, /Using cache/);
    assert.equal(/Successfully built (\w+)/.exec(again.out)?.[1], /Successfully built (\w+)/.exec(first.out)?.[1], 'and gives the same image');

    writeFileSync(join(dir, 'Dockerfile'), `FROM ${IMAGE}\nFROBNICATE now\n`);
    assert.match(build([]).out, /Dockerfile line 2: unknown instruction: FROBNICATE/);
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${IMAGE}\nCOPY ../outside /x\n`);
    assert.match(build([]).out, /forbidden path outside the build context/);
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${IMAGE} AS a\nCOPY --from=a /bin/sh /x\n`);
    assert.match(build([]).out, /refers to its own stage \(a cycle\)/);
    writeFileSync(join(dir, 'Dockerfile'), `FROM ${IMAGE}\nRUN exit 7\n`);
    const failed = build(['-t', 'built/failed:v1']);
    assert.notEqual(failed.code, 0);
    assert.match(failed.out, /returned a non-zero code: 7/);
    assert.notEqual(engine.docker(['image', 'inspect', 'built/failed:v1']).code, 0, 'a failed build tags nothing');
    assert.equal(engine.docker(['ps', '-aq']).stdout, '', 'and leaves no container behind');
  } finally {
    engine.docker(['rmi', 'built/app:v1']);
    rmSync(dir, { recursive: true, force: true });
  }
});
