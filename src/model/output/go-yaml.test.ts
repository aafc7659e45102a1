import assert from 'node:assert/strict';
import { test } from 'node:test';
import { goYamlKeyCompare, toGoYaml } from './go-yaml.js';

test('scalars are plain when they read back as strings, quoted when they would not', () => {
  const out = toGoYaml({
    number: '3000', empty: '', yes: 'yes', on: 'on', base60: '1:20', ports: '80:80', date: '2024-01-01', float: '1e3',
    octal: '0440', colon: 'a: b', hash: 'a #b', star: '*:80', dash: '-', plain: 'echo "hello world"', v6: '::1',
    lead: ' x', nul: 'null', tilde: '~', tab: 'a\tb',
  });
  assert.equal(
    out,
    [
      'number: "3000"', 'empty: ""', '"yes": "yes"', '"on": "on"', 'base60: "1:20"', 'ports: 80:80', 'date: "2024-01-01"',
      'float: "1e3"', 'octal: "0440"', "colon: 'a: b'", "hash: 'a #b'", "star: '*:80'", "dash: '-'", 'plain: echo "hello world"',
      'v6: ::1', "lead: ' x'", 'nul: "null"', 'tilde: "~"', 'tab: "a\\tb"', '',
    ].join('\n'),
  );
});

test('nesting, empty collections, null, literal blocks', () => {
  const out = toGoYaml({ a: { b: [1, { c: 'd', e: ['f'] }, [], {}], n: null }, s: 'x\ny\n', t: 'x\ny', empty: {} });
  assert.equal(
    out,
    'a:\n  b:\n    - 1\n    - c: d\n      e:\n        - f\n    - []\n    - {}\n  "n": null\ns: |\n  x\n  y\nt: |-\n  x\n  y\nempty: {}\n',
  );
});

test("map keys sort as go-yaml sorts them: digits as numbers, other characters before letters", () => {
  assert.deepEqual(['b10', 'b9', 'a_b', 'aB', 'a-b', 'A'].sort(goYamlKeyCompare), ['A', 'a-b', 'a_b', 'aB', 'b9', 'b10']);
});
