// Registry credentials as the docker CLI finds them: ~/.docker/config.json (or $DOCKER_CONFIG/config.json), its
// `auths` entries, and the credential helpers it names (`credsStore` for every registry, `credHelpers` per
// registry) spoken to through the docker-credential-<name> protocol. What is found is sent to the engine as the
// X-Registry-Auth header of a pull or push (and all of it as X-Registry-Config on a build). Everything here is pure
// but `createCredentials`, which reads the file and runs the helpers it is given.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { BerthError } from '../model/errors.js';

/** What the engine is sent for one registry: the docker CLI's AuthConfig, with its JSON names. */
export interface AuthConfig {
  readonly username?: string;
  readonly password?: string;
  readonly auth?: string;
  readonly email?: string;
  readonly serveraddress?: string;
  readonly identitytoken?: string;
  readonly registrytoken?: string;
}

/** The parts of config.json that say where credentials are. */
export interface DockerConfig {
  /** Keyed as written (`https://index.docker.io/v1/`, `registry.example:5000`), `auth` already decoded. */
  readonly auths: Readonly<Record<string, AuthConfig>>;
  readonly credsStore?: string;
  readonly credHelpers: Readonly<Record<string, string>>;
}

/** Docker Hub's key in config.json, whatever name the image uses for it. */
export const DOCKER_HUB_KEY = 'https://index.docker.io/v1/';

const DOCKER_HUB_NAMES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);

/**
 * The registry a reference names, as docker reads it: the part before the first `/` when it looks like a host
 * (has a `.` or `:`, is `localhost`, or has capitals), else Docker Hub.
 */
export function registryOf(reference: string): string {
  const slash = reference.indexOf('/');
  if (slash < 0) return 'docker.io';
  const first = reference.slice(0, slash);
  const isHost = /[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first;
  if (!isHost || first === 'index.docker.io') return 'docker.io';
  return first;
}

/** The key config.json files a registry's credentials under: Docker Hub's is the old index URL. */
export function authKey(registry: string): string {
  return DOCKER_HUB_NAMES.has(registry) ? DOCKER_HUB_KEY : registry;
}

/** `https://registry.example:5000/v1/` -> `registry.example:5000`: how old config files wrote keys. */
export function hostnameOf(key: string): string {
  const stripped = key.replace(/^https?:\/\//, '');
  const slash = stripped.indexOf('/');
  return slash < 0 ? stripped : stripped.slice(0, slash);
}

/** config.json's text, checked: a malformed file is an error that names it (docker only warns, then goes without). */
export function parseDockerConfig(text: string, file: string): DockerConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new BerthError(`${file}: not valid JSON: ${(error as Error).message}`, { kind: 'invalid' });
  }
  if (!isObject(raw)) throw new BerthError(`${file}: expected a JSON object`, { kind: 'invalid' });
  const auths: Record<string, AuthConfig> = {};
  if (raw.auths !== undefined) {
    if (!isObject(raw.auths)) throw new BerthError(`${file}: "auths" must be an object`, { kind: 'invalid' });
    for (const [key, entry] of Object.entries(raw.auths)) auths[key] = authsEntry(entry, key, file);
  }
  const credHelpers: Record<string, string> = {};
  if (raw.credHelpers !== undefined) {
    if (!isObject(raw.credHelpers)) throw new BerthError(`${file}: "credHelpers" must be an object`, { kind: 'invalid' });
    for (const [registry, helper] of Object.entries(raw.credHelpers)) {
      if (typeof helper !== 'string') throw new BerthError(`${file}: credHelpers.${registry} must be a string`, { kind: 'invalid' });
      credHelpers[registry] = helper;
    }
  }
  if (raw.credsStore !== undefined && typeof raw.credsStore !== 'string') throw new BerthError(`${file}: "credsStore" must be a string`, { kind: 'invalid' });
  return { auths, credHelpers, ...(raw.credsStore ? { credsStore: raw.credsStore } : {}) };
}

