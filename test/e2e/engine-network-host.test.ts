// What berth's engine does to the host's networking, and what it leaves: it never takes over nor deletes an interface
// it did not create, a clean stop removes what no running container uses (bridges, their routes, the packet filter
// rules), the next start takes it all back, and a host without a packet filter is said so and still works.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ruleNames } from '../../src/engine/runtime/netfilter-rules.js';
import { engineTag } from '../../src/engine/services/networks.js';
import { rawRequest, startTestEngine } from './engine-helpers.js';
import type { TestEngine } from './engine-helpers.js';
import { IMAGE } from './helpers.js';
import { startTestHost } from './test-host.js';
import type { TestHost } from './test-host.js';

const PAGE = 'reached the test host\n';
const sleeper = ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 0.2; done & wait"];

let engine: TestEngine;
let outside: TestHost;
/** Interfaces this file made on the host itself (removed at the end, whatever happened). */
const ours: string[] = [];
before(async () => {
  [engine, outside] = await Promise.all([startTestEngine(), startTestHost()]);
  await outside.serveHttp(PAGE);
});
after(async () => {
  await engine?.stop();
  await outside?.close();
  for (const name of ours) spawnSync('ip', ['link', 'del', name]);
});

function docker(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  return engine.docker(args);
}

/** A host interface of the test's own, named uniquely: a veth (the kernel may lack dummy interfaces) or a bridge. */
function hostInterface(kind: 'veth' | 'bridge', name = `nox${randomBytes(3).toString('hex')}`): string {
  const made = spawnSync('ip', ['link', 'add', name, 'type', kind, ...(kind === 'veth' ? ['peer', 'name', `${name}p`] : [])], { encoding: 'utf8' });
  assert.equal(made.status, 0, made.stderr);
  ours.push(name);
  return name;
}

function ifindex(name: string): string {
  return readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim();
}

function bridgeOf(network: string): string {
  return docker('network', 'inspect', '-f', '{{index .Options "com.docker.network.bridge.name"}}', network).stdout.trim() || `br-${docker('network', 'inspect', '-f', '{{.Id}}', network).stdout.trim().slice(0, 12)}`;
}

function subnetOf(network: string): string {
  return docker('network', 'inspect', '-f', '{{(index .IPAM.Config 0).Subnet}}', network).stdout.trim();
}

/** Whether the host routes `subnet` through `bridge` (another engine may take a subnet this one gave back). */
function routedVia(subnet: string, bridge: string): boolean {
  return spawnSync('ip', ['-4', 'route', 'show', 'exact', subnet], { encoding: 'utf8' }).stdout.includes(`dev ${bridge} `);
}

/** Stops the engine cleanly, runs `checks` on the host, and starts the engine again whatever they found. */
async function haltedCleanly(checks: () => void): Promise<void> {
  await engine.halt('SIGTERM');
  try {
    checks();
  } finally {
    await engine.resume();
  }
}

function engineRules(): string | undefined {
  const listed = spawnSync('nft', ['list', 'table', 'ip', engineTag(engine.root)], { encoding: 'utf8' });
  return listed.status === 0 ? listed.stdout : undefined;
}

/** The interfaces carrying the engine's mark. */
function markedInterfaces(): string[] {
  const tag = `${engineTag(engine.root)}:`;
  return readdirSync('/sys/class/net').filter((name) => {
    try {
      return readFileSync(`/sys/class/net/${name}/ifalias`, 'utf8').startsWith(tag);
    } catch {
      return false;
    }
  });
}

function fetchIn(container: string): string {
  return docker('exec', container, 'sh', '-c', `timeout -s KILL 3 wget -q -O- http://${outside.address}/; exit $?`).stdout;
}

test('a bridge name that names an existing host interface is refused (400), and the interface is left as it was', async () => {
  for (const kind of ['veth', 'bridge'] as const) {
    const name = hostInterface(kind);
    const before = ifindex(name);
    const answer = await rawRequest(engine.socket, 'POST', '/networks/create', JSON.stringify({ Name: `taken-${kind}`, Options: { 'com.docker.network.bridge.name': name } }));
    assert.equal(answer.status, 400, answer.body);
    assert.match(answer.body, new RegExp(`cannot use ${name} as the bridge of network taken-${kind}: an interface of that name already exists on the host`));
    assert.equal(ifindex(name), before, 'the same interface, untouched');
    assert.equal(readFileSync(`/sys/class/net/${name}/ifalias`, 'utf8').trim(), '');
  }
  assert.doesNotMatch(docker('network', 'ls', '--format', '{{.Name}}').stdout, /taken-/);
});

