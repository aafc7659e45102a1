// Writes dist/cli/verb-index.json: which verb module registers which command, and its line in `berth --help`
// (src/cli/verb-index.ts reads it so that a command loads only its own verb's module). Run after tsc.
import { writeFileSync } from 'node:fs';
import { buildVerbIndex } from '../dist/cli/main.js';

writeFileSync('dist/cli/verb-index.json', `${JSON.stringify(await buildVerbIndex(), null, 1)}\n`);
