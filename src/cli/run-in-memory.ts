// Runs the CLI with in-memory streams, for tests: what a user would see, without spawning a process.
import { PassThrough } from 'node:stream';
import { main } from './main.js';
import type { IndexedVerb } from './verb-index.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runInMemory(
  args: string[],
  cwd: string = process.cwd(),
  environment: Record<string, string> = {},
  /** The verb index to use (null: none, every verb module loaded); the build's by default. */
  verbIndex?: readonly IndexedVerb[] | null,
): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const io = { stdout, stderr, cwd, environment };
  const code = await (verbIndex === undefined ? main(args, io) : main(args, io, verbIndex));
  return { code, stdout: out, stderr: err };
}
