// A real registry (Debian's docker-registry, distribution 2.8) on a free loopback port, started by the test with its
// own config in a temporary directory: open, with htpasswd basic auth, or with token auth (a small token issuer in
// the test signs the JWTs with an RSA key made by openssl). Images are seeded with skopeo, independently of the
// engine under test. Everything is stopped by pid and removed by `stop()`.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './engine-helpers.js';

const HERE = fileURLToPath(new URL('.', import.meta.url));

export type RegistryAuth = 'none' | 'htpasswd' | 'token';

/** Users of the protected registries: alice may push and pull everything, bob only pull. */
export const USERS: Record<string, { password: string; actions: string[] }> = {
  alice: { password: 'alice-secret', actions: ['pull', 'push'] },
  bob: { password: 'bob-secret', actions: ['pull'] },
};

export interface TestRegistry {
  /** `127.0.0.1:PORT` */
  readonly host: string;
  readonly dir: string;
  /** Copies an image into the registry with skopeo (from a docker-archive file or dockerd's store). */
  seed(source: string, reference: string, user?: string): void;
  /** A raw request to the registry's API (no auth: open registries only). */
  api(method: string, path: string, body?: Buffer, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: Buffer }>;
  stop(): Promise<void>;
}

export async function startRegistry(auth: RegistryAuth = 'none'): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  let issuer: ChildProcess | undefined;
  let authConfig = '';
  if (auth === 'htpasswd') {
    const lines = Object.entries(USERS).map(([user, { password }]) => {
      const made = spawnSync('htpasswd', ['-Bbn', user, password], { encoding: 'utf8' });
      if (made.status !== 0) throw new Error(`htpasswd: ${made.stderr}`);
      return made.stdout.trim();
    });
    writeFileSync(join(dir, 'htpasswd'), `${lines.join('\n')}\n`);
    authConfig = `auth:\n  htpasswd:\n    realm: berth-test\n    path: ${join(dir, 'htpasswd')}\n`;
  } else if (auth === 'token') {
    const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=berth-test-issuer'], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`openssl: ${made.stderr}`);
    const issuerPort = await freePort();
    // Its own process: the tests drive the docker CLI synchronously, which would starve a server in this one.
    issuer = spawn(process.execPath, [join(HERE, 'registry-token-issuer.mjs'), String(issuerPort), join(dir, 'key.pem'), JSON.stringify(USERS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve, reject) => {
      issuer!.stdout!.once('data', resolve);
      issuer!.once('exit', (code) => reject(new Error(`the token issuer exited with ${code}`)));
    });
    authConfig = `auth:\n  token:\n    realm: http://127.0.0.1:${issuerPort}/token\n    service: berth-test-registry\n    issuer: berth-test-issuer\n    rootcertbundle: ${join(dir, 'cert.pem')}\n`;
  }
  mkdirSync(join(dir, 'data'));
  writeFileSync(
    join(dir, 'config.yml'),
    `version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: true\nstorage:\n  filesystem:\n    rootdirectory: ${join(dir, 'data')}\n  delete:\n    enabled: true\nhttp:\n  addr: ${host}\n${authConfig}`,
  );
  const child: ChildProcess = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr?.on('data', (chunk) => (log += chunk));
  const deadline = Date.now() + 15_000;
  while (!(await fetch(`http://${host}/v2/`).then(() => true, () => false))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`docker-registry did not start: ${log}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return {
    host,
    dir,
    seed(source, reference, user) {
      // skopeo talks to the token issuer, a separate process: a synchronous run here cannot starve it.
      const credentials = user ? ['--dest-creds', `${user}:${USERS[user]!.password}`] : [];
      const copied = spawnSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', ...credentials, source, `docker://${host}/${reference}`], { encoding: 'utf8' });
      if (copied.status !== 0) throw new Error(`skopeo copy ${source} ${reference}: ${copied.stderr}`);
    },
    async api(method, path, body, headers) {
      const response = await fetch(`http://${host}${path}`, { method, headers: headers ?? {}, ...(body ? { body: new Uint8Array(body) } : {}) });
      return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      if (issuer && issuer.exitCode === null) {
        issuer.kill('SIGTERM');
        await new Promise((resolve) => issuer!.once('exit', resolve));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

