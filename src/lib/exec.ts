// A command run in a service's container with its output collected, stdout and stderr apart (the engine client's
// `containers.exec` mixes them): created, started on a stream, then inspected for its exit code.
import { Writable } from 'node:stream';
import type { Engine } from '../engine-client/index.js';

export interface ExecResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface ExecRequest {
  readonly command: readonly string[];
  readonly user?: string;
  readonly env?: readonly string[];
  readonly workingDir?: string;
}

export async function execCollected(engine: Engine, container: string, request: ExecRequest): Promise<ExecResult> {
  const { transport } = engine;
  const created = await transport.request<{ Id: string }>('POST', `/containers/${encodeURIComponent(container)}/exec`, {
    body: {
      Cmd: [...request.command],
      AttachStdout: true,
      AttachStderr: true,
      ...(request.user ? { User: request.user } : {}),
      ...(request.workingDir ? { WorkingDir: request.workingDir } : {}),
      ...(request.env && request.env.length > 0 ? { Env: [...request.env] } : {}),
    },
  });
  const stream = await transport.stream('POST', `/exec/${encodeURIComponent(created.Id)}/start`, { body: { Detach: false, Tty: false } });
  const output = { stdout: '', stderr: '' };
  const into = (which: keyof typeof output): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        output[which] += chunk.toString();
        done();
      },
    });
  const ended = new Promise<void>((resolve, reject) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', reject);
  });
  transport.demux(stream, into('stdout'), into('stderr'));
  await ended;
  return { exitCode: await exitCode(engine, created.Id), ...output };
}

/** The engine may close the output a moment before it records the exit: asked again for a little while. */
async function exitCode(engine: Engine, id: string): Promise<number> {
  for (let attempt = 0; ; attempt++) {
    const state = await engine.transport.request<{ Running?: boolean; ExitCode?: number | null }>('GET', `/exec/${encodeURIComponent(id)}/json`);
    if (!state.Running && state.ExitCode !== null && state.ExitCode !== undefined) return state.ExitCode;
    if (attempt >= 50) return state.ExitCode ?? 0;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
