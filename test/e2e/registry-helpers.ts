// A real registry (Debian's docker-registry, distribution 2.8) on a free loopback port, started by the test with its
// own config in a temporary directory: open, with htpasswd basic auth, or with token auth (a small token issuer in
// the test signs the JWTs with an RSA key made by openssl). Images are seeded with skopeo, independently of the
// engine under test. Everything is stopped by pid and removed by `stop()`.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './engine-helpers.js';

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
  let issuer: Server | undefined;
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
    issuer = await startTokenIssuer(issuerPort, readFileSync(join(dir, 'key.pem'), 'utf8'));
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
      const credentials = user ? ['--dest-creds', `${user}:${USERS[user]!.password}`] : [];
      const copied = spawnSync('skopeo', ['copy', '--quiet', '--dest-tls-verify=false', ...credentials, source, `docker://${host}/${reference}`], { encoding: 'utf8' });
      if (copied.status !== 0) throw new Error(`skopeo copy ${source} ${reference}: ${copied.stderr}`);
    },
    async api(method, path, body, headers) {
      const response = await fetch(`http://${host}${path}`, { method, headers: headers ?? {}, ...(body ? { body } : {}) });
      return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
    },
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await new Promise((resolve) => child.once('exit', resolve));
      }
      if (issuer) await new Promise((resolve) => issuer!.close(resolve));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The token server of the token-auth registry: Basic credentials (or a refresh token it handed out) in, a JWT
 * granting what the user may do out; anonymous users get pull on `public/*` only. Wrong credentials: 401.
 */
function startTokenIssuer(port: number, keyPem: string): Promise<Server> {
  const key = createPrivateKey(keyPem);
  const der = createPublicKey(key).export({ type: 'spki', format: 'der' });
  // libtrust's key id: base32 of the first 30 bytes of the SHA-256 of the public key, in groups of four.
  const kid = base32(createHash('sha256').update(der).digest().subarray(0, 30)).match(/.{4}/g)!.join(':');
  const refreshTokens = new Map<string, string>();
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      const url = new URL(request.url ?? '/', `http://127.0.0.1:${port}`);
      const form = request.method === 'POST' ? new URLSearchParams(body) : url.searchParams;
      let user: string | undefined;
      const basic = /^Basic (.+)$/.exec(request.headers.authorization ?? '');
      if (basic) {
        const [name, password] = Buffer.from(basic[1]!, 'base64').toString().split(':');
        if (!name || USERS[name]?.password !== password) {
          response.writeHead(401, { 'Content-Type': 'application/json' });
          response.end(JSON.stringify({ details: 'incorrect username or password' }));
          return;
        }
        user = name;
      } else if (form.get('grant_type') === 'refresh_token') {
        user = refreshTokens.get(form.get('refresh_token') ?? '');
        if (!user) {
          response.writeHead(401, { 'Content-Type': 'application/json' });
          response.end(JSON.stringify({ details: 'invalid refresh token' }));
          return;
        }
      }
      const access = form.getAll('scope').flatMap((scope) => {
        const [type, name, actions] = scope.split(':');
        if (type !== 'repository' || !name || !actions) return [];
        const allowed = user ? USERS[user]!.actions : name.startsWith('public/') ? ['pull'] : [];
        return [{ type, name, actions: actions.split(',').filter((action) => allowed.includes(action)) }];
      });
      const now = Math.floor(Date.now() / 1000);
      const header = { typ: 'JWT', alg: 'RS256', kid };
      const claims = { iss: 'berth-test-issuer', sub: user ?? '', aud: form.get('service') ?? '', exp: now + 300, nbf: now - 10, iat: now, jti: String(Math.random()), access };
      const encode = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');
      const unsigned = `${encode(header)}.${encode(claims)}`;
      const token = `${unsigned}.${sign('sha256', Buffer.from(unsigned), key).toString('base64url')}`;
      const answer: Record<string, unknown> = { token, access_token: token, expires_in: 300 };
      if (user && (form.get('offline_token') === 'true' || form.get('grant_type') === 'refresh_token')) {
        const refresh = `refresh-${user}-${Math.random().toString(36).slice(2)}`;
        refreshTokens.set(refresh, user);
        answer.refresh_token = refresh;
      }
      response.writeHead(200, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(answer));
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

function base32(bytes: Buffer): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += alphabet[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += alphabet[(value << (5 - bits)) & 31];
  return out;
}
