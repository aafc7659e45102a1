// Waiting for a service's container to be ready, by one of a few strategies (healthy, listening, a log line, an
// HTTP answer, an exit). Each records what it saw last, so that a wait that times out can say why it was not ready.
import { request } from 'node:http';
import { connect } from 'node:net';
import type { ContainerDetails, ContainerSummary, Engine } from '../engine-client/index.js';
import { BerthError, quote } from '../model/errors.js';
import { containerLines } from './logs.js';
import type { Address, Protocol } from './ports.js';

export interface WaitContext {
  readonly engine: Engine;
  readonly service: string;
  readonly container: ContainerSummary;
  /** Aborted when the wait times out. */
  readonly signal: AbortSignal;
  /** Records what the strategy saw (named by the error if the wait times out). */
  saw(what: string): void;
  /** The wait cannot succeed any more: it fails at once, with this reason. */
  fail(reason: string): never;
  /** Where a port of the container is published, if it is. */
  published(port: number, protocol: Protocol): Promise<Address | undefined>;
}

export interface WaitStrategy {
  /** How errors name it: `http(8080, "/health", status 200)`. */
  readonly description: string;
  /** Resolves once the condition holds. */
  until(ctx: WaitContext): Promise<void>;
}

/** A wait that timed out or could no longer succeed: which service, which strategy, what it saw last. */
export class WaitError extends BerthError {
  constructor(
    readonly service: string,
    readonly strategy: string,
    readonly lastSeen: string,
    readonly timedOut: boolean,
    reason: string,
  ) {
    super(`service ${service}: waiting for ${strategy} ${reason}; last saw: ${lastSeen}`, { kind: 'engine' });
    this.name = 'WaitError';
  }
}

class Unreachable extends Error {}

export interface WaitTarget {
  readonly engine: Engine;
  readonly service: string;
  readonly container: ContainerSummary;
  readonly published: WaitContext['published'];
}

