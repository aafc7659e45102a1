// List filters as dockerd applies them: names matched with their leading slash, Go regular expressions in linear
// time, bad values refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterMatch } from './filters.js';

test('filters match as moby\'s filters.Match: exactly, or as a Go regular expression found in the text', () => {
  assert.equal(filterMatch(['^/x$'], '/x'), true);
  assert.equal(filterMatch(['^x$'], '/x'), false, 'the caller tries the name without its slash too, as dockerd');
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
