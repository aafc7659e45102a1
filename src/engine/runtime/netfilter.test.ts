import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectPacketFilter, RuleWriter } from './netfilter.js';
import type { BridgeRules, PacketFilter, Runner } from './netfilter.js';

/** A runner that records what it was asked and answers from a table of exit codes by program. */
function recorder(codes: Record<string, number>): { run: Runner; calls: string[] } {
  const calls: string[] = [];
  const run: Runner = async (program, args, input) => {
    calls.push([program, ...args].join(' ') + (input ? `\n${input}` : ''));
    const code = codes[program] ?? 0;
    return { code, stdout: '', stderr: code === 0 ? '' : `${program} failed` };
  };
  return { run, calls };
}

const app: BridgeRules = { network: 'app', bridge: 'br-aaa', subnet: '172.18.0.0/16', internal: false, masquerade: true };

test('nftables is preferred; its rules go in one nft run, and none left means the table goes', async () => {
  const { run, calls } = recorder({});
  const { filter, warning, choice } = await detectPacketFilter('berth-x', run, () => true);
  assert.equal(filter.kind, 'nftables');
  assert.equal(warning, undefined);
  assert.equal(choice, 'nftables table ip berth-x');
  const probes = calls.length;
  await filter.apply([app]);
  await filter.apply([]);
  assert.equal(calls.length, probes + 2);
  assert.match(calls[probes]!, /^nft -f -\ntable ip berth-x \{\}\ndelete table ip berth-x\ntable ip berth-x \{/);
  assert.equal(calls[probes + 1], 'nft -f -\ntable ip berth-x {}\ndelete table ip berth-x\n');
});

test('a host whose iptables FORWARD policy drops (dockerd\'s) gets iptables chains, which can accept before the drop', async () => {
  const run: Runner = async (program, args) => ({ code: 0, stdout: program === 'iptables' && args.includes('FORWARD') ? '-P FORWARD DROP\n-A FORWARD -j DOCKER-USER\n' : '', stderr: '' });
  const { filter, choice } = await detectPacketFilter('berth-x', run, () => true);
  assert.equal(filter.kind, 'iptables');
  assert.match(choice, /since the host's iptables FORWARD policy drops forwarded packets/);
});

test('without nft, iptables: chains restored, the jumps added once; none left means jumps and chains go', async () => {
  const { run, calls } = recorder({});
  const { filter } = await detectPacketFilter('berth-x', run, (program) => program !== 'nft');
  assert.equal(filter.kind, 'iptables');
  const probes = calls.length;
  await filter.apply([app]);
  assert.match(calls[probes]!, /^iptables-restore -w --noflush\n\*filter/);
  assert.deepEqual(calls.slice(probes + 1), ['iptables -w -t filter -C FORWARD -j BERTH-X-FWD', 'iptables -w -t nat -C POSTROUTING -j BERTH-X-NAT']);
});

test('no usable packet filter: a warning that says what containers cannot do, and rules that cost nothing', async () => {
  const { run } = recorder({ nft: 1, iptables: 1 });
  const { filter, warning, choice } = await detectPacketFilter('berth-x', run, () => true);
  assert.equal(filter.kind, 'none');
  assert.match(warning ?? '', /No packet filter on this host \(nft: nft failed; iptables: iptables failed\): containers cannot reach other hosts/);
  assert.equal(choice, warning);
  await filter.apply([app]);
  const missing = await detectPacketFilter('berth-x', run, () => false);
  assert.match(missing.warning ?? '', /\(no nft; no iptables\)/);
});

test('rewrites run one at a time, each from the state when it begins; those asked meanwhile share the next', async () => {
  const applied: string[][] = [];
  let release: () => void = () => {};
  let state = ['a'];
  const filter: PacketFilter = {
    kind: 'nftables',
    where: 'test',
    apply: async (bridges) => {
      applied.push(bridges.map((bridge) => bridge.network));
      if (applied.length === 1) await new Promise<void>((resolve) => (release = resolve));
    },
  };
  const writer = new RuleWriter(filter, () => state.map((network) => ({ ...app, network })));
  const first = writer.sync();
  await new Promise((resolve) => setImmediate(resolve));
  state = ['a', 'b'];
  const second = writer.sync();
  state = ['a', 'b', 'c'];
  const third = writer.sync();
  assert.equal(second, third, 'both wait for the same rewrite');
  release();
  await Promise.all([first, second, third]);
  assert.deepEqual(applied, [['a'], ['a', 'b', 'c']]);
});

test('a failed rewrite fails its callers, and the next one runs anyway', async () => {
  let fail = true;
  const filter: PacketFilter = {
    kind: 'nftables',
    where: 'test',
    apply: async () => {
      if (fail) throw new Error('nft: no');
    },
  };
  const writer = new RuleWriter(filter, () => []);
  await assert.rejects(writer.sync(), /nft: no/);
  fail = false;
  await writer.sync();
});