export async function waitOn(target: WaitTarget, strategy: WaitStrategy, timeoutMs: number): Promise<void> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), timeoutMs);
  let lastSeen = 'nothing yet';
  const ctx: WaitContext = {
    ...target,
    signal: controller.signal,
    saw: (what) => void (lastSeen = what),
    fail: (reason) => {
      throw new Unreachable(reason);
    },
  };
  try {
    await strategy.until(ctx);
  } catch (error) {
    // Once the time is up, what a strategy concludes from its cut-short last look is not a reason: the timeout is.
    if (controller.signal.aborted) throw new WaitError(target.service, strategy.description, lastSeen, true, `timed out after ${timeoutMs} ms`);
    if (error instanceof Unreachable) throw new WaitError(target.service, strategy.description, lastSeen, false, `failed: ${error.message}`);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

const POLL_MS = 250;

/** Asks `ready` again every POLL_MS until it says yes; the timeout's abort ends it. */
async function poll(ctx: WaitContext, ready: () => Promise<boolean>): Promise<void> {
  while (!(await ready())) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    await new Promise<void>((resolve, reject) => {
      const onAbort = (): void => (clearTimeout(timer), reject(ctx.signal.reason));
      const timer = setTimeout(() => (ctx.signal.removeEventListener('abort', onAbort), resolve()), POLL_MS);
      ctx.signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

async function details(ctx: WaitContext): Promise<ContainerDetails> {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  const found = await ctx.engine.containers.inspect(ctx.container.id);
  if (!found) ctx.fail(`container ${ctx.container.name} is gone`);
  return found;
}

function failIfStopped(ctx: WaitContext, state: ContainerDetails['state']): void {
  if (!state.running && state.status !== 'created' && state.status !== 'restarting') ctx.fail(`container ${ctx.container.name} ${state.status} (exit code ${state.exitCode})`);
}

/** Its healthcheck says healthy (an unhealthy or stopped container fails the wait). */
export function healthy(): WaitStrategy {
  return {
    description: 'healthy()',
    until: (ctx) =>
      poll(ctx, async () => {
        const { state } = await details(ctx);
        if (state.health === undefined) ctx.fail(`container ${ctx.container.name} has no healthcheck`);
        ctx.saw(`health "${state.health}", state "${state.status}"`);
        if (state.health === 'unhealthy') ctx.fail(`container ${ctx.container.name} is unhealthy`);
        failIfStopped(ctx, state);
        return state.health === 'healthy';
      }),
  };
}

/**
 * Something listens on the container port: a listening socket inside the container (read from /proc/net, as the
 * engine's own proxy accepts connections on the host before anything listens) and, when the port is published, a
 * connection from here.
 */
export function listening(port: number, options: { protocol?: 'tcp' | 'udp' } = {}): WaitStrategy {
  const protocol = options.protocol ?? 'tcp';
  return {
    description: `listening(${port}/${protocol})`,
    until: (ctx) =>
      poll(ctx, async () => {
        failIfStopped(ctx, (await details(ctx)).state);
        const inside = await listensInside(ctx, port, protocol);
        if (inside === false) {
          ctx.saw(`no socket listening on ${port}/${protocol} inside the container`);
          return false;
        }
        const address = await ctx.published(port, protocol);
        if (!address) {
          if (inside === undefined) ctx.fail(`port ${port}/${protocol} is not published and the container has no \`cat\` to read /proc/net with`);
          return true;
        }
        if (protocol === 'udp') return inside === true;
        const refused = await tcpConnect(address);
        ctx.saw(refused ? `connecting to ${address.host}:${address.port}: ${refused}` : `a connection to ${address.host}:${address.port}`);
        return refused === undefined;
      }),
  };
}

/** true or false from /proc/net/{tcp,udp}{,6} in the container; undefined when it cannot be read there. */
async function listensInside(ctx: WaitContext, port: number, protocol: 'tcp' | 'udp'): Promise<boolean | undefined> {
  let output: string;
  try {
    const result = await ctx.engine.execs.run(ctx.container.id, { command: ['cat', `/proc/net/${protocol}`, `/proc/net/${protocol}6`] }, ctx.signal);
    if (ctx.signal.aborted) throw ctx.signal.reason;
    if (result.stdout === '') return undefined;
    output = result.stdout;
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    return undefined;
  }
  // `  0: 00000000:1F90 00000000:0000 0A ...`: local address:port in hex, then the remote one, then the state.
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  const wanted = protocol === 'tcp' ? '0A' : '07';
  return output.split('\n').some((line) => {
    const fields = line.trim().split(/\s+/);
    return fields[1]?.endsWith(`:${hexPort}`) === true && fields[3] === wanted;
  });
}

function tcpConnect(address: Address): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: address.host, port: address.port, timeout: 2000 });
    socket.once('connect', () => (socket.destroy(), resolve(undefined)));
    socket.once('timeout', () => (socket.destroy(), resolve('timed out')));
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** A line of the container's output matches (`times` lines, if asked), counting from the container's start. */
export function logLine(pattern: string | RegExp, options: { times?: number } = {}): WaitStrategy {
  const times = options.times ?? 1;
  const matches = typeof pattern === 'string' ? (text: string) => text.includes(pattern) : (text: string) => new RegExp(pattern.source, pattern.flags.replace('g', '')).test(text);
  return {
    description: `logLine(${typeof pattern === 'string' ? quote(pattern) : String(pattern)}${times > 1 ? `, ${times} times` : ''})`,
    async until(ctx) {
      let count = 0;
      ctx.saw('no output');
      for await (const line of containerLines(ctx.engine, [ctx.container], { follow: true, signal: ctx.signal })) {
        if (matches(line.text)) count++;
        ctx.saw(`${count} matching line${count === 1 ? '' : 's'} of ${times}; the last line: ${quote(line.text, 120)}`);
        if (count >= times) return;
      }
      if (ctx.signal.aborted) throw ctx.signal.reason;
      ctx.fail(`container ${ctx.container.name} stopped after ${count} matching line${count === 1 ? '' : 's'} of ${times}`);
    },
  };
}

/** An HTTP request to the published port answers with `status` (200 unless told). */
export function http(port: number, path = '/', options: { status?: number; method?: string } = {}): WaitStrategy {
  const status = options.status ?? 200;
  const method = options.method ?? 'GET';
  return {
    description: `http(${port}, ${quote(path)}, ${method === 'GET' ? '' : `${method} `}status ${status})`,
    async until(ctx) {
      const address = await ctx.published(port, 'tcp');
      if (!address) return ctx.fail(`port ${port}/tcp is not published`);
      await poll(ctx, async () => {
        failIfStopped(ctx, (await details(ctx)).state);
        const answer = await httpStatus(address, path, method);
        ctx.saw(typeof answer === 'number' ? `status ${answer}` : answer);
        return answer === status;
      });
    },
  };
}

function httpStatus(address: Address, path: string, method: string): Promise<number | string> {
  return new Promise((resolve) => {
    const asked = request({ host: address.host, port: address.port, path, method, timeout: 2000, agent: false }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    asked.once('timeout', () => asked.destroy(new Error('no answer in 2 s')));
    asked.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    asked.end();
  });
}

/** The container has exited (with `code`, if given: another code fails the wait). */
export function exited(code?: number): WaitStrategy {
  return {
    description: `exited(${code ?? ''})`,
    until: (ctx) =>
      poll(ctx, async () => {
        const { state } = await details(ctx);
        ctx.saw(`state "${state.status}"${state.running ? '' : ` (exit code ${state.exitCode})`}`);
        if (state.status !== 'exited' && state.status !== 'dead') return false;
        if (code !== undefined && state.exitCode !== code) ctx.fail(`container ${ctx.container.name} exited with ${state.exitCode}, not ${code}`);
        return true;
      }),
  };
}
