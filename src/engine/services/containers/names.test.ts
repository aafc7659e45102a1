import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generatedName, nameInUse, validName } from './names.js';

test('a valid name loses its leading slash; a name with other characters is a 400 naming it', () => {
  assert.equal(validName('/web-1'), 'web-1');
  assert.equal(validName('app_db.2'), 'app_db.2');
  assert.throws(() => validName('a'), /Invalid container name \(a\)/);
  assert.throws(() => validName('-x'), /Invalid container name/);
  assert.throws(() => validName('has space'), /Invalid container name/);
  assert.throws(() => validName('x/y'), /Invalid container name/);
});

test('a name in use is a conflict naming the holder', () => {
  const error = nameInUse('web', 'abc');
  assert.equal(error.kind, 'conflict');
  assert.match(error.message, /"\/web" is already in use by container "abc"/);
});

test('generated names look like dockerd\'s and are valid names', () => {
  const name = generatedName(() => Uint8Array.from([1, 2, 0xab, 0x0c]));
  assert.equal(name, 'calm_cove_ab0c');
  const random = generatedName();
  assert.match(random, /^[a-z]+_[a-z]+_[0-9a-f]{4}$/);
  assert.equal(validName(random), random);
});
