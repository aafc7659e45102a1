#!/usr/bin/env node
// Entry point: `--version` answers before anything heavy is loaded, so that scripts probing berth pay only for node.
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-v')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`berth version v${version}\n`);
} else {
  // A reader that goes away (`berth events | head`) ends berth quietly, as a closed pipe ends any command line tool.
  process.stdout.on('error', (error) => {
    if (error.code !== 'EPIPE') throw error;
    process.exit(0);
  });
  const { main } = await import('../dist/cli/main.js');
  process.exitCode = await main(args);
}
