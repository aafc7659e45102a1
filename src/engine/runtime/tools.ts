// The programs the engine runs besides runc: tar to unpack archives and layers, mount for overlayfs, and its
// helpers. Checked once at start, with the package to install named when one is missing.
import { accessSync, constants, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EngineError } from '../errors.js';
import { localPrograms } from '../spawner.js';
import type { Programs, RunOptions, RunResult } from '../spawner.js';

export interface Tools {
  readonly runc: string;
  readonly monitor: string;
  readonly whiteouts: string;
  /** Starts programs for the engine so that the engine never forks (see spawner.c). */
  readonly spawner: string;
}

const HELPERS = fileURLToPath(new URL('.', import.meta.url));

export function findTools(runc: string): Tools {
  const tools = { runc, monitor: `${HELPERS}../berth-monitor`, whiteouts: `${HELPERS}../berth-whiteouts`, spawner: `${HELPERS}../berth-spawner` };
  const missing: string[] = [];
  if (!isExecutable(runc)) missing.push(`${runc} (install the Debian package runc, or pass --runtime)`);
  for (const helper of [tools.monitor, tools.whiteouts, tools.spawner]) {
    if (!isExecutable(helper)) missing.push(`${helper} (built by \`npm run build\` when a C compiler is installed: apt-get install gcc)`);
  }
  for (const program of ['tar', 'mount', 'umount']) if (!onPath(program)) missing.push(`${program} (apt-get install tar mount)`);
  if (missing.length > 0) throw new EngineError('internal', `berth engine cannot start; missing:\n  ${missing.join('\n  ')}`);
  return tools;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(program: string): boolean {
  return (process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin').split(':').some((dir) => isExecutable(`${dir}/${program}`));
}

export type { RunResult };

let programs: Programs = localPrograms;

/**
 * Programs are started through the engine's spawner while it runs (see spawner.ts: a fork of the engine costs it a
 * page fault for every page it writes afterwards), and by node itself otherwise.
 */
export function startProgramsThrough(next: Programs | undefined): void {
  programs = next ?? localPrograms;
}

/** Runs a program to completion; `input` is piped to its stdin (see RunOptions for `merged` and `signal`). */
export function runProgram(program: string, args: readonly string[], input?: NodeJS.ReadableStream, options: Omit<RunOptions, 'input'> = {}): Promise<RunResult> {
  return programs.run([program, ...args], { ...options, ...(input ? { input } : {}) });
}

export async function mustRun(program: string, args: readonly string[], input?: NodeJS.ReadableStream): Promise<string> {
  const result = await runProgram(program, args, input);
  if (result.code !== 0) throw new EngineError('internal', `${program} ${args.join(' ')}: ${result.stderr.trim() || `exit ${result.code}`}`);
  return result.stdout;
}

/** Unpacks an archive a client sent: a tar that fails (bad members, corrupt data) is the client's error, a 400. */
export async function extractUpload(args: readonly string[], input?: NodeJS.ReadableStream): Promise<void> {
  const result = await runProgram('tar', args, input);
  if (result.code !== 0) {
    const problems = result.stderr.split('\n').filter((line) => line.startsWith('tar: ') && !/Exiting with failure/.test(line));
    throw new EngineError('invalid', `invalid archive: ${problems.map((line) => line.slice(5)).join('; ') || `tar exited with ${result.code}`}`);
  }
}

/** Whether something is mounted at `path` (read from this process's mount table). */
export function isMountPoint(path: string): boolean {
  return mountAt(path) !== undefined;
}

export interface MountInfo {
  readonly type: string;
  readonly source: string;
  readonly superOptions: string;
}

/** The mount on top at `path` in this process's mount table, if any (mountinfo escapes spaces and such as \ooo). */
export function mountAt(path: string): MountInfo | undefined {
  let table: string;
  try {
    table = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return undefined; // no /proc: nothing can be told mounted
  }
  return findMount(table, path);
}

/** Detaches everything mounted at or below `dir`, deepest first (what a crash left mounted in a directory to delete). */
export async function unmountUnder(dir: string): Promise<void> {
  let table: string;
  try {
    table = readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return; // no /proc: nothing can be told mounted
  }
  const inside = (path: string): boolean => path === dir || path.startsWith(`${dir}/`);
  const points = table
    .split('\n')
    .map((line) => line.split(' ')[4]?.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8))))
    .filter((path): path is string => path !== undefined && inside(path));
  for (const point of [...new Set(points)].sort((a, b) => b.length - a.length)) await mustRun('umount', ['-l', point]);
}

/** The last (topmost) entry of a mountinfo text mounted at `path`. */
export function findMount(mountinfo: string, path: string): MountInfo | undefined {
  const unescape = (field: string): string => field.replace(/\\([0-7]{3})/g, (_match, octal: string) => String.fromCharCode(parseInt(octal, 8)));
  let found: MountInfo | undefined;
  for (const line of mountinfo.split('\n')) {
    const fields = line.split(' ');
    if (fields.length < 10 || unescape(fields[4]!) !== path) continue;
    const separator = fields.indexOf('-', 6);
    if (separator < 0) continue;
    found = { type: fields[separator + 1] ?? '', source: unescape(fields[separator + 2] ?? ''), superOptions: unescape(fields[separator + 3] ?? '') };
  }
  return found;
}
