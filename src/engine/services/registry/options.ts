// Which registries the engine reaches how: `insecure-registries` (plain HTTP allowed, certificates not checked;
// loopback always, as dockerd does) and `registry-mirrors` (tried first for Docker Hub images), in daemon.json's
// shape. Pure: the options are read once at start and passed in.
import { isIP } from 'node:net';
import { invalid } from '../../errors.js';
import { DOCKER_HUB } from './reference.js';

export interface RegistryOptions {
  /** `host:port`, `host`, or CIDRs (`10.0.0.0/8`): registries that may be spoken to over plain HTTP. */
  readonly insecureRegistries: readonly string[];
  /** Mirrors of Docker Hub (`https://mirror.example`), tried in order before the Hub itself. */
  readonly mirrors: readonly string[];
  /** Layers fetched side by side in one pull (dockerd's `max-concurrent-downloads`). */
  readonly maxConcurrentDownloads: number;
  /** Layers sent side by side in one push (dockerd's `max-concurrent-uploads`). */
  readonly maxConcurrentUploads: number;
}

export const DEFAULT_REGISTRY_OPTIONS: RegistryOptions = { insecureRegistries: [], mirrors: [], maxConcurrentDownloads: 3, maxConcurrentUploads: 5 };

/** Where a registry is reached: base URLs in the order to try them, and whether TLS may be skipped or unchecked. */
export interface Endpoint {
  readonly url: URL;
  /** A certificate that does not verify is accepted (insecure registries), and plain HTTP may follow. */
  readonly insecure: boolean;
  readonly mirror: boolean;
}

/** The URL Docker Hub's registry API is served on. */
export const DOCKER_HUB_REGISTRY = 'https://registry-1.docker.io';

export function endpointsFor(domain: string, options: RegistryOptions, forPush = false): Endpoint[] {
  if (domain === DOCKER_HUB) {
    const mirrors = forPush ? [] : options.mirrors.map((mirror) => ({ url: new URL(mirror), insecure: isInsecure(new URL(mirror).host, options), mirror: true }));
    return [...mirrors, { url: new URL(DOCKER_HUB_REGISTRY), insecure: false, mirror: false }];
  }
  const insecure = isInsecure(domain, options);
  const secure = { url: new URL(`https://${domain}`), insecure, mirror: false };
  return insecure ? [secure, { url: new URL(`http://${domain}`), insecure, mirror: false }] : [secure];
}

/** Loopback hosts always; listed hosts (with or without port); addresses inside a listed CIDR. */
export function isInsecure(host: string, options: Pick<RegistryOptions, 'insecureRegistries'>): boolean {
  const hostname = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  if (hostname === 'localhost' || hostname === '::1' || /^127\./.test(hostname)) return true;
  for (const entry of options.insecureRegistries) {
    if (entry === host || entry === hostname) return true;
    if (entry.includes('/') && isIP(hostname) === 4 && inCidr(hostname, entry)) return true;
  }
  return false;
}

function inCidr(address: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const prefix = Number(bits);
  if (isIP(base ?? '') !== 4 || !Number.isInteger(prefix) || prefix < 0 || prefix > 32) return false;
  const value = (ip: string): number => ip.split('.').reduce((sum, part) => sum * 256 + Number(part), 0);
  const mask = prefix === 0 ? 0 : 2 ** 32 - 2 ** (32 - prefix);
  return (value(address) & mask) >>> 0 === (value(base!) & mask) >>> 0;
}

/**
 * The registry part of an engine config file (daemon.json's keys); what is malformed is an error naming the key,
 * so that the engine refuses to start rather than ignore a setting.
 */
export function registryOptionsFrom(config: Record<string, unknown>, file: string): RegistryOptions {
  const strings = (key: string): string[] => {
    const value = config[key];
    if (value === undefined) return [];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) throw invalid(`${file}: ${key} must be a list of strings`);
    return value as string[];
  };
  const count = (key: string, fallback: number): number => {
    const value = config[key];
    if (value === undefined) return fallback;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 64) throw invalid(`${file}: ${key} must be an integer from 1 to 64`);
    return value;
  };
  const mirrors = strings('registry-mirrors').map((mirror) => {
    let url: URL;
    try {
      url = new URL(mirror);
    } catch {
      throw invalid(`${file}: registry-mirrors: invalid URL ${mirror}`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') throw invalid(`${file}: registry-mirrors: ${mirror} must be an http or https URL`);
    return url.toString().replace(/\/$/, '');
  });
  return {
    insecureRegistries: strings('insecure-registries'),
    mirrors,
    maxConcurrentDownloads: count('max-concurrent-downloads', DEFAULT_REGISTRY_OPTIONS.maxConcurrentDownloads),
    maxConcurrentUploads: count('max-concurrent-uploads', DEFAULT_REGISTRY_OPTIONS.maxConcurrentUploads),
  };
}

/** `/info`'s RegistryConfig, as dockerd shows it: loopback and the CIDRs insecure, named hosts as index configs. */
export function describeRegistryConfig(options: RegistryOptions): Record<string, unknown> {
  const cidrs = ['127.0.0.0/8', ...options.insecureRegistries.filter((entry) => entry.includes('/'))];
  const indexConfigs: Record<string, unknown> = { [DOCKER_HUB]: { Name: DOCKER_HUB, Mirrors: [...options.mirrors.map((mirror) => `${mirror}/`)], Secure: true, Official: true } };
  for (const host of options.insecureRegistries.filter((entry) => !entry.includes('/'))) indexConfigs[host] = { Name: host, Mirrors: [], Secure: false, Official: false };
  return { AllowNondistributableArtifactsCIDRs: null, AllowNondistributableArtifactsHostnames: null, InsecureRegistryCIDRs: cidrs, IndexConfigs: indexConfigs, Mirrors: options.mirrors.map((mirror) => `${mirror}/`) };
}
