// What the scenario tests share: running the real berth binary, a test image built from busybox-static, and a
// fresh project per test whose containers, networks, volumes and built images are removed afterwards (by label, not by berth).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildContext } from '../../src/apply/build/context.js';
import { openEngine } from '../../src/engine-client/index.js';
import type { ContainerSummary, Engine } from '../../src/engine-client/index.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const IMAGE = 'berth-test-busybox:latest';

export interface RunResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly cwd: string;
  readonly env?: Record<string, string>;
  /** Called once the process is running (to send it signals). */
  readonly onSpawn?: (pid: number) => void;
  /** Told of its standard output as it comes (to wait for a line before acting). */
  readonly onStdout?: (chunk: string) => void;
  readonly timeoutMs?: number;
  /** Written to its standard input, which then ends (else it has none). */
  readonly input?: string;
}

/** Runs `node bin/berth.js args...` as a user would, with the caller's environment plus `env`. */
export function berth(args: readonly string[], options: RunOptions): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/berth.js'), ...args], {
      cwd: options.cwd,
      env: { ...process.env, NO_COLOR: '1', ...options.env },
      stdio: [options.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
    });
    if (options.input !== undefined) child.stdin!.end(options.input);
    let stdout = '';
    let stderr = '';
    child.stdout!.on('data', (chunk) => {
      stdout += chunk;
      options.onStdout?.(String(chunk));
    });
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`berth ${args.join(' ')} did not finish in time\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, options.timeoutMs ?? 120_000);
    child.on('spawn', () => options.onSpawn?.(child.pid!));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Asserts that a berth run exited 0, showing what it printed on stderr when it did not. */
export function succeeded(result: RunResult): RunResult {
  assert.equal(result.code, 0, result.stderr);
  return result;
}

const engines = new Map<string, Promise<Engine>>();

/** A client for the engine tests run against: the caller's (DOCKER_HOST or the default socket), or `host`. */
export function testEngine(host?: string): Promise<Engine> {
  const key = host ?? '';
  if (!engines.has(key)) engines.set(key, openEngine({ environment: host ? { ...process.env, DOCKER_HOST: host } : process.env }));
  return engines.get(key)!;
}

let image: Promise<void> | undefined;

/**
 * The test image, built once from fixtures/images/busybox and the machine's busybox-static. Test files run in
 * parallel processes: a lock directory makes one of them build while the others wait, so that the image (and the
 * build cache of images built FROM it) stays the same for all.
 */
export function ensureTestImage(): Promise<void> {
  image ??= (async () => {
    const docker = await testEngine();
    const lock = join(tmpdir(), 'berth-test-image.lock');
    for (;;) {
      if (await docker.images.inspect(IMAGE)) return;
      try {
        mkdirSync(lock);
        break;
      } catch {
        // Another process builds it; a lock older than two minutes was left by a process that died.
        try {
          if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
        } catch {
          // gone meanwhile
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    const dir = mkdtempSync(join(tmpdir(), 'berth-image-'));
    try {
      if (await docker.images.inspect(IMAGE)) return;
      copyFileSync(join(ROOT, 'fixtures/images/busybox/Dockerfile'), join(dir, 'Dockerfile'));
      copyFileSync('/bin/busybox', join(dir, 'busybox'));
      await docker.images.build({ context: buildContext(dir, 'Dockerfile'), tag: [IMAGE] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(lock, { recursive: true, force: true });
    }
  })();
  return image;
}

export interface TestProject {
  readonly name: string;
  readonly dir: string;
  /** Rewrites compose.yaml; `${IMAGE}` in it is the test image. */
  write(compose: string, file?: string): void;
  run(args: readonly string[], options?: Omit<RunOptions, 'cwd'>): Promise<RunResult>;
  containers(): Promise<ContainerSummary[]>;
}

/**
 * A project with a unique name in a temporary directory, cleaned up (containers, networks, volumes, built images) after the test,
 * on the local dockerd or on the engine at `host`.
 */
export async function testProject(t: TestContext, compose?: string, host?: string): Promise<TestProject> {
  await ensureTestImage();
  const docker = await testEngine(host);
  const name = `e2e-${randomBytes(4).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), `berth-${name}-`));
  t.after(async () => {
    await cleanup(docker, name);
    rmSync(dir, { recursive: true, force: true });
  });
  const project: TestProject = {
    name,
    dir,
    write(text, file = 'compose.yaml') {
      writeFileSync(join(dir, file), `name: ${name}\n${text.replaceAll('${IMAGE}', IMAGE)}`);
    },
    run: (args, options = {}) => berth(args, { ...options, cwd: dir, env: { ...(host ? { DOCKER_HOST: host } : {}), ...options.env } }),
    containers: async () =>
      (await docker.containers.list({ label: [`com.docker.compose.project=${name}`] }, true)).sort((a, b) => (a.name < b.name ? -1 : 1)),
  };
  if (compose !== undefined) project.write(compose);
  return project;
}

export async function cleanup(docker: Engine, project: string): Promise<void> {
  const filter = { label: [`com.docker.compose.project=${project}`] };
  for (const container of await docker.containers.list(filter, true)) await docker.containers.remove(container.id, { force: true, volumes: true }).catch(() => {});
  for (const network of await docker.networks.list(filter)) await docker.networks.remove(network.id).catch(() => {});
  for (const volume of await docker.volumes.list(filter)) await docker.volumes.remove(volume.name, true).catch(() => {});
  // Images the project built carry its label; left behind, they pile up on a shared dockerd run after run.
  for (const image of await docker.images.list(filter)) await docker.images.remove(image.id, { force: true }).catch(() => {});
}

export function byName(containers: readonly ContainerSummary[]): Record<string, ContainerSummary> {
  return Object.fromEntries(containers.map((container) => [container.name, container]));
}

export function readText(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Polls `check` until it holds (or fails the test after `timeoutMs`). */
export async function waitFor(check: () => boolean | Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A command that runs until stopped and stops at once on SIGTERM (sh as PID 1 would ignore the signal). */
export const SLEEPER = `["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done & wait"]`;
