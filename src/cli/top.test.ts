import assert from 'node:assert/strict';
import { test } from 'node:test';
import { processTable } from './top.js';

test('top: one table, SERVICE and # first, CMD last, `-` where an engine gave no such column', () => {
  const rows = [
    new Map([['SERVICE', 'web'], ['#', '1'], ['UID', 'root'], ['PID', '42'], ['CMD', 'sleep 100']]),
    new Map([['SERVICE', 'db'], ['#', '2'], ['PID', '7'], ['CMD', 'sh'], ['C', '0']]),
  ];
  assert.equal(
    processTable([['UID', 'PID', 'CMD'], ['PID', 'CMD', 'C']], rows),
    'SERVICE  #   UID   PID  C   CMD\nweb      1   root  42   -   sleep 100\ndb       2   -     7    0   sh\n',
  );
  assert.equal(processTable([], []), '');
});
