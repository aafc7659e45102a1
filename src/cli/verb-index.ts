// Which verb module registers which command, written at build time (dist/cli/verb-index.json, by
// scripts/verb-index.mjs) so that a command line loads only its own verb's module, and `berth --help` none at all.
// Without an index, or with a stale one that misses the verb asked for, every module is loaded (as before).
import { readFileSync } from 'node:fs';
import { Help } from 'commander';
import type { Command } from 'commander';
import type { RunVerb } from './main.js';
import { VERB_MODULES } from './verbs.js';
import type { VerbModule } from './verbs.js';

export interface IndexedVerb {
  readonly module: VerbModule;
  readonly name: string;
  readonly aliases: readonly string[];
  /** What `berth --help` lists for it: `config|convert [options] [services...]`, and its description. */
  readonly term: string;
  readonly description: string;
  readonly hidden: boolean;
}

/** Registers every verb module in order, noting which commands each one added. */
export async function indexVerbs(program: Command, run: RunVerb): Promise<IndexedVerb[]> {
  const help = program.createHelp();
  const index: IndexedVerb[] = [];
  for (const module of Object.keys(VERB_MODULES) as VerbModule[]) {
    const before = program.commands.length;
    (await VERB_MODULES[module]())(program, run);
    for (const command of program.commands.slice(before)) {
      index.push({
        module,
        name: command.name(),
        aliases: command.aliases(),
        term: help.subcommandTerm(command),
        description: help.subcommandDescription(command),
        hidden: Boolean((command as unknown as { _hidden?: boolean })._hidden),
      });
    }
  }
  return index;
}

export function readVerbIndex(file = new URL('./verb-index.json', import.meta.url)): readonly IndexedVerb[] | null {
  try {
    const index: unknown = JSON.parse(readFileSync(file, 'utf8'));
    return Array.isArray(index) ? (index as IndexedVerb[]) : null;
  } catch {
    return null;
  }
}

export type VerbRegistration = 'help' | 'one' | 'all';

/**
 * Registers on `program` what `args` need: for a verb the index knows, its module only; for no verb at all (`--help`,
 * `--version`, nothing), the index's names and help lines; otherwise every module. Answers which of the three it did.
 */
export async function registerVerbs(
  program: Command,
  run: RunVerb,
  args: readonly string[],
  index: readonly IndexedVerb[] | null,
): Promise<VerbRegistration> {
  const word = verbWord(args, program);
  if (index && word === undefined) {
    addHelpLines(program, index);
    return 'help';
  }
  const entry = index?.find((verb) => verb.name === word || verb.aliases.includes(word ?? ''));
  if (word !== undefined && entry) {
    const register = await VERB_MODULES[entry.module]();
    const before = program.commands.length;
    register(program, run);
    if (program.commands.some((command) => command.name() === word || command.aliases().includes(word))) return 'one';
    (program.commands as Command[]).splice(before); // a stale index: start again with every module
  }
  for (const module of Object.keys(VERB_MODULES) as VerbModule[]) (await VERB_MODULES[module]())(program, run);
  return 'all';
}

/** The verb of a command line: its first word that is neither a global option nor the value of one. */
export function verbWord(args: readonly string[], program: Command): string | undefined {
  const takesValue = new Set(
    program.options.filter((option) => option.required || option.optional).flatMap((option) => [option.long, option.short]),
  );
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return args[i + 1];
    if (!arg.startsWith('-') || arg === '-') return arg;
    if (takesValue.has(arg)) i++;
  }
  return undefined;
}

/** Commands that only show in `berth --help`, each with the term and description its module gives it. */
function addHelpLines(program: Command, index: readonly IndexedVerb[]): void {
  const terms = new WeakMap<Command, string>();
  for (const verb of index) {
    const command = program.command(verb.name, { hidden: verb.hidden }).aliases([...verb.aliases]).description(verb.description);
    terms.set(command, verb.term);
  }
  program.configureHelp({
    subcommandTerm(this: Help, command: Command): string {
      return terms.get(command) ?? Help.prototype.subcommandTerm.call(this, command);
    },
  });
}
