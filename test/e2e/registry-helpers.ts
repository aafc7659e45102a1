// A real registry for the scenarios: Debian's docker-registry (distribution 2.8) on a free loopback port with its
// own config and storage in a temporary directory, open, behind htpasswd basic auth, or behind token auth (a token
// issuer in a process of its own signs JWTs with an RSA key openssl makes); and images put into it with skopeo from
// an OCI layout this file writes itself (busybox-static and a marker file) or from an archive, so that seeding it
// does not depend on the engine under test.
import { spawn, spawnSync } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { tarArchive } from '../../src/apply/build/tar.js';
import type { TarEntry } from '../../src/apply/build/tar.js';
import { freePort } from './engine-helpers.js';

/** The one account of an authenticating registry, and its bcrypt line (`htpasswd -Bbn berth berth-pass`). */
export const REGISTRY_USER = 'berth';
export const REGISTRY_PASSWORD = 'berth-pass';
const HTPASSWD = 'berth:$2y$05$uzinaJjqDEpSSvgwznluLOiFWMSzRSAuEABYnuafedlmhqQtKU6Rq\n';
/** With token auth, a second account that may only pull; anonymous users may pull `public/*` only. */
export const READER_USER = 'reader';
export const READER_PASSWORD = 'reader-pass';
const TOKEN_USERS = { [REGISTRY_USER]: { password: REGISTRY_PASSWORD, actions: ['pull', 'push'] }, [READER_USER]: { password: READER_PASSWORD, actions: ['pull'] } };
const HERE = fileURLToPath(new URL('.', import.meta.url));

export interface TestRegistry {
  /** `127.0.0.1:PORT`: the prefix of its image names and the key of its credentials. */
  readonly host: string;
  readonly auth: boolean;
  /** Puts an image (busybox and a /marker file holding `marker`) under `repo:tag`; returns its manifest digest. */
  seed(repoAndTag: string, marker: string): string;
  /** Copies an image from an archive (`docker-archive:FILE`, `oci:DIR:NAME`) to `repo:tag`, as the full-rights user. */
  seedFrom(source: string, repoAndTag: string): void;
  /** A raw request to the registry's API, with the full-rights user's basic credentials when it has htpasswd auth. */
  api(method: string, path: string, body?: Buffer, headers?: Record<string, string>): Promise<{ status: number; headers: Headers; body: Buffer }>;
  /** The tags the registry holds for a repository (empty when it has none). */
  tags(repo: string): Promise<string[]>;
  stop(): Promise<void>;
}

