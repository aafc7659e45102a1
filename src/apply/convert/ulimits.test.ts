import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertUlimits } from './ulimits.js';

test('a single number sets soft and hard; a mapping sets each; names sorted', () => {
  assert.deepEqual(convertUlimits({ name: 'web', ulimits: { nproc: 65535, nofile: { soft: 20000, hard: 40000 } } }), {
    host: {
      Ulimits: [
        { Name: 'nofile', Soft: 20000, Hard: 40000 },
        { Name: 'nproc', Soft: 65535, Hard: 65535 },
      ],
    },
  });
  assert.deepEqual(convertUlimits({ name: 'web' }), {});
});
