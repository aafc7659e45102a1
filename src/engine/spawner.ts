// Starting programs without forking the engine: berth-spawner (runtime/spawner.c, protocol there) is started once,
// while the engine is small, and starts each program for it. node starts children with fork(), after which the
// engine pays a page fault for every page it writes again: about half a second of CPU per child on a virtual machine
// once the engine holds a few hundred MB (a pull's buffers). Programs fed from a stream (tar unpacking a layer) are
// what the engine starts most while busy; they go through here.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { constants } from 'node:os';
import type { Socket } from 'node:net';
import type { Writable } from 'node:stream';

/** A program reading the stream written to `stdin`; its stdout is discarded. */
export interface FilterProcess {
  readonly stdin: Writable;
  /** Its exit status (128 + signal when killed) and the first 64 KiB of its stderr, once it has ended. */
  readonly exited: Promise<{ code: number; stderr: string }>;
  /** Kills it (SIGKILL) and resolves once it has ended. */
  kill(): Promise<void>;
}

export interface RunResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  /** The program's stdin (empty when undefined). */
  readonly input?: NodeJS.ReadableStream;
  /** Stderr goes with stdout, in the order written (`stdout` has both, `stderr` is empty). */
  readonly merged?: boolean;
  /** Kills the program (SIGKILL); the result is then its status, 137. */
  readonly signal?: AbortSignal;
}

export interface Spawner {
  /** Starts `argv` in `cwd` (unchanged when undefined) with its stdin fed from the returned stream. */
  filter(argv: readonly string[], cwd?: string): Promise<FilterProcess>;
  /** Runs `argv` to its end and keeps its stdout (the first 16 MiB) and stderr; see RunOptions. */
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  /** Stops the spawner; programs it started keep running to their end. */
  stop(): void;
}

/** The spawner did not start the program (it is gone, or refused): nothing ran, so starting it another way is safe. */
export class SpawnerUnavailable extends Error {}

const MAX_STDERR = 64 * 1024;
const READY_TIMEOUT_MS = 10_000;