test('network rm never deletes a host interface: a bridge name taken while the engine was stopped keeps the network down', async () => {
  const name = `nox${randomBytes(3).toString('hex')}`;
  assert.equal(docker('network', 'create', '-o', `com.docker.network.bridge.name=${name}`, 'named-net').code, 0);
  assert.ok(existsSync(`/sys/class/net/${name}`), 'the engine made it');
  await haltedCleanly(() => {
    assert.ok(!existsSync(`/sys/class/net/${name}`), 'unused, it went with the clean stop');
    hostInterface('veth', name);
  });
  const before = ifindex(name);
  assert.match(engine.log(), new RegExp(`network named-net stays down: its bridge ${name} is an interface on the host that berth's engine did not create`));
  assert.match(docker('info', '--format', '{{json .Warnings}}').stdout, /network named-net is down/);
  const run = docker('run', '--rm', '--network', 'named-net', IMAGE, 'true');
  assert.notEqual(run.code, 0);
  assert.match(run.stderr, new RegExp(`its bridge ${name} is an interface on the host that berth's engine did not create`));
  assert.equal(docker('network', 'rm', 'named-net').code, 0);
  assert.equal(ifindex(name), before, 'the host interface survives the network');
});

test('a clean stop takes down what no running container uses; the next start takes it all back for the adopted container', async () => {
  for (const network of ['kept-net', 'idle-net']) assert.equal(docker('network', 'create', network).code, 0);
  docker('run', '-d', '--name', 'keeper', '--network', 'kept-net', IMAGE, ...sleeper);
  docker('run', '-d', '--name', 'peer', '--network', 'kept-net', IMAGE, ...sleeper);
  const pid = docker('inspect', '-f', '{{.State.Pid}}', 'keeper').stdout.trim();
  assert.equal(fetchIn('keeper'), PAGE);
  const idle = { 'idle-net': bridgeOf('idle-net'), bridge: bridgeOf('bridge') };
  const [kept, keptSubnet] = [bridgeOf('kept-net'), subnetOf('kept-net')];
  const idleRoutes = Object.entries(idle).map(([network, bridge]) => [subnetOf(network), bridge] as const);

  await haltedCleanly(() => {
    assert.ok(existsSync(`/sys/class/net/${kept}`), 'a running container still uses it');
    assert.ok(routedVia(keptSubnet, kept));
    for (const bridge of Object.values(idle)) assert.ok(!existsSync(`/sys/class/net/${bridge}`), `${bridge} is gone`);
    for (const [subnet, bridge] of idleRoutes) assert.ok(!routedVia(subnet, bridge), `the route to ${subnet} is gone`);
    const rules = engineRules() ?? '';
    assert.match(rules, new RegExp(`"${kept}"`), 'the rules of the network in use stay');
    assert.doesNotMatch(rules, new RegExp(`"${idle['idle-net']}"|"${idle.bridge}"`));
  });
  // Back, on their subnets (or on others from the pools, when another engine took theirs meanwhile).
  for (const [network, bridge] of Object.entries(idle)) assert.ok(routedVia(subnetOf(network), bridge), `${network} is back on ${bridge}`);
  assert.match(engineRules() ?? '', new RegExp(`"${idle['idle-net']}"`));
  assert.equal(docker('inspect', '-f', '{{.State.Running}} {{.State.Pid}}', 'keeper').stdout.trim(), `true ${pid}`, 'the same process, adopted');
  assert.match(docker('exec', 'keeper', 'nslookup', 'peer').stdout, /Name:\s+peer/, 'its network resolver is back');
  assert.equal(fetchIn('keeper'), PAGE, 'it reaches the test host again');
  assert.equal(docker('run', '--rm', '--network', 'idle-net', IMAGE, 'true').code, 0, 'the network brought back works');
});

test('a clean stop with nothing running leaves nothing of the engine on the host', async () => {
  const ids = docker('ps', '-aq').stdout.split('\n').filter(Boolean);
  const routes = ['kept-net', 'idle-net', 'bridge'].map((network) => [subnetOf(network), bridgeOf(network)] as const);
  assert.ok(markedInterfaces().length >= 3);
  docker('rm', '-f', ...ids);
  await haltedCleanly(() => {
    assert.deepEqual(markedInterfaces(), [], 'no bridge of the engine');
    assert.equal(engineRules(), undefined, 'no table of the engine');
    for (const [subnet, bridge] of routes) assert.ok(!routedVia(subnet, bridge), `no route to ${subnet}`);
    for (const id of ids) assert.ok(!existsSync(`/run/netns/berth-${id.slice(0, 12)}`));
  });
});

/** A PATH with every program of the host's but those `hidden` matches: a host without them. */
/**
 * A PATH without the programs `hidden` matches. It must outlive the engine that runs with it (its stop still runs
 * `ip` to take containers' namespaces down), so the caller removes it after that engine's stop.
 */
function pathWithout(hidden: RegExp): { path: string; remove: () => void } {
  const bin = mkdtempSync(join(tmpdir(), 'berth-path-'));
  for (const dir of ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin']) {
    if (!existsSync(dir) || lstatSync(dir).isSymbolicLink()) continue;
    for (const program of readdirSync(dir)) {
      if (hidden.test(program) || existsSync(join(bin, program))) continue;
      symlinkSync(join(dir, program), join(bin, program));
    }
  }
  return { path: bin, remove: () => rmSync(bin, { recursive: true, force: true }) };
}