const FIELDS = ['username', 'password', 'auth', 'email', 'serveraddress', 'identitytoken', 'registrytoken'] as const;

/** One `auths` entry: `auth` (base64 of user:password) decoded into username and password, the key as its address. */
function authsEntry(entry: unknown, key: string, file: string): AuthConfig {
  if (!isObject(entry)) throw new BerthError(`${file}: auths.${key} must be an object`, { kind: 'invalid' });
  const fields: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = entry[field];
    if (value === undefined || value === null || value === '') continue;
    if (typeof value !== 'string') throw new BerthError(`${file}: auths.${key}.${field} must be a string`, { kind: 'invalid' });
    fields[field] = value;
  }
  if (fields.auth !== undefined) {
    const decoded = Buffer.from(fields.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon < 0) throw new BerthError(`${file}: auths.${key}.auth is not base64 of "user:password"`, { kind: 'invalid' });
    fields.username = decoded.slice(0, colon);
    fields.password = decoded.slice(colon + 1);
    delete fields.auth;
  }
  return { ...fields, serveraddress: key };
}

/** The helper that holds a key's credentials, if any: its own in credHelpers, else the general credsStore. */
export function helperFor(config: DockerConfig, key: string): string | undefined {
  return config.credHelpers[key] ?? config.credsStore;
}

/** The `auths` entry for a key: exact, or (for files written by old clients) by the key's host name. */
export function storedAuth(config: DockerConfig, key: string): AuthConfig {
  const exact = config.auths[key];
  if (exact) return exact;
  for (const [written, entry] of Object.entries(config.auths)) if (hostnameOf(written) === key) return entry;
  return {};
}

/** What a helper's `get` printed, merged over the stored entry; the user name `<token>` marks an identity token. */
export function fromHelper(output: string, key: string, stored: AuthConfig, helper: string): AuthConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(output);
  } catch {
    throw new BerthError(`docker-credential-${helper} get ${key}: its output is not JSON: ${output.trim().slice(0, 200)}`, { kind: 'engine' });
  }
  if (!isObject(parsed) || typeof parsed.Secret !== 'string') {
    throw new BerthError(`docker-credential-${helper} get ${key}: its output has no "Secret"`, { kind: 'engine' });
  }
  const { username: _u, password: _p, identitytoken: _t, ...rest } = stored;
  const username = typeof parsed.Username === 'string' ? parsed.Username : '';
  const secret = username === '<token>' ? { identitytoken: parsed.Secret } : { username, password: parsed.Secret };
  return { ...rest, ...secret, serveraddress: key };
}

/** What a helper prints when it has nothing for the registry: not an error, just no credentials. */
export function isNotFound(output: string): boolean {
  return output.trim() === 'credentials not found in native keychain';
}

/** The X-Registry-Auth header: the AuthConfig as JSON, in base64url with padding as Go writes it. */
export function encodeAuth(auth: AuthConfig): string {
  const ordered: Record<string, string> = {};
  for (const field of FIELDS) if (auth[field] !== undefined && auth[field] !== '') ordered[field] = auth[field]!;
  return base64Url(JSON.stringify(ordered));
}

/** The X-Registry-Config header of a build: every registry's AuthConfig, keyed as config.json keys them. */
export function encodeAuthMap(auths: Readonly<Record<string, AuthConfig>>): string {
  const ordered: Record<string, Record<string, string>> = {};
  for (const key of Object.keys(auths).sort()) ordered[key] = JSON.parse(Buffer.from(encodeAuth(auths[key]!), 'base64').toString('utf8'));
  return base64Url(JSON.stringify(ordered));
}

function base64Url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64').replaceAll('+', '-').replaceAll('/', '_');
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** How a helper is run: its name (without the docker-credential- prefix), the action, what goes on stdin. */
export type HelperRunner = (helper: string, action: 'get' | 'list', input: string) => Promise<{ code: number; stdout: string; stderr: string }>;