/** Starts berth-spawner listening on `socketPath`; resolves once it listens. */
export async function startSpawner(helper: string, socketPath: string): Promise<Spawner> {
  // Our end of its stdin is never written: the spawner exits when it closes, that is when the engine goes.
  const child = spawn(helper, [socketPath], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < MAX_STDERR) stderr += chunk;
  });
  child.stdin!.on('error', () => undefined);
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`berth-spawner did not start within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
    const fail = (error: Error): void => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(error);
    };
    child.once('error', fail);
    child.once('exit', (code) => fail(new Error(stderr.trim() || `berth-spawner exited with ${code}`)));
    child.stdout!.once('data', () => {
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve();
    });
  });
  child.unref();
  for (const stream of [child.stdin, child.stdout, child.stderr]) (stream as unknown as Socket).unref?.();
  return {
    filter: (argv, cwd) => start(socketPath, '', argv, cwd),
    async run(argv, { input, merged = false, signal } = {}) {
      // Without input the program's stdin is /dev/null: then nothing it runs (a probe in a container) can write on
      // the connection the answer comes back on.
      const program = await start(socketPath, [merged ? 'merged' : 'stdout', ...(input ? [] : ['noinput'])].join(','), argv, undefined);
      if (input) {
        input.on('error', () => program.stdin.destroy());
        input.pipe(program.stdin);
      } else program.stdin.end();
      const kill = (): void => void program.kill();
      if (signal?.aborted) kill();
      signal?.addEventListener('abort', kill, { once: true });
      try {
        const { code, stderr: text, stdout } = await program.exited;
        return { code, stderr: text, stdout: stdout ?? '' };
      } finally {
        signal?.removeEventListener('abort', kill);
      }
    },
    // Its stdin closing is what it waits for: it removes its socket and exits.
    stop: () => child.stdin!.end(),
  };
}

/**
 * Starts a program through the spawner's socket (see spawner.c): the request, then the pid once it runs; once it
 * has ended, its status, stderr and (with the "stdout" option) stdout.
 */
async function start(socketPath: string, options: string, argv: readonly string[], cwd: string | undefined): Promise<FilterProcess & { exited: Promise<{ code: number; stderr: string; stdout?: string }> }> {
  const parts = [options, cwd ?? '', ...argv];
  if (argv.length === 0 || parts.some((part) => part.includes('\0'))) throw new Error('no program to start, or an argument with a NUL byte');
  const request = Buffer.from(parts.map((part) => `${part}\0`).join(''));
  if (request.length > 64 * 1024) throw new Error('program arguments too long');
  const socket = connect({ path: socketPath, allowHalfOpen: true });
  const length = Buffer.alloc(4);
  length.writeUInt32LE(request.length);
  socket.write(Buffer.concat([length, request]));
  const answer = new Answer();
  let ended = false;
  let pidKnown!: (pid: number) => void;
  let refused!: (error: Error) => void;
  const started = new Promise<number>((resolve, reject) => ((pidKnown = resolve), (refused = reject)));
  const exited = new Promise<{ code: number; stderr: string; stdout?: string }>((resolve) => {
    const report = (result: { code: number; stderr: string; stdout?: string }): void => {
      if (ended) return;
      ended = true;
      // The spawner reaps the program once we close: the pid is not ours to kill any more.
      socket.destroy();
      resolve(result);
    };
    socket.on('data', (chunk: Buffer) => {
      const pid = answer.add(chunk);
      if (pid !== undefined) pidKnown(pid);
      const finished = answer.finished();
      if (finished) report(options === '' ? { code: finished.code, stderr: finished.stderr } : finished);
    });
    socket.on('close', () => {
      refused(new SpawnerUnavailable(`berth-spawner did not start ${argv[0]}: the connection closed before it answered`));
      report({ code: 255, stderr: `${argv[0]}: its end was not reported (berth-spawner went away)\n` });
    });
  });
  // Writes after the program stopped reading fail (EPIPE): what the program says is what matters.
  socket.on('error', () => undefined);
  const pid = await started;
  if (pid === 0) {
    const { stderr } = await exited;
    throw new Error(`could not start ${argv[0]}: ${stderr.trim() || 'berth-spawner could not fork'}`);
  }
  return {
    stdin: socket,
    exited,
    async kill() {
      if (!ended) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // ended already
        }
      }
      await exited;
    },
  };
}

/** The spawner's answer as it arrives: u32 pid, then u32 status, u32 + stderr, u32 + stdout. */
class Answer {
  private chunks: Buffer[] = [];
  private size = 0;
  /** The answer's whole length, once the lengths in it are known. */
  private needed: number | undefined;

  /** Adds bytes; returns the pid when these are the ones that complete it. */
  add(chunk: Buffer): number | undefined {
    const before = this.size;
    this.chunks.push(chunk);
    this.size += chunk.length;
    return before < 4 && this.size >= 4 ? this.bytes().readUInt32LE(0) : undefined;
  }

  finished(): { code: number; stderr: string; stdout: string } | undefined {
    if (this.needed === undefined) {
      if (this.size < 12) return undefined;
      const errorLength = this.bytes().readUInt32LE(8);
      if (this.size < 16 + errorLength) return undefined;
      this.needed = 16 + errorLength + this.bytes().readUInt32LE(12 + errorLength);
    }
    if (this.size < this.needed) return undefined;
    const bytes = this.bytes();
    const errorLength = bytes.readUInt32LE(8);
    return { code: bytes.readUInt32LE(4), stderr: bytes.subarray(12, 12 + errorLength).toString(), stdout: bytes.subarray(16 + errorLength, this.needed).toString() };
  }

  private bytes(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0]!;
  }
}

/** A program run to its end by node itself: where there is no spawner, or it has gone. */
function localRun(argv: readonly string[], { input, merged = false, signal }: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: [input ? 'pipe' : 'ignore', 'pipe', 'pipe'], ...(signal ? { signal, killSignal: 'SIGKILL' as const } : {}) });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => (stdout += chunk));
    child.stderr?.on('data', (chunk) => (merged ? (stdout += chunk) : (stderr += chunk)));
    child.on('error', (error) => {
      if (error.name !== 'AbortError') reject(error);
    });
    child.on('close', (code, killedBy) => resolve({ code: code ?? 128 + (killedBy ? constants.signals[killedBy] : 0), stdout, stderr }));
    if (input && child.stdin) input.pipe(child.stdin);
  });
}

/** How the engine starts programs: `run` to their end, or `filter` fed from a stream. */
export interface Programs {
  run(argv: readonly string[], options?: RunOptions): Promise<RunResult>;
  filter(argv: readonly string[], cwd?: string): Promise<FilterProcess>;
}

/** Programs started by node itself (each start forks the process). */
export const localPrograms: Programs = { run: localRun, filter: localFilter };

/**
 * Programs started through the spawner; one it did not start (it has gone: killed by hand) is started by node
 * instead, so that the engine keeps working. Nothing ran in that case, and the input was not touched yet.
 */
export function throughSpawner(spawner: Spawner): Programs {
  const orLocal = <T>(started: Promise<T>, local: () => Promise<T>): Promise<T> => started.catch((error: unknown) => (error instanceof SpawnerUnavailable ? local() : Promise.reject(error)));
  return {
    run: (argv, options) => orLocal(spawner.run(argv, options), () => localRun(argv, options)),
    filter: (argv, cwd) => orLocal(spawner.filter(argv, cwd), () => localFilter(argv, cwd)),
  };
}

/** The same, started by node itself: where there is no spawner (tests of the store alone). */
export function localFilter(argv: readonly string[], cwd?: string): Promise<FilterProcess> {
  const child: ChildProcess = spawn(argv[0]!, argv.slice(1), { stdio: ['pipe', 'ignore', 'pipe'], ...(cwd ? { cwd } : {}) });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    if (stderr.length < MAX_STDERR) stderr += chunk;
  });
  const exited = new Promise<{ code: number; stderr: string }>((resolve) => {
    child.on('error', (error) => resolve({ code: 127, stderr: `${argv[0]}: ${error.message}\n` }));
    child.on('close', (code, signal) => resolve({ code: code ?? (signal ? 128 + 9 : 1), stderr }));
  });
  return Promise.resolve({
    stdin: child.stdin!,
    exited,
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  });
}
