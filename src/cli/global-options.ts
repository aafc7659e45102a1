// Flags every verb shares, and how they become loader options.
import type { Command } from 'commander';
import { BerthError } from '../model/errors.js';

export interface GlobalFlags {
  readonly file: string[];
  readonly projectName?: string;
  readonly projectDirectory?: string;
  readonly profile: string[];
  readonly envFile: string[];
  readonly ansi: 'never' | 'always' | 'auto';
  readonly progress?: string;
  readonly dryRun: boolean;
  readonly host?: string;
  readonly parallel?: number;
  readonly compatibility: boolean;
  readonly verbose: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

export function addGlobalOptions(program: Command): Command {
  return program
    .option('-f, --file <path>', 'compose configuration file (repeatable; - reads stdin)', collect, [])
    .option('-p, --project-name <name>', 'project name')
    .option('--project-directory <path>', 'alternate working directory (default: the directory of the first compose file)')
    .option('--profile <name>', 'profile to enable (repeatable)', collect, [])
    .option('--env-file <path>', 'alternate environment file (repeatable)', collect, [])
    .option('--ansi <when>', 'control characters: never, always or auto', 'auto')
    .option('--progress <type>', 'progress output: auto, tty, plain, json or quiet')
    .option('--dry-run', 'show what would be done without changing anything', false)
    .option('-H, --host <url>', 'engine endpoint to connect to')
    .option('--parallel <n>', 'maximum parallel operations (-1 for unlimited)', parseInteger)
    .option('--compatibility', 'run in backward compatibility mode (container names with _)', false)
    .option('--verbose', 'show stack traces of unexpected errors', false);
}

function parseInteger(value: string): number {
  const parsed = Number.parseInt(value, 10);
  if (!Number.isInteger(parsed) || String(parsed) !== value.trim()) throw new BerthError(`invalid number "${value}"`);
  return parsed;
}

export function checkGlobalFlags(flags: GlobalFlags): void {
  if (!['never', 'always', 'auto'].includes(flags.ansi)) {
    throw new BerthError(`invalid --ansi value "${flags.ansi}": use never, always or auto`);
  }
  if (flags.progress !== undefined && !['auto', 'tty', 'plain', 'json', 'quiet'].includes(flags.progress)) {
    throw new BerthError(`invalid --progress value "${flags.progress}": use auto, tty, plain, json or quiet`);
  }
}
