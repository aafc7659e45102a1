// A host "outside" for the network tests: a network namespace the test creates, joined to the host by a veth pair,
// with an address from 198.51.100.0/24 (TEST-NET-2) and NO route back to any container subnet, so that its answers
// reach a container only when the engine masquerades the container's traffic. It serves HTTP (busybox httpd) and,
// when asked, DNS; everything is removed by close(). Each test host takes a /29 of its own (claimed under /run, so
// that test files running at once never share one).
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './helpers.js';

export interface TestHost {
  readonly namespace: string;
  /** The test host's address (inside its namespace). */
  readonly address: string;
  /** The /29 it lives in: the only route the host gets to it. */
  readonly subnet: string;
  /** Serves `page` as / over HTTP on address:80. */
  serveHttp(page: string): Promise<void>;
  /** Answers `records` (name -> IPv4 address) over UDP and TCP on address:53, NXDOMAIN for other names. */
  serveDns(records: Record<string, string>): Promise<void>;
  close(): Promise<void>;
}

const CLAIMS = '/run/berth-test-hosts';

function ip(args: readonly string[]): void {
  const result = spawnSync('ip', args, { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`ip ${args.join(' ')}: ${result.stderr}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Whether an address of that /29 is on an interface of the host already (a test host a killed run left behind). */
function inUseOnHost(block: number): boolean {
  const listed = spawnSync('ip', ['-o', '-4', 'addr', 'show', 'to', `198.51.100.${block * 8}/29`], { encoding: 'utf8' });
  return listed.status !== 0 || listed.stdout.trim() !== '';
}

/**
 * A /29 of 198.51.100.0/24 claimed for this process (a claim of a process that died is taken over, unless what it
 * made is still on the host: a second route to the same /29 would take the test host's answers elsewhere).
 */
function claimBlock(): number {
  mkdirSync(CLAIMS, { recursive: true });
  for (let block = 1; block < 32; block++) {
    if (inUseOnHost(block)) continue;
    const claim = join(CLAIMS, String(block));
    try {
      mkdirSync(claim);
    } catch {
      let owner = 0;
      try {
        owner = Number(readFileSync(join(claim, 'pid'), 'utf8'));
      } catch {
        continue; // being claimed right now
      }
      if (alive(owner)) continue;
      rmSync(claim, { recursive: true, force: true });
      try {
        mkdirSync(claim);
      } catch {
        continue;
      }
    }
    writeFileSync(join(claim, 'pid'), String(process.pid));
    return block;
  }
  throw new Error('no free /29 in 198.51.100.0/24 for a test host');
}

export interface TestHostOptions {
  /** The network namespace playing the host the test host is joined to (the real host by default). */
  readonly attachTo?: string;
}

export async function startTestHost(options: TestHostOptions = {}): Promise<TestHost> {
  const block = claimBlock();
  const base = `198.51.100.${block * 8}`;
  const hostSide = `198.51.100.${block * 8 + 1}`;
  const address = `198.51.100.${block * 8 + 2}`;
  const tag = randomBytes(3).toString('hex');
  const namespace = `bt-${tag}`;
  const veth = `btv${tag}`;
  const processes: ChildProcess[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'berth-test-host-'));
  const onHost = options.attachTo ? ['-n', options.attachTo] : [];
  ip(['netns', 'add', namespace]);
  try {
    ip([...onHost, 'link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', namespace]);
    ip([...onHost, 'addr', 'add', `${hostSide}/29`, 'dev', veth]);
    ip([...onHost, 'link', 'set', veth, 'up']);
    ip(['-n', namespace, 'addr', 'add', `${address}/29`, 'dev', 'eth0']);
    ip(['-n', namespace, 'link', 'set', 'eth0', 'up']);
    ip(['-n', namespace, 'link', 'set', 'lo', 'up']);
  } catch (error) {
    spawnSync('ip', ['netns', 'del', namespace]);
    spawnSync('ip', [...onHost, 'link', 'del', veth]);
    throw error;
  }

  /** A server in the namespace, ready once `ready` says so (or it has had a moment). */
  const serve = async (args: readonly string[], ready: (output: string) => boolean): Promise<void> => {
    const child = spawn('ip', ['netns', 'exec', namespace, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    processes.push(child);
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start in ${namespace}: ${output}`)), 10_000);
      const check = (chunk: Buffer): void => {
        output += chunk;
        if (ready(output)) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout?.on('data', check);
      child.stderr?.on('data', check);
      child.on('exit', (code) => reject(new Error(`${args.join(' ')} exited with ${code} in ${namespace}: ${output}`)));
    });
  };

  return {
    namespace,
    address,
    subnet: `${base}/29`,
    async serveHttp(page) {
      writeFileSync(join(dir, 'index.html'), page);
      // busybox httpd -f prints nothing when it is up: wait until its port answers inside the namespace.
      const child = spawn('ip', ['netns', 'exec', namespace, 'busybox', 'httpd', '-f', '-p', `${address}:80`, '-h', dir], { stdio: 'ignore' });
      processes.push(child);
      for (let attempt = 0; attempt < 100; attempt++) {
        const probe = spawnSync('ip', ['netns', 'exec', namespace, 'busybox', 'timeout', '2', 'busybox', 'wget', '-q', '-O-', `http://${address}/`], { encoding: 'utf8' });
        if (probe.stdout === page) return;
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      throw new Error(`busybox httpd did not serve in ${namespace}`);
    },
    serveDns(records) {
      const entries = Object.entries(records).map(([name, value]) => `${name}=${value}`);
      return serve([process.execPath, '--import', 'tsx', join(ROOT, 'test/e2e/dns-responder.ts'), address, ...entries], (output) => output.includes('ready'));
    },
    async close() {
      for (const child of processes) {
        if (child.exitCode !== null || child.signalCode !== null) continue;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      spawnSync('ip', ['netns', 'del', namespace]);
      spawnSync('ip', [...onHost, 'link', 'del', veth]); // gone with the namespace's end already; this is in case it was not
      rmSync(dir, { recursive: true, force: true });
      rmSync(join(CLAIMS, String(block)), { recursive: true, force: true });
    },
  };
}
