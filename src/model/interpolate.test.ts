import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BerthError } from './errors.js';
import { interpolateTree, substitute } from './interpolate.js';

const env: Record<string, string> = { SET: 'value', EMPTY: '', HOST: 'db' };
const lookup = (name: string): string | undefined => env[name];

test('plain and braced variables are substituted; unset ones become empty', () => {
  assert.equal(substitute('$SET and ${SET}', lookup), 'value and value');
  assert.equal(substitute('[${UNSET}][$UNSET]', lookup), '[][]');
  assert.equal(substitute('${SET}x $SET.y', lookup), 'valuex value.y');
});

test(':- and - defaults differ on empty values', () => {
  assert.equal(substitute('${EMPTY:-d}', lookup), 'd');
  assert.equal(substitute('${EMPTY-d}', lookup), '');
  assert.equal(substitute('${UNSET-d}', lookup), 'd');
  assert.equal(substitute('${SET:-d}', lookup), 'value');
});

test(':+ and + give the alternate only when set', () => {
  assert.equal(substitute('${SET:+alt}', lookup), 'alt');
  assert.equal(substitute('${EMPTY:+alt}', lookup), '');
  assert.equal(substitute('${EMPTY+alt}', lookup), 'alt');
  assert.equal(substitute('${UNSET+alt}', lookup), '');
});

test(':? and ? make a variable required, with the message given', () => {
  assert.throws(() => substitute('${UNSET:?must be set}', lookup), /required variable UNSET is missing a value: must be set/);
  assert.throws(() => substitute('${EMPTY:?}', lookup), /required variable EMPTY is missing a value$/);
  assert.equal(substitute('${EMPTY?x}', lookup), '');
  assert.throws(() => substitute('${UNSET?x}', lookup), BerthError);
});

test('defaults nest, and $$ is a literal dollar', () => {
  assert.equal(substitute('${UNSET:-${HOST:-x}:5432}', lookup), 'db:5432');
  assert.equal(substitute('${UNSET:-${ALSO_UNSET:-deep}}', lookup), 'deep');
  assert.equal(substitute('$$SET costs $$5', lookup), '$SET costs $5');
  assert.equal(substitute('cost: 5$', lookup), 'cost: 5$');
});

test('a malformed expression is an error that suggests escaping', () => {
  assert.throws(() => substitute('${', lookup), /invalid interpolation format/);
  assert.throws(() => substitute('${ SET}', lookup), /invalid interpolation format/);
  assert.throws(() => substitute('${SET!x}', lookup), /invalid interpolation format/);
});

test('a tree is interpolated in its values, not its keys, and errors carry path and position', () => {
  const tree = { services: { web: { image: 'app:${SET}', environment: { $SET: '${HOST}' }, ports: ['${UNSET:-80}:80'] } } };
  assert.deepEqual(interpolateTree(tree, lookup), {
    services: { web: { image: 'app:value', environment: { $SET: 'db' }, ports: ['80:80'] } },
  });
  assert.throws(
    () =>
      interpolateTree({ services: { web: { image: '${X:?needed}' } } }, lookup, () => ({ file: 'c.yaml', line: 3, column: 12 })),
    (error: unknown) =>
      error instanceof BerthError &&
      error.describe() === 'c.yaml:3:12: services.web.image: required variable X is missing a value: needed',
  );
});
