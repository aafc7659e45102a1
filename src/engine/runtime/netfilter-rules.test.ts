import assert from 'node:assert/strict';
import { test } from 'node:test';
import { iptablesRuleset, nftDelete, nftRuleset, ruleNames } from './netfilter-rules.js';
import type { BridgeRules } from './netfilter-rules.js';

const names = ruleNames('berth-0a1b2c3d4e');
const app: BridgeRules = { network: 'app', bridge: 'br-aaa', subnet: '172.18.0.0/16', internal: false, masquerade: true };
const secret: BridgeRules = { network: 'secret', bridge: 'br-bbb', subnet: '172.19.0.0/16', internal: true, masquerade: true };
const plain: BridgeRules = { network: 'plain', bridge: 'br-ccc', subnet: '172.20.0.0/16', internal: false, masquerade: false };

test('the names of the table and chains are the engine\'s own', () => {
  assert.deepEqual(names, { table: 'berth-0a1b2c3d4e', forwardChain: 'BERTH-0A1B2C3D4E-FWD', natChain: 'BERTH-0A1B2C3D4E-NAT' });
});

test('nftables: one transaction replaces the whole table; every drop comes before any accept of outgoing traffic', () => {
  const ruleset = nftRuleset(names, [plain, secret, app]);
  const lines = ruleset.split('\n').map((line) => line.trim());
  assert.deepEqual(lines.slice(0, 3), ['table ip berth-0a1b2c3d4e {}', 'delete table ip berth-0a1b2c3d4e', 'table ip berth-0a1b2c3d4e {']);
  const lastDrop = lines.reduce((last, line, index) => (line.includes(' drop ') ? index : last), -1);
  const firstOutgoing = lines.findIndex((line) => /^iifname .* accept /.test(line));
  assert.ok(lastDrop < firstOutgoing, 'an accept of outgoing traffic would end the chain before an internal network\'s drop');
  assert.ok(lines.includes('iifname "br-bbb" oifname != "br-bbb" drop comment "network secret"'));
  assert.ok(lines.includes('oifname "br-bbb" iifname != "br-bbb" drop comment "network secret"'));
  assert.ok(lines.includes('oifname "br-aaa" iifname != "br-aaa" ct state established,related accept comment "network app"'));
  assert.ok(lines.includes('ip saddr 172.18.0.0/16 oifname != "br-aaa" fib daddr type != local masquerade comment "network app"'));
  assert.ok(!lines.some((line) => line.includes('masquerade') && line.includes('br-bbb')), 'an internal network is never masqueraded');
  assert.ok(!lines.some((line) => line.includes('masquerade') && line.includes('br-ccc')), 'enable_ip_masquerade=false');
  assert.equal(nftRuleset(names, [app, secret, plain]), ruleset, 'the order of the networks does not matter');
});

test('nftables: no networks, no table', () => {
  assert.equal(nftDelete(names), 'table ip berth-0a1b2c3d4e {}\ndelete table ip berth-0a1b2c3d4e\n');
});

test('iptables: the same rules in chains of the engine\'s own, declared (and so emptied) by iptables-restore --noflush', () => {
  const input = iptablesRuleset(names, [app, secret]);
  assert.equal(
    input,
    [
      '*filter',
      ':BERTH-0A1B2C3D4E-FWD - [0:0]',
      '-A BERTH-0A1B2C3D4E-FWD -i br-bbb ! -o br-bbb -m comment --comment "network secret" -j DROP',
      '-A BERTH-0A1B2C3D4E-FWD -o br-bbb ! -i br-bbb -m comment --comment "network secret" -j DROP',
      '-A BERTH-0A1B2C3D4E-FWD -o br-aaa ! -i br-aaa -m conntrack --ctstate RELATED,ESTABLISHED -m comment --comment "network app" -j ACCEPT',
      '-A BERTH-0A1B2C3D4E-FWD -o br-aaa ! -i br-aaa -m comment --comment "network app" -j DROP',
      '-A BERTH-0A1B2C3D4E-FWD -i br-aaa ! -o br-aaa -m comment --comment "network app" -j ACCEPT',
      'COMMIT',
      '*nat',
      ':BERTH-0A1B2C3D4E-NAT - [0:0]',
      '-A BERTH-0A1B2C3D4E-NAT -s 172.18.0.0/16 ! -o br-aaa -m addrtype ! --dst-type LOCAL -m comment --comment "network app" -j MASQUERADE',
      'COMMIT',
      '',
    ].join('\n'),
  );
});
