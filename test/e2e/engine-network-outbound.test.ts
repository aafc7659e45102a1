// berth's engine and the world outside its bridges: containers reach other hosts through masquerading (a test host in
// a namespace with no route back to any container subnet), internal networks stay cut off, networks are fenced off
// from each other, and each network's resolver answers over UDP and TCP and forwards what it does not own.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { after, before, test } from 'node:test';
import { engineTag } from '../../src/engine/services/networks.js';
import { askTcp, askUdp, decodeMessage, encodeQuery, framed } from './dns-wire.js';
import { rawRequest, startTestEngine } from './engine-helpers.js';
import type { TestEngine } from './engine-helpers.js';
import { IMAGE } from './helpers.js';
import { startTestHost } from './test-host.js';
import type { TestHost } from './test-host.js';

const PAGE = 'hello from the test host\n';
/** A name only the test host's DNS server knows, and the address it gives (never contacted). */
const OUTSIDE_NAME = 'outside.berth.test';
const OUTSIDE_ADDRESS = '198.51.100.250';
const sleeper = ['sh', '-c', "trap 'exit 0' TERM; while true; do sleep 0.2; done & wait"];

let engine: TestEngine;
let outside: TestHost;
before(async () => {
  [engine, outside] = await Promise.all([startTestEngine(), startTestHost()]);
  await outside.serveHttp(PAGE);
  await outside.serveDns({ [OUTSIDE_NAME]: OUTSIDE_ADDRESS });
});
after(async () => {
  await engine?.stop();
  await outside?.close();
});

function docker(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  return engine.docker(args);
}

/**
 * A page fetched from a container on `network`, or ''. The time limit must not run as PID 1, which no signal from
 * inside the container kills: sh stays PID 1 (a command after it stops sh from exec'ing it).
 */
function fetchFrom(network: string, url: string, ...options: string[]): { code: number | null; stdout: string; stderr: string } {
  return docker('run', '--rm', '--network', network, ...options, IMAGE, 'sh', '-c', `${limited(`wget -q -O- ${url}`)}`);
}

function limited(command: string): string {
  return `timeout -s KILL 3 ${command}; exit $?`;
}

function addressOf(container: string, network: string): string {
  return docker('inspect', '-f', `{{(index .NetworkSettings.Networks "${network}").IPAddress}}`, container).stdout.trim();
}

function gatewayOf(network: string): string {
  return docker('network', 'inspect', '-f', '{{(index .IPAM.Config 0).Gateway}}', network).stdout.trim();
}

function bridgeOf(network: string): string {
  return `br-${docker('network', 'inspect', '-f', '{{.Id}}', network).stdout.trim().slice(0, 12)}`;
}

function engineRules(): string {
  const listed = spawnSync('nft', ['list', 'table', 'ip', engineTag(engine.root)], { encoding: 'utf8' });
  return listed.status === 0 ? listed.stdout : '';
}

test('a container on a network that is not internal fetches a page from another host, its traffic masqueraded', () => {
  assert.equal(docker('network', 'create', 'out-ext').code, 0);
  const fetched = fetchFrom('out-ext', `http://${outside.address}/`);
  assert.equal(fetched.stdout, PAGE, fetched.stderr);
  const onDefault = fetchFrom('bridge', `http://${outside.address}/`);
  assert.equal(onDefault.stdout, PAGE, `on the default bridge too: ${onDefault.stderr}`);
  assert.equal(engine.docker(['info', '--format', '{{.IPv4Forwarding}} {{json .Warnings}}']).stdout.trim(), 'true []');
});

test('with enable_ip_masquerade=false a network is not masqueraded: its containers get no answers from outside', (t) => {
  assert.equal(docker('network', 'create', '-o', 'com.docker.network.bridge.enable_ip_masquerade=false', 'out-nomasq').code, 0);
  t.after(() => docker('network', 'rm', 'out-nomasq'));
  const fetched = fetchFrom('out-nomasq', `http://${outside.address}/`);
  assert.equal(fetched.stdout, '', 'the test host has no route back to the container');
  assert.notEqual(fetched.code, 0);
});

