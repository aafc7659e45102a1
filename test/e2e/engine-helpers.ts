// Starting berth's own engine for a test file: a real engine process on a temporary socket and root, the test image
// loaded into it from the local dockerd, and everything it ran removed (containers, mounts) when the file is done.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmdirSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { markedInterfaces } from '../../src/engine/runtime/links.js';
import { ruleNames } from '../../src/engine/runtime/netfilter-rules.js';
import { engineTag } from '../../src/engine/services/networks.js';
import { ensureTestImage, IMAGE, ROOT } from './helpers.js';

export interface TestEngine {
  readonly socket: string;
  readonly root: string;
  readonly host: string;
  /** The engine process's pid right now (it changes with each restart). */
  readonly pid: number;
  /** Runs the stock docker CLI against the engine. */
  docker(args: readonly string[], input?: Buffer): { code: number | null; stdout: string; stderr: string };
  /**
   * Kills the engine with SIGKILL (if it still runs) and starts it again on the same root, with `env` added;
   * `whileDown` runs in between (to do to its files what a crash or the host might).
   */
  restart(env?: Record<string, string>, whileDown?: () => void): Promise<void>;
  /** Resolves when the engine process has exited (a crash point, a kill): true, or false after `timeoutMs`. */
  exited(timeoutMs: number): Promise<boolean>;
  /** What the engine process wrote to its log (stderr) since it was last started. */
  log(): string;
  /** Stops the engine process alone (SIGTERM: a clean stop; SIGKILL: a crash); its containers keep running. */
  halt(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  /** Starts the engine process again on the same root and socket. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export interface TestEngineOptions {
  /** The engine's environment (PATH, to hide programs from it); the test's own by default. */
  readonly env?: NodeJS.ProcessEnv;
  /** A network namespace (under /run/netns) the engine runs in, as the host it sees: its own links, routes and rules. */
  readonly namespace?: string;
}

export async function startTestEngine(options: TestEngineOptions = {}): Promise<TestEngine> {
  await ensureTestImage();
  const dir = mkdtempSync(join(tmpdir(), 'berth-engine-'));
  const root = join(dir, 'root');
  const socket = join(dir, 'engine.sock');
  const baseEnv = options.env ?? process.env;
  const spawnEngine = (env: NodeJS.ProcessEnv): { child: ChildProcess; log: () => string } => spawnEngineIn(options.namespace, root, socket, dir, env);
  let engine = spawnEngine(baseEnv);
  let child: ChildProcess = engine.child;
  const exitOf = (process: ChildProcess): Promise<void> =>
    process.exitCode !== null || process.signalCode !== null ? Promise.resolve() : new Promise((resolve) => process.once('exit', () => resolve()));
  await waitForSocket(socket);
  const docker = (args: readonly string[], input?: Buffer) => {
    const result = spawnSync('docker', ['-H', `unix://${socket}`, ...args], { input, encoding: 'buffer', timeout: 60_000 });
    return { code: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
  };
  const saved = spawnSync('docker', ['-H', 'unix:///var/run/docker.sock', 'save', IMAGE], { maxBuffer: 256 * 1024 * 1024 });
  if (saved.status !== 0) throw new Error(`docker save ${IMAGE} failed: ${saved.stderr.toString()}`);
  const loaded = docker(['load'], saved.stdout);
  if (loaded.code !== 0) throw new Error(`docker load into berth's engine failed: ${loaded.stderr}`);
  return {
    socket,
    root,
    host: `unix://${socket}`,
    docker,
    async stop() {
      const ids = docker(['ps', '-aq']).stdout.split('\n').filter(Boolean);
      if (ids.length > 0) docker(['rm', '-f', ...ids]);
      const networks = docker(['network', 'ls', '-q', '--filter', 'type=custom']).stdout.split('\n').filter(Boolean);
      if (networks.length > 0) docker(['network', 'rm', ...networks]);
      // A clean stop, bounded: an engine that does not exit is killed (and said so), so a run never hangs here.
      const exited = exitOf(child);
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 30_000)))]);
      clearTimeout(timer);
      if (!stopped) {
        process.stderr.write(`berth's test engine (pid ${child.pid}) did not stop within 30 s of SIGTERM: killed. Its log ends:\n${engine.log().slice(-2000)}\n`);
        child.kill('SIGKILL');
        await exited;
      }
      endContainerProcesses(root);
      removeNetworking(root);
      unmountUnder(root);
      rmSync(dir, { recursive: true, force: true });
      // runc leaves the (empty) parent cgroup of the engine's containers; removed when no other engine uses it.
      for (const controller of readdirSync('/sys/fs/cgroup')) {
        try {
          rmdirSync(join('/sys/fs/cgroup', controller, 'berth'));
        } catch {
          // in use by another engine, or not there
        }
      }
    },
    get pid() {
      return child.pid!;
    },
    async restart(env = {}, whileDown) {
      const exited = exitOf(child);
      child.kill('SIGKILL');
      await exited;
      whileDown?.();
      engine = spawnEngine({ ...baseEnv, ...env });
      child = engine.child;
      await waitForSocket(socket);
    },
    log: () => engine.log(),
    async halt(signal) {
      const exited = exitOf(child);
      child.kill(signal);
      await exited;
    },
    async resume() {
      engine = spawnEngine(baseEnv);
      child = engine.child;
      await waitForSocket(socket);
    },
    async exited(timeoutMs) {
      let timer: NodeJS.Timeout | undefined;
      const done = await Promise.race([exitOf(child).then(() => true), new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)))]);
      clearTimeout(timer);
      return done;
    },
  };
}