export interface Credentials {
  /** The AuthConfig for the registry a reference names (empty when there is none: an anonymous pull). */
  authFor(reference: string): Promise<AuthConfig>;
  /** Every registry config.json knows of, for a build whose FROM lines may name any of them (one whose helper fails is left out, as docker does). */
  all(): Promise<Record<string, AuthConfig>>;
}

export interface CredentialSources {
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  readonly read?: (path: string) => Promise<string>;
  readonly runHelper?: HelperRunner;
}

/** Credentials from the files and helpers of this user; config.json is read once, on first use. */
export function createCredentials(sources: CredentialSources): Credentials {
  const dir = sources.environment.DOCKER_CONFIG || join(sources.homeDir, '.docker');
  const file = join(dir, 'config.json');
  // node's fs/promises (with readline and the fs watchers) loads only when credentials are asked for (a pull, a push, a build).
  const read = sources.read ?? (async (path: string) => (await import('node:fs/promises')).readFile(path, 'utf8'));
  const run = sources.runHelper ?? spawnHelper(sources.environment);
  let config: Promise<DockerConfig> | undefined;
  const load = (): Promise<DockerConfig> =>
    (config ??= read(file).then(
      (text) => parseDockerConfig(text, file),
      (error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return { auths: {}, credHelpers: {} };
        throw new BerthError(`cannot read ${file}: ${error.message}`, { kind: 'invalid', cause: error });
      },
    ));
  const forKey = async (key: string): Promise<AuthConfig> => {
    const loaded = await load();
    const stored = storedAuth(loaded, key);
    const helper = helperFor(loaded, key);
    if (!helper) return stored;
    const result = await run(helper, 'get', key);
    if (result.code === 0) return fromHelper(result.stdout, key, stored, helper);
    if (isNotFound(result.stdout)) return {};
    const said = (result.stdout.trim() || result.stderr.trim()).slice(0, 500);
    throw new BerthError(`error getting credentials for ${key} from docker-credential-${helper}: ${said || `exit status ${result.code}`}`, { kind: 'engine' });
  };
  return {
    authFor: (reference) => forKey(authKey(registryOf(reference))),
    async all() {
      const loaded = await load();
      const keys = new Set(Object.keys(loaded.auths));
      if (loaded.credsStore) {
        const listed = await run(loaded.credsStore, 'list', '');
        if (listed.code === 0) {
          try {
            const parsed: unknown = JSON.parse(listed.stdout);
            if (isObject(parsed)) for (const key of Object.keys(parsed)) keys.add(key);
          } catch {
            // A helper whose list is unreadable still serves each key it is asked for.
          }
        }
      }
      for (const key of Object.keys(loaded.credHelpers)) keys.add(key);
      const all: Record<string, AuthConfig> = {};
      for (const key of [...keys].sort()) {
        try {
          all[key] = await forKey(key);
        } catch {
          // Left out: the build may not need that registry at all.
        }
      }
      return all;
    },
  };
}

/** Runs docker-credential-<helper> from the caller's PATH, as the docker CLI does. */
function spawnHelper(environment: Readonly<Record<string, string | undefined>>): HelperRunner {
  return (helper, action, input) =>
    new Promise((resolve, reject) => {
      const program = `docker-credential-${helper}`;
      const child = spawn(program, [action], { env: environment as NodeJS.ProcessEnv, stdio: ['pipe', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', (error: NodeJS.ErrnoException) => {
        const why = error.code === 'ENOENT' ? `${program} is not on the PATH (config.json names it)` : error.message;
        reject(new BerthError(`error getting credentials: ${why}`, { kind: 'engine', cause: error }));
      });
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
      child.stdin.on('error', () => {}); // a helper that exits without reading its input
      child.stdin.end(input);
    });
}
