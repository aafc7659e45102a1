import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Command } from 'commander';
import { buildVerbIndex } from './main.js';
import { runInMemory } from './run-in-memory.js';
import { registerVerbs, verbWord } from './verb-index.js';
import type { IndexedVerb } from './verb-index.js';

const run = (args: string[], index: readonly IndexedVerb[] | null) => runInMemory(args, process.cwd(), {}, index);

test('berth --help drawn from the verb index is the help of every module loaded', async () => {
  const index = await buildVerbIndex();
  for (const args of [['--help'], []]) assert.deepEqual(await run(args, index), await run(args, null), args.join(' '));
});

test('a verb the index knows registers its own module only; a stale index falls back to every module', async () => {
  const index = await buildVerbIndex();
  const program = new Command('berth').option('-f, --file <path>').option('--dry-run');
  assert.equal(await registerVerbs(program, () => async () => {}, ['-f', 'x.yaml', 'convert', '-q'], index), 'one');
  assert.deepEqual(program.commands.map((command) => command.name()), ['config']);

  const stale = index.map((verb) => (verb.name === 'up' ? { ...verb, module: 'version' as const } : verb));
  const again = new Command('berth').enablePositionalOptions();
  assert.equal(await registerVerbs(again, () => async () => {}, ['up'], stale), 'all');
  assert.equal(again.commands.filter((command) => command.name() === 'version').length, 1);
  assert.ok(again.commands.some((command) => command.name() === 'up'));
});

test('the verb of a command line skips global options and their values', () => {
  const program = new Command('berth').option('-f, --file <path>').option('-p, --project-name <name>').option('--dry-run');
  assert.equal(verbWord(['-f', 'up', '--dry-run', '-p=x', 'down', 'up'], program), 'down');
  assert.equal(verbWord(['--file=a.yaml', 'ps'], program), 'ps');
  assert.equal(verbWord(['--dry-run', '--help'], program), undefined);
  assert.equal(verbWord(['--', 'config'], program), 'config');
});