/** `auth`: true (or `htpasswd`) for basic auth, `token` for bearer tokens from the test's token issuer. */
export async function startRegistry(options: { auth?: boolean | 'htpasswd' | 'token' } = {}): Promise<TestRegistry> {
  const dir = mkdtempSync(join(tmpdir(), 'berth-registry-'));
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const auth = options.auth === true || options.auth === 'htpasswd' || options.auth === 'token';
  const htpasswd = auth && options.auth !== 'token';
  if (htpasswd) writeFileSync(join(dir, 'htpasswd'), HTPASSWD);
  const issuer = options.auth === 'token' ? await startTokenIssuer(dir) : undefined;
  writeFileSync(
    join(dir, 'config.yml'),
    [
      'version: 0.1',
      'log:',
      '  level: error',
      'storage:',
      '  filesystem:',
      `    rootdirectory: ${join(dir, 'storage')}`,
      '  delete:',
      '    enabled: true',
      'http:',
      `  addr: ${host}`,
      ...(htpasswd ? ['auth:', '  htpasswd:', '    realm: berth-test', `    path: ${join(dir, 'htpasswd')}`] : []),
      ...(issuer ? ['auth:', '  token:', `    realm: ${issuer.realm}`, '    service: berth-test-registry', '    issuer: berth-test-issuer', `    rootcertbundle: ${join(dir, 'cert.pem')}`] : []),
      '',
    ].join('\n'),
  );
  const child = spawn('docker-registry', ['serve', join(dir, 'config.yml')], { stdio: 'ignore' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const authorization = `Basic ${Buffer.from(`${REGISTRY_USER}:${REGISTRY_PASSWORD}`).toString('base64')}`;
  const get = (path: string) => fetch(`http://${host}${path}`, htpasswd ? { headers: { authorization } } : {});
  const deadline = Date.now() + 15_000;
  while (!(await get('/v2/').then((response) => response.ok || response.status === 401, () => false))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      issuer?.child.kill('SIGKILL');
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`docker-registry did not start on ${host}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    host,
    auth,
    seed(repoAndTag, marker) {
      const layout = ociLayout(join(dir, `layout-${randomBytes(4).toString('hex')}`), marker);
      const digestFile = join(layout, 'digest');
      const copied = spawnSync(
        'skopeo',
        [
          '--insecure-policy',
          'copy',
          '--quiet',
          '--dest-tls-verify=false',
          ...(auth ? ['--dest-creds', `${REGISTRY_USER}:${REGISTRY_PASSWORD}`] : ['--dest-no-creds']),
          '--digestfile',
          digestFile,
          `oci:${layout}:image`,
          `docker://${host}/${repoAndTag}`,
        ],
        { encoding: 'utf8', timeout: 60_000 },
      );
      if (copied.status !== 0) throw new Error(`skopeo copy to ${host}/${repoAndTag} failed: ${copied.stderr}`);
      const digest = readFileSync(digestFile, 'utf8').trim();
      rmSync(layout, { recursive: true, force: true });
      return digest;
    },
    seedFrom(source, repoAndTag) {
      // skopeo talks to the token issuer, a process of its own: running it synchronously here starves nothing.
      const credentials = auth ? ['--dest-creds', `${REGISTRY_USER}:${REGISTRY_PASSWORD}`] : ['--dest-no-creds'];
      const copied = spawnSync('skopeo', ['--insecure-policy', 'copy', '--quiet', '--dest-tls-verify=false', ...credentials, source, `docker://${host}/${repoAndTag}`], { encoding: 'utf8', timeout: 60_000 });
      if (copied.status !== 0) throw new Error(`skopeo copy ${source} to ${host}/${repoAndTag} failed: ${copied.stderr}`);
    },
    async api(method, path, body, headers) {
      const response = await fetch(`http://${host}${path}`, { method, headers: { ...(htpasswd ? { authorization } : {}), ...headers }, ...(body ? { body: new Uint8Array(body) } : {}) });
      return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
    },
    async tags(repo) {
      const response = await get(`/v2/${repo}/tags/list`);
      if (response.status === 404) return [];
      const body = (await response.json()) as { tags?: string[] | null };
      return (body.tags ?? []).sort();
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
      if (issuer && issuer.child.exitCode === null) {
        issuer.child.kill('SIGTERM');
        await new Promise((resolve) => issuer.child.once('exit', resolve));
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The token server, in a process of its own (the tests drive the docker CLI synchronously, which would starve a
 * server in theirs), with a key and certificate openssl makes; the registry trusts the certificate.
 */
async function startTokenIssuer(dir: string): Promise<{ realm: string; child: ChildProcess }> {
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '2', '-subj', '/CN=berth-test-issuer'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl: ${made.stderr}`);
  const port = await freePort();
  const child = spawn(process.execPath, [join(HERE, 'registry-token-issuer.mjs'), String(port), join(dir, 'key.pem'), JSON.stringify(TOKEN_USERS)], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout!.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`the token issuer exited with ${code}`)));
  });
  return { realm: `http://127.0.0.1:${port}/token`, child };
}

/** An OCI image layout holding one image: busybox-static with a few applets linked, then a layer with /marker. */
function ociLayout(dir: string, marker: string): string {
  const blobs = join(dir, 'blobs', 'sha256');
  mkdirSync(blobs, { recursive: true });
  const put = (content: Buffer): { digest: string; size: number } => {
    const hex = createHash('sha256').update(content).digest('hex');
    writeFileSync(join(blobs, hex), content);
    return { digest: `sha256:${hex}`, size: content.length };
  };
  const applets = ['sh', 'cat', 'echo', 'sleep', 'true', 'ls'];
  const base: TarEntry[] = [
    { path: 'bin', type: 'directory', mode: 0o755 },
    { path: 'bin/busybox', type: 'file', mode: 0o755, content: readFileSync('/bin/busybox') },
    ...applets.map((name): TarEntry => ({ path: `bin/${name}`, type: 'symlink', mode: 0o777, target: 'busybox' })),
    { path: 'tmp', type: 'directory', mode: 0o1777 },
  ];
  const layers = [tarArchive(base), tarArchive([{ path: 'marker', type: 'file', mode: 0o644, content: Buffer.from(`${marker}\n`) }])];
  const diffIds = layers.map((layer) => `sha256:${createHash('sha256').update(layer).digest('hex')}`);
  const layerBlobs = layers.map((layer) => put(gzipSync(layer)));
  const config = put(
    Buffer.from(
      JSON.stringify({
        architecture: 'amd64',
        os: 'linux',
        created: '2026-01-01T00:00:00Z',
        config: { Cmd: ['sh'], Env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin'] },
        rootfs: { type: 'layers', diff_ids: diffIds },
      }),
    ),
  );
  const manifest = put(
    Buffer.from(
      JSON.stringify({
        schemaVersion: 2,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        config: { mediaType: 'application/vnd.oci.image.config.v1+json', ...config },
        layers: layerBlobs.map((blob) => ({ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', ...blob })),
      }),
    ),
  );
  writeFileSync(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [{ mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, annotations: { 'org.opencontainers.image.ref.name': 'image' } }],
    }),
  );
  return dir;
}

/** A docker config directory (for DOCKER_CONFIG) holding `config` as its config.json. */
export function dockerConfigDir(parent: string, config: unknown): string {
  const dir = join(parent, `docker-config-${randomBytes(4).toString('hex')}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'config.json'), JSON.stringify(config));
  return dir;
}

/** The `auth` field of an auths entry. */
export function basicAuth(user: string, password: string): string {
  return Buffer.from(`${user}:${password}`).toString('base64');
}
