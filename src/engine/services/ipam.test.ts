import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatCidr, formatIp, freePool, macFor, nextAddress, overlaps, parseCidr, parseIp, parseRoutes } from './ipam.js';

test('addresses and subnets parse and print', () => {
  assert.equal(formatIp(parseIp('172.18.0.1')), '172.18.0.1');
  assert.equal(formatCidr(parseCidr('10.1.2.3/16')), '10.1.0.0/16');
  assert.throws(() => parseCidr('10.0.0.0'), /invalid CIDR/);
  assert.throws(() => parseIp('10.0.0.256'), /invalid IPv4/);
  assert.ok(overlaps(parseCidr('10.0.0.0/8'), parseCidr('10.3.0.0/16')));
  assert.ok(!overlaps(parseCidr('10.0.0.0/16'), parseCidr('10.1.0.0/16')));
});

test('pools skip what the host routes and other networks use, 172.x /16s first, then 192.168 /20s', () => {
  assert.equal(formatCidr(freePool([parseCidr('172.17.0.0/16')])), '172.18.0.0/16');
  const all172 = Array.from({ length: 15 }, (_, index) => parseCidr(`172.${17 + index}.0.0/16`));
  assert.equal(formatCidr(freePool([...all172, parseCidr('192.168.0.0/24')])), '192.168.16.0/20');
});

test('container addresses start after the gateway and stay inside the ip range', () => {
  const subnet = parseCidr('172.20.0.0/16');
  assert.equal(formatIp(nextAddress(subnet, undefined, new Set([parseIp('172.20.0.1')]))), '172.20.0.2');
  assert.equal(formatIp(nextAddress(subnet, parseCidr('172.20.5.0/24'), new Set([parseIp('172.20.0.1')]))), '172.20.5.0');
  assert.throws(() => nextAddress(parseCidr('10.0.0.0/30'), undefined, new Set([parseIp('10.0.0.1'), parseIp('10.0.0.2')])), /no available/);
  assert.equal(macFor(parseIp('172.20.0.2')), '02:42:ac:14:00:02');
});

test('the host routes come from /proc/net/route, without the default route', () => {
  const table = 'Iface\tDestination\tGateway\tFlags\tRefCnt\tUse\tMetric\tMask\tMTU\tWindow\tIRTT\neth0\t00000000\t010200C0\t0003\t0\t0\t0\t00000000\t0\t0\t0\ndocker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0\n';
  assert.deepEqual(parseRoutes(table).map(formatCidr), ['172.17.0.0/16']);
});
