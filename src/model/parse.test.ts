import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseComposeText } from './parse.js';
import { BerthError } from './errors.js';

test('a compose file parses to a plain tree with non-string keys made strings', () => {
  const [doc] = parseComposeText('c.yaml', 'services:\n  web:\n    image: x\n    sysctls:\n      1: 2\n');
  assert.deepEqual(doc?.tree, { services: { web: { image: 'x', sysctls: { '1': 2 } } } });
});

test('!reset removes the value and records its path; !override keeps it and records its path', () => {
  const [doc] = parseComposeText('c.yaml', 'services:\n  web:\n    ports: !reset []\n    environment: !override\n      A: 1\n');
  assert.deepEqual(doc?.tree, { services: { web: { environment: { A: 1 } } } });
  assert.deepEqual(doc?.resets, [['services', 'web', 'ports']]);
  assert.deepEqual(doc?.overrides, [['services', 'web', 'environment']]);
});

test('anchors and merge keys are expanded', () => {
  const [doc] = parseComposeText('c.yaml', 'x-base: &base {image: a, tty: true}\nservices:\n  web:\n    <<: *base\n    image: b\n');
  assert.deepEqual(doc?.tree.services, { web: { image: 'b', tty: true } });
});

test('locate gives the line and column where a path was written, or its nearest written ancestor', () => {
  const [doc] = parseComposeText('c.yaml', 'services:\n  web:\n    image: x\n    ports:\n      - "80:80"\n');
  assert.deepEqual(doc?.locate(['services', 'web', 'ports', 0]), { file: 'c.yaml', line: 5, column: 9 });
  assert.deepEqual(doc?.locate(['services', 'web', 'missing']), { file: 'c.yaml', line: 3, column: 5 });
});

test('invalid YAML is one error naming file, line and column', () => {
  assert.throws(
    () => parseComposeText('c.yaml', 'services:\n  web: [\n  db: 1\n'),
    (error: unknown) => error instanceof BerthError && /^c\.yaml:\d+:\d+: invalid YAML/.test(error.describe()),
  );
});

test('a duplicate key is an error naming where it was first written', () => {
  assert.throws(
    () => parseComposeText('c.yaml', 'a: 1\nb: {x: 1, x: 2}\na: 2\n'),
    (error: unknown) => error instanceof BerthError && error.describe() === 'c.yaml:2:11: invalid YAML: b: mapping key "x" already defined at line 2',
  );
  assert.throws(
    () => parseComposeText('c.yaml', 'a: 1\na: 2\n'),
    (error: unknown) => error instanceof BerthError && error.describe() === 'c.yaml:2:1: invalid YAML: mapping key "a" already defined at line 1',
  );
});

test('a top level that is not a mapping is an error; an empty file is an empty tree', () => {
  assert.throws(() => parseComposeText('c.yaml', '- a\n'), /top-level object must be a mapping/);
  assert.deepEqual(parseComposeText('c.yaml', '')[0]?.tree, {});
});

test('several YAML documents in one file become several documents, merged in order later', () => {
  assert.equal(parseComposeText('c.yaml', 'a: 1\n---\nb: 2\n').length, 2);
});
