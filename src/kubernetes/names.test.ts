import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dnsLabel, NameTable } from './names.js';

test('compose names become DNS labels: lowercase, [a-z0-9-], starting with a letter, at most 63 characters', () => {
  assert.equal(dnsLabel('reverse_proxy'), 'reverse-proxy');
  assert.equal(dnsLabel('Web.1'), 'web-1');
  assert.equal(dnsLabel('1st'), 'x-1st');
  assert.equal(dnsLabel('a'.repeat(70)), 'a'.repeat(63));
  assert.equal(dnsLabel(`${'a'.repeat(62)}_b`), 'a'.repeat(62));
});

test('a renamed name is reported once; two names that become one are refused', () => {
  const warnings: string[] = [];
  const table = new NameTable('service', (text) => warnings.push(text));
  assert.equal(table.name('my_app'), 'my-app');
  assert.equal(table.name('my_app'), 'my-app');
  assert.equal(table.name('db'), 'db');
  assert.equal(table.derived('my_app', '.env'), 'my-app--env');
  assert.deepEqual(warnings, ['service "my_app" is named "my-app" in Kubernetes (names there are DNS labels)']);
  assert.throws(() => table.name('my.app'), /service "my.app" and "my_app" both become "my-app" in Kubernetes: rename one of them/);
});
