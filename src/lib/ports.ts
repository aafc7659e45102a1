// Where a container port is reachable from the caller: the engine's binding, with a wildcard address read as the
// engine's own host (loopback for a local socket, the host of a tcp:// endpoint).
import type { ContainerSummary } from '../engine-client/index.js';
import type { Endpoint } from '../engine-client/endpoint.js';

export interface Address {
  readonly host: string;
  readonly port: number;
}

export type Protocol = 'tcp' | 'udp' | 'sctp';

export function publishedAddress(endpoint: Pick<Endpoint, 'host' | 'socketPath'>, container: Pick<ContainerSummary, 'ports'>, port: number, protocol: Protocol): Address | undefined {
  const bindings = container.ports.filter((entry) => entry.privatePort === port && entry.type === protocol && entry.publicPort !== undefined);
  // dockerd lists a port bound on every address twice (0.0.0.0 and ::): IPv4 first, as clients connect more simply.
  const binding = bindings.find((entry) => !(entry.ip ?? '').includes(':')) ?? bindings[0];
  if (!binding) return undefined;
  const ip = binding.ip ?? '';
  const wildcard = ip === '' || ip === '0.0.0.0' || ip === '::';
  const remote = endpoint.socketPath === undefined && endpoint.host !== undefined;
  const host = wildcard ? (remote ? endpoint.host! : ip === '::' ? '::1' : '127.0.0.1') : ip;
  return { host, port: binding.publicPort! };
}

/** `http://127.0.0.1:8080/path`, brackets around an IPv6 host. */
export function urlOf(address: Address, path: string, scheme = 'http'): string {
  const host = address.host.includes(':') ? `[${address.host}]` : address.host;
  return `${scheme}://${host}:${address.port}${path.startsWith('/') ? path : `/${path}`}`;
}