/**
 * Container processes the stopped engine left behind (a monitor stuck on its container, with its runc): runc ends
 * the containers of the root, then any process still naming the root on its command line (monitors, runc) is killed.
 * All of them were started by the engine this test started.
 */
export function endContainerProcesses(root: string): void {
  const containers = join(root, 'containers');
  for (const id of existsSync(containers) ? readdirSync(containers) : []) {
    spawnSync('runc', ['delete', '--force', id], { stdio: 'ignore', timeout: 10_000 });
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    let commandLine = '';
    try {
      commandLine = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    if (commandLine.split('\0').some((word) => word.startsWith(`${root}/`))) {
      try {
        process.kill(Number(entry), 'SIGKILL');
      } catch {
        // gone meanwhile
      }
    }
  }
}

/** Whatever is still mounted under the root (a test that killed the engine mid-way) is unmounted. */
export function unmountUnder(root: string): void {
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const mountpoint = line.split(' ')[4];
    if (mountpoint?.startsWith(root)) spawnSync('umount', ['-l', mountpoint]);
  }
}

/**
 * What an engine that did not stop cleanly left on the host: its bridges (those carrying its mark only), its packet
 * filter table or chains, and the namespaces of its containers.
 */
export function removeNetworking(root: string): void {
  const tag = engineTag(root);
  for (const { name } of markedInterfaces(`${tag}:`)) spawnSync('ip', ['link', 'del', name]);
  spawnSync('nft', ['delete', 'table', 'ip', tag], { stdio: 'ignore' });
  const { forwardChain, natChain } = ruleNames(tag);
  for (const [table, from, chain] of [['filter', 'FORWARD', forwardChain], ['nat', 'POSTROUTING', natChain]] as const) {
    while (spawnSync('iptables', ['-w', '-t', table, '-D', from, '-j', chain], { stdio: 'ignore' }).status === 0);
    spawnSync('iptables', ['-w', '-t', table, '-F', chain], { stdio: 'ignore' });
    spawnSync('iptables', ['-w', '-t', table, '-X', chain], { stdio: 'ignore' });
  }
  const containers = join(root, 'containers');
  for (const id of existsSync(containers) ? readdirSync(containers) : []) {
    if (existsSync(`/run/netns/berth-${id.slice(0, 12)}`)) spawnSync('ip', ['netns', 'del', `berth-${id.slice(0, 12)}`]);
  }
}

function spawnEngineIn(namespace: string | undefined, root: string, socket: string, dir: string, env: NodeJS.ProcessEnv): { child: ChildProcess; log: () => string } {
  const command = [process.execPath, join(ROOT, 'bin/berth.js'), 'engine', '--root', root, '--socket', socket];
  // `ip netns exec` mounts a /sys of the namespace's own (so /sys/class/net shows its links) over the cgroup
  // hierarchies runc needs: they are mounted again first. sh and ip exec, so the child's pid is the engine's.
  const inNamespace = (name: string): string[] => ['ip', 'netns', 'exec', name, 'sh', '-c', [...cgroupMounts(), `exec ${command.join(' ')}`].join(' && ')];
  const [program, ...args] = namespace ? inNamespace(namespace) : command;
  const child = spawn(program!, args, { stdio: ['ignore', 'ignore', 'pipe'], env });
  let log = '';
  child.stderr?.on('data', (chunk) => {
    log += chunk;
    // To see what the engine says while a test runs: BERTH_TEST_ENGINE_LOG=/some/file.
    if (process.env.BERTH_TEST_ENGINE_LOG) appendFileSync(process.env.BERTH_TEST_ENGINE_LOG, chunk);
  });
  child.on('exit', (code) => {
    if (code !== 0 && code !== null) process.stderr.write(`berth engine (${dir}) exited with ${code}:\n${log}\n`);
  });
  return { child, log: () => log };
}

/** Shell commands that mount this host's cgroup file systems again, as /proc/self/mountinfo lists them. */
function cgroupMounts(): string[] {
  const commands: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const [mount = '', filesystem = ''] = line.split(' - ');
    const mountpoint = mount.split(' ')[4] ?? '';
    const [type = '', source = '', options = ''] = filesystem.split(' ');
    if (!mountpoint.startsWith('/sys/fs/cgroup') || !['tmpfs', 'cgroup', 'cgroup2'].includes(type)) continue;
    commands.push(`mkdir -p ${mountpoint}`, `mount -t ${type} -o ${options} ${source} ${mountpoint}`);
  }
  return commands;
}

async function waitForSocket(socket: string): Promise<void> {
  // Generous: on a loaded machine, starting node and taking back the host's networking can take a while.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (existsSync(socket) && (await ping(socket))) return;
    if (Date.now() > deadline) throw new Error(`berth engine did not answer on ${socket}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function ping(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ socketPath: socket, path: '/_ping' }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.end();
  });
}

/** A raw request to the engine, for the bad-input tests (what a careless client would send). */
export function rawRequest(socket: string, method: string, path: string, body?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    // With a Content-Length, a body is framed for every method (node sends a GET's or a HEAD's body unframed otherwise).
    const headers = body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {};
    // A fresh connection each time: a pooled one the engine closed meanwhile would fail the write (EPIPE).
    const req = request({ socketPath: socket, method, path, headers, agent: false }, (response) => {
      let text = '';
      response.on('data', (chunk) => (text += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A TCP port nobody listens on right now (the kernel's pick), for tests that publish ports. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net');
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
