// Registry credentials as clients send them (`X-Registry-Auth`: base64url JSON of one auth config;
// `X-Registry-Config`: base64url JSON of a map from registry to auth config) and the `WWW-Authenticate` challenges
// registries answer with. Pure parsing: every field is checked, anything malformed is a 400.
import { invalid } from '../../errors.js';

export interface RegistryCredentials {
  readonly username?: string;
  readonly password?: string;
  /** A refresh token a previous login returned (`IdentityToken`), traded for access tokens. */
  readonly identityToken?: string;
  /** A bearer token to send as it is. */
  readonly registryToken?: string;
  readonly serverAddress?: string;
}

export interface Challenge {
  readonly scheme: 'bearer' | 'basic' | string;
  readonly params: Readonly<Record<string, string>>;
}

const MAX_HEADER = 64 * 1024;
const MAX_FIELD = 16 * 1024;

/** Base64 or base64url, padded or not, as the docker CLI and dockerode send it. */
export function decodeBase64Json(header: string, name: string): unknown {
  if (header.length > MAX_HEADER) throw invalid(`${name} header is too large`);
  const text = Buffer.from(header.replace(/-/g, '+').replace(/_/g, '/'), 'base64').toString('utf8');
  try {
    return JSON.parse(text);
  } catch {
    throw invalid(`invalid ${name} header: not base64-encoded JSON`);
  }
}

function field(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(`invalid registry auth: ${name} must be a string`);
  if (value.length > MAX_FIELD) throw invalid(`invalid registry auth: ${name} is too long`);
  return value;
}

/** One auth config object (`username`, `password`, `auth`, `identitytoken`, `registrytoken`, `serveraddress`). */
export function parseAuthConfig(value: unknown): RegistryCredentials | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalid('invalid registry auth: not a JSON object');
  const raw = value as Record<string, unknown>;
  const get = (name: string): string | undefined => field(raw[name] ?? raw[name.charAt(0).toUpperCase() + name.slice(1)], name);
  let username = get('username');
  let password = get('password');
  // `auth` is base64 of `user:password`, as in ~/.docker/config.json.
  const auth = get('auth');
  if (auth && !username) {
    const decoded = Buffer.from(auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon > 0) {
      username = decoded.slice(0, colon);
      password = decoded.slice(colon + 1);
    }
  }
  const identityToken = get('identitytoken');
  const registryToken = get('registrytoken');
  const serverAddress = get('serveraddress');
  const credentials: RegistryCredentials = {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
    ...(identityToken ? { identityToken } : {}),
    ...(registryToken ? { registryToken } : {}),
    ...(serverAddress ? { serverAddress } : {}),
  };
  return Object.keys(credentials).length > 0 ? credentials : undefined;
}

/** `X-Registry-Auth`: one auth config; an empty header or `{}` means anonymous. */
export function parseRegistryAuthHeader(header: string | string[] | undefined): RegistryCredentials | undefined {
  if (Array.isArray(header)) header = header[0];
  if (!header || header.trim() === '') return undefined;
  return parseAuthConfig(decodeBase64Json(header.trim(), 'X-Registry-Auth'));
}

/** `X-Registry-Config` on /build: registry address -> auth config. */
export function parseRegistryConfigHeader(header: string | string[] | undefined): Map<string, RegistryCredentials> {
  if (Array.isArray(header)) header = header[0];
  const out = new Map<string, RegistryCredentials>();
  if (!header || header.trim() === '') return out;
  const value = decodeBase64Json(header.trim(), 'X-Registry-Config');
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalid('invalid X-Registry-Config header: not a JSON object');
  for (const [address, config] of Object.entries(value as Record<string, unknown>)) {
    const credentials = parseAuthConfig(config);
    if (credentials) out.set(registryKey(address), credentials);
  }
  return out;
}

/** How an auth config's address names a registry: `https://index.docker.io/v1/` -> `docker.io`, `host:5000` as is. */
export function registryKey(address: string): string {
  const host = address.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
  if (host === 'index.docker.io' || host === 'registry-1.docker.io' || host === 'docker.io') return 'docker.io';
  return host;
}

/**
 * `Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull"` -> the challenges in the
 * header, each with its parameters (quoted strings with backslash escapes, or tokens).
 */
export function parseChallenges(header: string | string[] | undefined): Challenge[] {
  const values = Array.isArray(header) ? header : header ? [header] : [];
  const challenges: Challenge[] = [];
  for (const value of values) {
    if (value.length > 8192) continue;
    let rest = value.trim();
    while (rest.length > 0) {
      const scheme = /^([A-Za-z][\w-]*)\s*/.exec(rest);
      if (!scheme) break;
      rest = rest.slice(scheme[0].length);
      const params: Record<string, string> = {};
      for (;;) {
        const param = /^([\w-]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,"]*))\s*(,\s*)?/.exec(rest);
        if (!param) break;
        params[param[1]!.toLowerCase()] = param[2] !== undefined ? param[2].replace(/\\(.)/g, '$1') : param[3]!;
        rest = rest.slice(param[0].length);
        if (!param[4]) break;
      }
      challenges.push({ scheme: scheme[1]!.toLowerCase(), params });
      rest = rest.replace(/^,\s*/, '');
    }
  }
  return challenges;
}
