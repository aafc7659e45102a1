// List filters as dockerd applies them: names matched with their leading slash, Go regular expressions in linear
// time, bad values refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterMatch } from './filters.js';

test('name filters match as dockerd\'s: the name with its leading slash, exactly or as a regular expression', () => {
  assert.equal(filterMatch(['^/x$'], '/x'), true);
  assert.equal(filterMatch(['^x$'], '/x'), false, 'dockerd matches against "/x"');
  assert.equal(filterMatch(['x'], '/web-x-1'), true, 'a plain value matches anywhere');
  assert.equal(filterMatch(['/web'], '/web'), true);
  assert.equal(filterMatch(['(?i)^/WEB$'], '/web'), true, 'Go syntax (inline flags) is understood');
});

test('a pattern that does not compile matches nothing, and no pattern takes long', () => {
  assert.equal(filterMatch(['(a', '(?=x)'], '/(a'), false);
  const started = Date.now();
  assert.equal(filterMatch(['(a+)+$'], `/${'a'.repeat(5000)}!`), false);
  assert.ok(Date.now() - started < 2000);
});
