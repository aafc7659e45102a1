// A process started in a running container (`docker exec`, health probes): `runc exec` of a process file. The
// runtime is the only code that runs runc; services describe the process and read its streams.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { runProgram } from './tools.js';
import type { Tools } from './tools.js';

export interface ExecLaunch {
  /** A runc process file (config.json's `process`, with the exec's own settings). */
  readonly processFile: string;
  /** A terminal for the process: runc gives one only when it has one itself, so `script` (util-linux) provides it. */
  readonly tty: boolean;
  /** Whether the caller writes to the process's stdin. */
  readonly stdin: boolean;
}

export function runcExec(tools: Tools, containerId: string, launch: ExecLaunch): ChildProcess {
  const args = ['exec', '--process', launch.processFile, containerId];
  const [program, argv] = launch.tty ? ['script', ['-q', '-f', '-e', '-c', [tools.runc, ...args].map(shellQuote).join(' '), '/dev/null']] : [tools.runc, args];
  return spawn(program, argv, { stdio: [launch.stdin || launch.tty ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
}

/**
 * A health probe: `runc exec` of a process file to its end, its stdout and stderr kept together in the order written
 * (as Docker keeps a probe's output), killed after `timeoutMs`. Started like every program the engine runs to its end
 * (runProgram: through berth-spawner while the engine runs), so that a probe every few seconds never forks the engine.
 */
export async function runcProbe(tools: Tools, containerId: string, processFile: string, timeoutMs: number): Promise<{ code: number; output: string; timedOut: boolean }> {
  const deadline = new AbortController();
  const timer = setTimeout(() => deadline.abort(), timeoutMs);
  try {
    const result = await runProgram(tools.runc, ['exec', '--process', processFile, containerId], undefined, { merged: true, signal: deadline.signal });
    return { code: result.code, output: result.stdout, timedOut: deadline.signal.aborted };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Whether the container's main process (host pid) still runs. The engine learns of an exit from the container's
 * monitor a moment after it happens; an exec in that moment would reach runc for a container that has gone, and
 * answer with runc's complaint instead of "is not running". A zombie has exited.
 */
export function containerProcessRunning(pid: number): boolean {
  if (!pid) return false;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  // The state follows the command name, which is in parentheses and may itself hold any character.
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X' && state !== '';
}

function shellQuote(word: string): string {
  return `'${word.replaceAll("'", "'\\''")}'`;
}
