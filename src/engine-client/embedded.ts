// The embedded default: with no Docker engine answering at the default socket, berth uses its own engine, and
// starts it (`berth engine`, in the background, as a process of its own) when it is not running yet. Only the
// process boundary is crossed here: the engine is spoken to over the Engine API like any other.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BerthError } from '../model/errors.js';
import { parseEndpoint } from './endpoint.js';
import type { Endpoint } from './endpoint.js';
import { greetingOf } from './transport.js';
import type { EngineGreeting } from './transport.js';

export interface EmbeddedSettings {
  readonly root: string;
  readonly socket: string;
}

/** Where the embedded engine lives: /var/lib/berth and /run/berth/engine.sock unless BERTH_ENGINE_ROOT/_SOCKET say. */
export function embeddedSettings(environment: Readonly<Record<string, string | undefined>>): EmbeddedSettings {
  return {
    root: environment.BERTH_ENGINE_ROOT || '/var/lib/berth',
    socket: environment.BERTH_ENGINE_SOCKET || '/run/berth/engine.sock',
  };
}

/**
 * The embedded engine's endpoint, once it answers: already running, or started now. `notify` hears about a start
 * (a line for the user's terminal).
 */
export async function embeddedEngine(settings: EmbeddedSettings, notify: (line: string) => void): Promise<Endpoint> {
  const endpoint = parseEndpoint(`unix://${settings.socket}`, "berth's engine");
  if ((await probeSocket(settings.socket)) !== 'absent') return endpoint;
  if (process.getuid?.() !== 0) {
    throw new BerthError(
      `no Docker engine answers at /var/run/docker.sock, and berth's own engine needs root to start: run berth as root, start \`berth engine\` as root, or set DOCKER_HOST`,
      { kind: 'engine' },
    );
  }
  mkdirSync(settings.root, { recursive: true });
  const logFile = join(settings.root, 'engine.log');
  const log = openSync(logFile, 'a');
  const berth = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'bin', 'berth.js');
  const child = spawn(process.execPath, [berth, 'engine', '--root', settings.root, '--socket', settings.socket], {
    detached: true,
    stdio: ['ignore', log, log],
  });
  child.unref();
  notify(`Started berth's engine (no Docker engine answers at /var/run/docker.sock): ${endpoint.url}, log ${logFile}`);
  const deadline = Date.now() + 15_000;
  while (Date.now() < deadline) {
    if ((await probeSocket(settings.socket)) === 'answers') return endpoint;
    // Another berth started an engine on the same root at the same time: ours gave way to it, which is to be waited for.
    if (child.exitCode !== null && !otherEngineRuns(settings.root, child.pid)) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new BerthError(`berth's engine did not start: see ${logFile}`, { kind: 'engine' });
}

/** Whether the engine named in <root>/engine.pid (the engine writes it once the root is its own) runs, and is not `ours`. */
function otherEngineRuns(root: string, ours: number | undefined): boolean {
  let pid = 0;
  try {
    pid = Number(readFileSync(join(root, 'engine.pid'), 'utf8').trim());
  } catch {
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === ours) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * What is at an engine socket: `absent` when there is no socket or nobody accepts on it (a file left by a process
 * that died), `answers` when an HTTP server answered `/_ping`, `present` when something accepted the connection or
 * refused us access but said nothing in time. Only `absent` may lead berth to start an engine of its own or to use
 * it instead: a busy or loaded engine is still the one the user's containers are in, and a second engine on the
 * same root would corrupt it.
 */
export type SocketState = 'absent' | 'present' | 'answers';

export function probeSocket(socket: string, timeoutMs = 2000): Promise<SocketState> {
  return pingSocket(socket, timeoutMs).then(({ state }) => state);
}

/** probeSocket, with what the engine said of itself when it answered (its API version: not asked again). */
export function pingSocket(socket: string, timeoutMs = 2000): Promise<{ state: SocketState; greeting?: EngineGreeting }> {
  if (!existsSync(socket)) return Promise.resolve({ state: 'absent' });
  return new Promise((resolve) => {
    const ping = request({ socketPath: socket, path: '/_ping', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve({ state: 'answers', ...(response.statusCode === 200 ? { greeting: greetingOf(response.headers) } : {}) });
    });
    ping.on('error', (error: NodeJS.ErrnoException) => resolve({ state: error.code === 'ECONNREFUSED' || error.code === 'ENOENT' ? 'absent' : 'present' }));
    ping.on('timeout', () => {
      ping.destroy();
      resolve({ state: 'present' });
    });
    ping.end();
  });
}