test('on a host without nft the engine uses iptables, in chains of its own that go with a clean stop', async (t) => {
  const path = pathWithout(/^nft$/);
  const other = await startTestEngine({ env: { ...process.env, PATH: path.path } });
  t.after(async () => {
    await other.stop();
    path.remove();
  });
  const chains = ruleNames(engineTag(other.root));
  const iptables = (...args: string[]): string => spawnSync('iptables', ['-w', ...args], { encoding: 'utf8' }).stdout;
  assert.match(iptables('-S', 'FORWARD'), new RegExp(`-A FORWARD -j ${chains.forwardChain}`));
  assert.match(iptables('-t', 'nat', '-S', 'POSTROUTING'), new RegExp(`-A POSTROUTING -j ${chains.natChain}`));
  assert.equal(spawnSync('nft', ['list', 'table', 'ip', engineTag(other.root)]).status, 1, 'no nftables table');
  for (const args of [['v4-out'], ['--internal', 'v4-in']]) assert.equal(other.docker(['network', 'create', ...args]).code, 0);
  const fetch = (network: string) => other.docker(['run', '--rm', '--network', network, IMAGE, 'sh', '-c', `timeout -s KILL 3 wget -q -O- http://${outside.address}/; exit $?`]);
  assert.equal(fetch('v4-out').stdout, PAGE);
  assert.equal(fetch('v4-in').stdout, '');
  assert.equal(other.docker(['network', 'rm', 'v4-out', 'v4-in']).code, 0);
  assert.equal(iptables('-t', 'nat', '-S', chains.natChain).split('\n').filter((line) => line.startsWith('-A')).length, 1, 'only the default bridge is masqueraded');
  await other.halt('SIGTERM');
  try {
    assert.doesNotMatch(iptables('-S'), new RegExp(chains.forwardChain), 'no chain, no jump');
    assert.doesNotMatch(iptables('-t', 'nat', '-S'), new RegExp(chains.natChain));
  } finally {
    await other.resume();
  }
});

test('on a host without a packet filter the engine says so once, in its log and in /info, and the rest works', async (t) => {
  const path = pathWithout(/^(nft|iptables|ip6tables|xtables|arptables|ebtables)/);
  const bare = await startTestEngine({ env: { ...process.env, PATH: path.path } });
  t.after(async () => {
    await bare.stop();
    path.remove();
  });
  const warnings = bare.log().split('\n').filter((line) => line.includes('No packet filter on this host'));
  assert.equal(warnings.length, 1, bare.log());
  assert.match(warnings[0]!, /containers cannot reach other hosts/);
  assert.match(bare.docker(['info', '--format', '{{json .Warnings}}']).stdout, /No packet filter on this host/);
  assert.equal(spawnSync('nft', ['list', 'table', 'ip', engineTag(bare.root)]).status, 1, 'no table');
  assert.equal(bare.docker(['network', 'create', 'plain-net']).code, 0);
  bare.docker(['run', '-d', '--name', 'named', '--network', 'plain-net', IMAGE, ...sleeper]);
  assert.match(bare.docker(['run', '--rm', '--network', 'plain-net', IMAGE, 'nslookup', 'named']).stdout, /Name:\s+named/);
});

test("on a host whose iptables FORWARD policy drops (dockerd's), the engine's own chains still let containers out", async (t) => {
  // A host of the test's own (a network namespace) with that policy, so that the real host's stays as it is.
  const host = `bh-${randomBytes(3).toString('hex')}`;
  assert.equal(spawnSync('ip', ['netns', 'add', host]).status, 0);
  t.after(() => spawnSync('ip', ['netns', 'del', host]));
  spawnSync('ip', ['-n', host, 'link', 'set', 'lo', 'up']);
  assert.equal(spawnSync('ip', ['netns', 'exec', host, 'iptables', '-w', '-P', 'FORWARD', 'DROP']).status, 0);
  const far = await startTestHost({ attachTo: host });
  t.after(() => far.close());
  await far.serveHttp(PAGE);
  const guarded = await startTestEngine({ namespace: host });
  t.after(() => guarded.stop());
  assert.match(guarded.log(), /packet filter: iptables chains .* since the host's iptables FORWARD policy drops forwarded packets/);
  assert.equal(spawnSync('ip', ['netns', 'exec', host, 'cat', '/proc/sys/net/ipv4/ip_forward'], { encoding: 'utf8' }).stdout.trim(), '1', 'forwarding turned on');
  const fetched = guarded.docker(['run', '--rm', IMAGE, 'sh', '-c', `timeout -s KILL 3 wget -q -O- http://${far.address}/; exit $?`]);
  assert.equal(fetched.stdout, PAGE, fetched.stderr);
});
