import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertDns, extraHostLines } from './dns.js';

test('dns settings map one to one; extra_hosts become sorted host:ip lines', () => {
  assert.deepEqual(
    convertDns({
      name: 'web',
      dns: ['8.8.8.8', '2001:4860:4860::8888'],
      dns_search: 'dc1.example.com',
      dns_opt: ['use-vc'],
      extra_hosts: ['somehost=162.242.195.82', 'otherhost:50.31.209.229', 'v6host=[::1]'],
    }),
    {
      host: {
        Dns: ['8.8.8.8', '2001:4860:4860::8888'],
        DnsSearch: ['dc1.example.com'],
        DnsOptions: ['use-vc'],
        ExtraHosts: ['otherhost:50.31.209.229', 'somehost:162.242.195.82', 'v6host:::1'],
      },
    },
  );
});

test('extra_hosts also come as a mapping, with one or several addresses', () => {
  assert.deepEqual(extraHostLines({ b: ['10.0.0.2', '10.0.0.3'], a: '10.0.0.1' }, []), ['a:10.0.0.1', 'b:10.0.0.2', 'b:10.0.0.3']);
  assert.deepEqual(extraHostLines(['multi=10.0.0.1,10.0.0.2'], []), ['multi:10.0.0.1', 'multi:10.0.0.2']);
});

test('a DNS server must be an address; an extra host needs an IP', () => {
  assert.throws(() => convertDns({ name: 'web', dns: ['dns.google'] }), /invalid DNS address/);
  assert.throws(() => extraHostLines(['lonely'], []), /missing IP/);
});
