#!/usr/bin/env node
// Entry point. CommonJS (see bin/package.json), because `--version` is answered here before anything else is loaded,
// and node starts a CommonJS file without its ES module loader: scripts probing berth pay only for node itself.
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const { version } = JSON.parse(readFileSync(join(__dirname, '..', 'package.json'), 'utf8'));
  process.stdout.write(`berth version v${version}\n`);
} else {
  // A reader that goes away (`berth events | head`) ends berth quietly, as a closed pipe ends any command line tool.
  process.stdout.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  import('../dist/cli/main.js').then(async ({ main }) => {
    process.exitCode = await main(args);
  });
}
