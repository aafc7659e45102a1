import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiAtLeast, compareApiVersions } from './api-version.js';

test('API versions compare by component, not as text', () => {
  assert.ok(compareApiVersions('1.9', '1.44') < 0);
  assert.ok(compareApiVersions('1.44', '1.44') === 0);
  assert.ok(compareApiVersions('1.45', '1.44') > 0);
  assert.ok(compareApiVersions('2.0', '1.99') > 0);
  assert.equal(apiAtLeast('1.43', '1.44'), false);
  assert.equal(apiAtLeast('1.47', '1.44'), true);
});