test('a container on an internal network reaches no other host, not even with a default route of its own', () => {
  assert.equal(docker('network', 'create', '--internal', 'out-int').code, 0);
  const plain = fetchFrom('out-int', `http://${outside.address}/`);
  assert.notEqual(plain.code, 0);
  assert.equal(plain.stdout, '');
  // With NET_ADMIN it can route through the gateway: the host must still not forward its packets.
  const routed = docker('run', '--rm', '--network', 'out-int', '--cap-add', 'NET_ADMIN', IMAGE, 'sh', '-c',
    `ip route add default via ${gatewayOf('out-int')} && echo routed && ${limited(`wget -q -O- http://${outside.address}/`)}`);
  assert.match(routed.stdout, /^routed\n$/, routed.stderr);
  assert.notEqual(routed.code, 0);
});

test('networks are fenced off from each other: a container cannot open a connection to one on another network', (t) => {
  assert.equal(docker('network', 'create', 'out-other').code, 0);
  t.after(() => docker('rm', '-f', 'fenced-web'));
  docker('run', '-d', '--name', 'fenced-web', '--network', 'out-other', IMAGE, 'sh', '-c', 'echo fenced > /var/www/index.html; exec httpd -f -p 80 -h /var/www');
  const url = `http://${addressOf('fenced-web', 'out-other')}/`;
  const same = docker('run', '--rm', '--network', 'out-other', IMAGE, 'sh', '-c', `for i in 1 2 3 4 5 6 7 8 9 10; do timeout -s KILL 3 wget -q -O- ${url} && exit 0; sleep 0.2; done; exit 1`);
  assert.equal(same.stdout, 'fenced\n', `on its own network it serves: ${same.stderr}`);
  const across = fetchFrom('out-ext', url);
  assert.notEqual(across.code, 0, 'from another network it cannot be reached');
  assert.equal(across.stdout, '');
});

test("the engine's rules live in a table of its own, and a network's rules go with the network", () => {
  const [ext, internal] = [bridgeOf('out-ext'), bridgeOf('out-int')];
  const rules = engineRules();
  assert.match(rules, new RegExp(`ip saddr [0-9./]+ oifname != "${ext}" fib daddr type != local masquerade`));
  assert.match(rules, new RegExp(`iifname "${internal}" oifname != "${internal}" drop`));
  assert.doesNotMatch(rules, new RegExp(`masquerade.*${internal}`), 'an internal network is not masqueraded');
  assert.equal(docker('network', 'rm', 'out-int', 'out-other').code, 0);
  assert.doesNotMatch(engineRules(), new RegExp(internal));
  assert.match(engineRules(), new RegExp(ext));
});

test("a network's resolver answers over UDP and over TCP, several questions on one connection", async () => {
  assert.equal(docker('network', 'create', 'out-dns').code, 0);
  docker('run', '-d', '--name', 'dns-web', '--network', 'out-dns', '--network-alias', 'site', IMAGE, ...sleeper);
  const address = addressOf('dns-web', 'out-dns');
  const gateway = gatewayOf('out-dns');
  assert.deepEqual((await askUdp(gateway, 'dns-web')).addresses, [address]);
  const [byName, byAlias, missing] = await askTcp(gateway, ['dns-web', 'site', 'nobody-here']);
  assert.deepEqual([byName!.addresses, byAlias!.addresses, byName!.id, byAlias!.id], [[address], [address], 1, 2]);
  assert.equal(missing!.rcode, 3, 'NXDOMAIN');
});

test("names the network does not own are forwarded to the container's DNS servers, over UDP and over TCP", () => {
  const gateway = gatewayOf('out-dns');
  const udp = docker('run', '--rm', '--network', 'out-dns', '--dns', outside.address, IMAGE, 'nslookup', OUTSIDE_NAME);
  assert.match(udp.stdout, new RegExp(`Address: ${OUTSIDE_ADDRESS.replaceAll('.', '\\.')}`), udp.stderr);
  // busybox nslookup only speaks UDP: the TCP query is written by hand and sent with nc.
  const query = [...framed(encodeQuery(OUTSIDE_NAME, 7))].map((byte) => `\\${byte.toString(8).padStart(3, '0')}`).join('');
  const tcp = docker('run', '--rm', '--network', 'out-dns', '--dns', outside.address, IMAGE, 'sh', '-c', `printf '${query}' | timeout -s KILL 3 nc ${gateway} 53 | od -An -v -tx1`);
  const bytes = Buffer.from(tcp.stdout.replace(/\s+/g, ''), 'hex');
  assert.ok(bytes.length > 2, `an answer over TCP: ${tcp.stderr}`);
  assert.deepEqual(decodeMessage(bytes.subarray(2)).addresses, [OUTSIDE_ADDRESS]);
});

test('a container only on internal networks gets no names forwarded, and a resolver never forwards to itself', (t) => {
  assert.equal(docker('network', 'create', '--internal', 'out-dns-int').code, 0);
  t.after(() => docker('network', 'rm', 'out-dns-int'));
  const internal = docker('run', '--rm', '--network', 'out-dns-int', '--dns', outside.address, IMAGE, 'nslookup', OUTSIDE_NAME);
  assert.notEqual(internal.code, 0);
  assert.doesNotMatch(internal.stdout, new RegExp(OUTSIDE_ADDRESS.replaceAll('.', '\\.')));
  const started = Date.now();
  const looped = docker('run', '--rm', '--network', 'out-dns', '--dns', gatewayOf('out-dns'), IMAGE, 'sh', '-c', limited(`nslookup ${OUTSIDE_NAME}`));
  assert.notEqual(looped.code, 0);
  assert.match(looped.stdout + looped.stderr, /NXDOMAIN|can't find/, 'answered (NXDOMAIN), not timed out');
  assert.ok(Date.now() - started < 20_000);
});

test('an answer too big for a UDP message comes truncated (TC set), and whole over TCP', async (t) => {
  const replicas = 32; // 30 A records fit in 512 bytes
  const create = JSON.stringify({
    Image: IMAGE,
    Cmd: sleeper,
    HostConfig: { NetworkMode: 'out-dns' },
    NetworkingConfig: { EndpointsConfig: { 'out-dns': { Aliases: ['crowd'] } } },
  });
  const ids: string[] = [];
  t.after(() => docker('rm', '-f', ...ids));
  for (let batch = 0; batch < replicas; batch += 8) {
    await Promise.all(
      Array.from({ length: Math.min(8, replicas - batch) }, async () => {
        const created = await rawRequest(engine.socket, 'POST', '/containers/create', create);
        assert.equal(created.status, 201, created.body);
        const { Id } = JSON.parse(created.body) as { Id: string };
        ids.push(Id);
        assert.equal((await rawRequest(engine.socket, 'POST', `/containers/${Id}/start`)).status, 204);
      }),
    );
  }
  const gateway = gatewayOf('out-dns');
  const udp = await askUdp(gateway, 'crowd');
  assert.equal(udp.truncated, true);
  assert.ok(udp.addresses.length < replicas && udp.addresses.length > 0, `${udp.addresses.length} records over UDP`);
  const [tcp] = await askTcp(gateway, ['crowd']);
  assert.equal(tcp!.truncated, false);
  assert.equal(new Set(tcp!.addresses).size, replicas);
});
