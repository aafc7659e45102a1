// Runs the CLI with in-memory streams, for tests: what a user would see, without spawning a process.
import { PassThrough } from 'node:stream';
import { main } from './main.js';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function runInMemory(args: string[], cwd: string = process.cwd(), environment: Record<string, string> = {}): Promise<CliResult> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => (out += chunk));
  stderr.on('data', (chunk) => (err += chunk));
  const code = await main(args, { stdout, stderr, cwd, environment });
  return { code, stdout: out, stderr: err };
}
