// Processes run in a running container (`POST /containers/{id}/exec`, `/exec/{id}/start`): created, then started
// detached or on a hijacked connection that carries stdin in and the output out, resized, inspected for the exit
// code. `run` collects the output of a process that needs no input (hooks, watch's sync+exec).
import type { Duplex } from 'node:stream';
import { Writable } from 'node:stream';
import type { ExecCreateBody } from '../engine-api/index.js';
import { demultiplex } from './frames.js';
import type { Transport } from './transport.js';

export interface ExecOptions {
  readonly command: readonly string[];
  readonly user?: string;
  readonly privileged?: boolean;
  readonly workingDir?: string;
  readonly env?: readonly string[];
  /** A pseudo-terminal for the process (its output is then one raw stream). */
  readonly tty?: boolean;
  /** Its stdin is attached (what the client sends goes to it). */
  readonly stdin?: boolean;
  /** Its output is attached (false for `exec -d`). */
  readonly output?: boolean;
  readonly detachKeys?: string;
  /** [rows, columns] of the terminal, for a tty. */
  readonly consoleSize?: readonly [number, number];
}

export interface ExecState {
  readonly running: boolean;
  /** null while it runs. */
  readonly exitCode: number | null;
  readonly pid: number;
}

export interface CollectedOutput {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Execs {
  /** Creates the process in the container; returns its exec id. */
  create(container: string, options: ExecOptions): Promise<string>;
  /** Starts it on a hijacked connection: write stdin to it, read the output (multiplexed unless tty). */
  attach(id: string, options: { tty: boolean; consoleSize?: readonly [number, number] }): Promise<Duplex>;
  /** Starts it in the background. */
  startDetached(id: string, tty: boolean): Promise<void>;
  resize(id: string, rows: number, columns: number): Promise<void>;
  inspect(id: string): Promise<ExecState>;
  /** Runs a command without input and collects its output and exit code. */
  run(container: string, options: Omit<ExecOptions, 'tty' | 'stdin' | 'output'>, signal?: AbortSignal): Promise<CollectedOutput>;
}

/** ConsoleSize on exec create and start came with API 1.42. */
const CONSOLE_SIZE_API = '1.42';

export function execs(transport: Transport, apiAtLeast: (version: string) => boolean): Execs {
  const { request } = transport;
  const self: Execs = {
    async create(container, options) {
      const attachOutput = options.output !== false;
      const body: ExecCreateBody = {
        Cmd: [...options.command],
        AttachStdin: options.stdin ?? false,
        AttachStdout: attachOutput,
        AttachStderr: attachOutput,
        Tty: options.tty ?? false,
        ...(options.user ? { User: options.user } : {}),
        ...(options.privileged ? { Privileged: true } : {}),
        ...(options.workingDir ? { WorkingDir: options.workingDir } : {}),
        ...(options.env && options.env.length > 0 ? { Env: [...options.env] } : {}),
        ...(options.detachKeys ? { DetachKeys: options.detachKeys } : {}),
        ...(options.consoleSize && apiAtLeast(CONSOLE_SIZE_API) ? { ConsoleSize: [...options.consoleSize] } : {}),
      };
      const created = await request<{ Id: string }>('POST', `/containers/${encodeURIComponent(container)}/exec`, { body });
      return created.Id;
    },
    attach(id, options) {
      return transport.hijack(`/exec/${encodeURIComponent(id)}/start`, {
        body: { Detach: false, Tty: options.tty, ...(options.consoleSize && apiAtLeast(CONSOLE_SIZE_API) ? { ConsoleSize: [...options.consoleSize] } : {}) },
      });
    },
    async startDetached(id, tty) {
      await request('POST', `/exec/${encodeURIComponent(id)}/start`, { body: { Detach: true, Tty: tty } });
    },
    async resize(id, rows, columns) {
      await request('POST', `/exec/${encodeURIComponent(id)}/resize`, { query: { h: rows, w: columns } });
    },
    async inspect(id) {
      const raw = await request<{ Running?: boolean; ExitCode?: number | null; Pid?: number }>('GET', `/exec/${encodeURIComponent(id)}/json`);
      return { running: raw.Running ?? false, exitCode: raw.ExitCode ?? null, pid: raw.Pid ?? 0 };
    },
    async run(container, options, signal) {
      const id = await self.create(container, { ...options, output: true });
      const stream = await transport.stream('POST', `/exec/${encodeURIComponent(id)}/start`, { body: { Detach: false, Tty: false }, ...(signal ? { signal } : {}) });
      let stdout = '';
      let stderr = '';
      const into = (append: (text: string) => void): Writable =>
        new Writable({
          write(chunk: Buffer, _encoding, done) {
            append(chunk.toString());
            done();
          },
        });
      await demultiplex(
        stream,
        into((text) => (stdout += text)),
        into((text) => (stderr += text)),
      );
      return { exitCode: await exitCodeOf(self, id), stdout, stderr };
    },
  };
  return self;
}

/**
 * The exit code of a process whose output has ended. The engine may close the stream a moment before it records
 * the exit: asked again for a little while, then taken as 0 (as the docker CLI does) if it still runs.
 */
export async function exitCodeOf(execs: Pick<Execs, 'inspect'>, id: string): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const state = await execs.inspect(id);
    if (!state.running || state.exitCode !== null) return state.exitCode ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return 0;
}
