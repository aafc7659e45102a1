// The short port syntax `[host_ip:][published:]target[/protocol]`, ranges included, read as docker's own
// nat.ParsePortSpec does, into the long form: one entry per container port, sorted as compose sorts them.
import { isIP } from 'node:net';
import { BerthError } from '../errors.js';
import type { TreePath } from '../tree.js';

export interface LongPort {
  mode: 'ingress';
  host_ip?: string;
  target: number;
  published?: string;
  protocol: string;
}

const PROTOCOLS = new Set(['tcp', 'udp', 'sctp']);

export function parsePortSpec(spec: string, path: TreePath): LongPort[] {
  const fail = (why: string): never => {
    throw new BerthError(`invalid port ${JSON.stringify(spec)}: ${why}`, { path });
  };
  const [rawIp, hostPort, containerSpec] = splitParts(spec);
  const [containerPort = '', protocol = 'tcp'] = containerSpec.split('/');
  if (!PROTOCOLS.has(protocol.toLowerCase())) fail(`invalid protocol ${protocol}`);
  let ip = rawIp;
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  if (ip !== '' && isIP(ip) === 0) fail(`invalid IP address ${rawIp}`);
  if (containerPort === '') fail('no port specified');
  const [start, end] = parseRange(containerPort) ?? fail(`invalid containerPort ${containerPort}`);
  let hostStart = 0;
  let hostEnd = 0;
  if (hostPort !== '') [hostStart, hostEnd] = parseRange(hostPort) ?? fail(`invalid hostPort ${hostPort}`);
  if (hostPort !== '' && end - start !== hostEnd - hostStart && end !== start) {
    fail(`invalid ranges specified for container and host ports: ${containerPort} and ${hostPort}`);
  }
  const ports: LongPort[] = [];
  for (let i = 0; i <= end - start; i++) {
    let published = hostPort === '' ? '' : String(hostStart + i);
    // One container port with a host range: the engine picks a free port in the range.
    if (start === end && hostStart !== hostEnd) published = `${published}-${hostEnd}`;
    ports.push({
      mode: 'ingress',
      ...(ip !== '' ? { host_ip: ip } : {}),
      target: start + i,
      ...(published !== '' ? { published } : {}),
      protocol: protocol.toLowerCase(),
    });
  }
  // compose sorts the `port/proto` keys as strings.
  return ports.sort((a, b) => compareStrings(`${a.target}/${a.protocol}`, `${b.target}/${b.protocol}`));
}

function splitParts(spec: string): [string, string, string] {
  const parts = spec.split(':');
  const last = parts[parts.length - 1]!;
  if (parts.length === 1) return ['', '', last];
  if (parts.length === 2) return ['', parts[0]!, last];
  return [parts.slice(0, -2).join(':'), parts[parts.length - 2]!, last];
}

function parseRange(text: string): [number, number] | undefined {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text);
  if (match === null) return undefined;
  const start = Number(match[1]);
  const end = match[2] === undefined ? start : Number(match[2]);
  if (start > 65535 || end > 65535 || end < start) return undefined;
  return [start, end];
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
