// Which engine to talk to, as the docker CLI decides it: -H/--host, then DOCKER_HOST, then the context named by
// DOCKER_CONTEXT or by `currentContext` in ~/.docker/config.json, then the default socket.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BerthError } from '../model/errors.js';

export interface Endpoint {
  /** Where it came from, for messages: "-H", "DOCKER_HOST", "context foo", "default". */
  readonly source: string;
  /** `unix:///run/docker.sock`, `tcp://host:2376`, as written. */
  readonly url: string;
  readonly socketPath?: string;
  readonly host?: string;
  readonly port?: number;
  readonly protocol?: 'http' | 'https';
  /** TLS material directory (DOCKER_CERT_PATH or the context's tls store), when TLS is on. */
  readonly tlsDir?: string;
}

export interface EndpointInputs {
  readonly host?: string;
  readonly context?: string;
  readonly environment: Readonly<Record<string, string | undefined>>;
  readonly homeDir: string;
  readonly readFile?: (path: string) => string;
}

export const DEFAULT_SOCKET = 'unix:///var/run/docker.sock';

export function discoverEndpoint(inputs: EndpointInputs): Endpoint {
  const env = inputs.environment;
  const read = inputs.readFile ?? ((path: string) => readFileSync(path, 'utf8'));
  const tls = env.DOCKER_TLS_VERIFY !== undefined && env.DOCKER_TLS_VERIFY !== '' && env.DOCKER_TLS_VERIFY !== '0';
  const certDir = env.DOCKER_CERT_PATH || join(inputs.homeDir, '.docker');
  if (inputs.host) return parseEndpoint(inputs.host, '-H', tls ? certDir : undefined);
  if (env.DOCKER_HOST) return parseEndpoint(env.DOCKER_HOST, 'DOCKER_HOST', tls ? certDir : undefined);
  const configDir = env.DOCKER_CONFIG || join(inputs.homeDir, '.docker');
  const context = inputs.context || env.DOCKER_CONTEXT || currentContext(configDir, read);
  if (context && context !== 'default') return contextEndpoint(context, configDir, read);
  return parseEndpoint(DEFAULT_SOCKET, 'default');
}

function currentContext(configDir: string, read: (path: string) => string): string | undefined {
  try {
    const config = JSON.parse(read(join(configDir, 'config.json'))) as { currentContext?: unknown };
    return typeof config.currentContext === 'string' ? config.currentContext : undefined;
  } catch {
    return undefined;
  }
}

/** Contexts live under contexts/meta/<sha256 of the name>/meta.json, as the docker CLI stores them. */
function contextEndpoint(name: string, configDir: string, read: (path: string) => string): Endpoint {
  const id = createHash('sha256').update(name).digest('hex');
  let meta: { Endpoints?: { docker?: { Host?: string; SkipTLSVerify?: boolean } } };
  try {
    meta = JSON.parse(read(join(configDir, 'contexts', 'meta', id, 'meta.json')));
  } catch {
    throw new BerthError(`context "${name}" does not exist (no ${join(configDir, 'contexts', 'meta', id, 'meta.json')})`, { kind: 'not-found' });
  }
  const host = meta.Endpoints?.docker?.Host;
  if (!host) throw new BerthError(`context "${name}" has no docker endpoint`, { kind: 'invalid' });
  const tlsDir = join(configDir, 'contexts', 'tls', id, 'docker');
  return parseEndpoint(host, `context ${name}`, host.startsWith('tcp://') ? tlsDir : undefined);
}

export function parseEndpoint(url: string, source: string, tlsDir?: string): Endpoint {
  if (url.startsWith('unix://')) return { source, url, socketPath: url.slice('unix://'.length) };
  if (url.startsWith('/')) return { source, url: `unix://${url}`, socketPath: url };
  const match = /^(tcp|http|https):\/\/(\[[^\]]+\]|[^:/]+)(?::(\d+))?\/?$/.exec(url);
  if (match) {
    const secure = match[1] === 'https' || (match[1] === 'tcp' && tlsDir !== undefined);
    const port = match[3] ? Number(match[3]) : secure ? 2376 : 2375;
    return { source, url, host: match[2]!.replace(/^\[|\]$/g, ''), port, protocol: secure ? 'https' : 'http', ...(secure && tlsDir ? { tlsDir } : {}) };
  }
  if (url.startsWith('ssh://')) throw new BerthError(`${source}: ssh:// engines are not supported by berth yet (${url})`);
  if (url.startsWith('npipe://')) throw new BerthError(`${source}: named pipes are Windows-only (${url})`);
  throw new BerthError(`${source}: cannot parse engine address ${JSON.stringify(url)}`);
}
