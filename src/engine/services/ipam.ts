// IPv4 address management as Docker's default IPAM does it: subnets from the default pools (172.17-31.0.0/16,
// then the /20s of 192.168.0.0/16), skipping any that overlap a route of the host or another network; the
// gateway is the subnet's first address, containers get the next free ones (inside the ip range when one is given).
import { invalid } from '../errors.js';

export interface Cidr {
  readonly base: number;
  readonly prefix: number;
}

export function parseIp(text: string): number {
  const parts = text.split('.');
  if (parts.length !== 4 || !parts.every((part) => /^\d{1,3}$/.test(part) && Number(part) <= 255)) throw invalid(`invalid IPv4 address: ${text}`);
  return parts.reduce((value, part) => value * 256 + Number(part), 0);
}

export function formatIp(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

export function parseCidr(text: string): Cidr {
  const [ip = '', prefixText] = text.split('/');
  const prefix = Number(prefixText);
  if (prefixText === undefined || !/^\d+$/.test(prefixText) || prefix > 32) throw invalid(`invalid CIDR address: ${text}`);
  if (text.includes(':')) throw invalid(`IPv6 networks are not supported by berth's engine yet (${text})`);
  const size = 2 ** (32 - prefix);
  return { base: Math.floor(parseIp(ip) / size) * size, prefix };
}

export function formatCidr(cidr: Cidr): string {
  return `${formatIp(cidr.base)}/${cidr.prefix}`;
}

export function size(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefix);
}

export function contains(cidr: Cidr, ip: number): boolean {
  return ip >= cidr.base && ip < cidr.base + size(cidr);
}

export function overlaps(a: Cidr, b: Cidr): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** Docker's default address pools, in the order it takes them. */
export function* defaultPools(): Generator<Cidr> {
  for (let second = 17; second <= 31; second++) yield { base: parseIp(`172.${second}.0.0`), prefix: 16 };
  for (let third = 0; third < 256; third += 16) yield { base: parseIp(`192.168.${third}.0`), prefix: 20 };
}

/** The first default pool that overlaps none of `taken` (the host's routes and the engine's own networks). */
export function freePool(taken: readonly Cidr[]): Cidr {
  for (const pool of defaultPools()) if (!taken.some((used) => overlaps(pool, used))) return pool;
  throw invalid('could not find an available, non-overlapping IPv4 address pool among the defaults to assign to the network');
}

/**
 * The next free address for a container: inside `range` (default: the subnet), never the network or broadcast
 * address, nor the gateway or an address in use.
 */
export function nextAddress(subnet: Cidr, range: Cidr | undefined, used: ReadonlySet<number>): number {
  const within = range ?? subnet;
  const first = Math.max(within.base, subnet.base + 1);
  const last = Math.min(within.base + size(within), subnet.base + size(subnet) - 1);
  for (let ip = first; ip < last; ip++) if (!used.has(ip)) return ip;
  throw invalid(`no available IPv4 addresses on the network ${formatCidr(subnet)}`);
}

/** Docker's MAC address for a container IP: 02:42 and the address's four bytes. */
export function macFor(ip: number): string {
  return ['02', '42', ...formatIp(ip).split('.').map((part) => Number(part).toString(16).padStart(2, '0'))].join(':');
}

/** The IPv4 routes of the host (from /proc/net/route), as subnets that a new network must not overlap. */
export function parseRoutes(table: string): Cidr[] {
  const routes: Cidr[] = [];
  for (const line of table.split('\n').slice(1)) {
    const fields = line.trim().split(/\s+/);
    if (fields.length < 8) continue;
    const destination = littleEndian(fields[1]!);
    const mask = littleEndian(fields[7]!);
    if (mask === 0) continue; // the default route overlaps everything; Docker ignores it too
    const prefix = mask.toString(2).replace(/0+$/, '').length;
    routes.push({ base: destination, prefix });
  }
  return routes;
}

function littleEndian(hex: string): number {
  const value = Number.parseInt(hex, 16);
  return ((value & 0xff) * 2 ** 24 + ((value >>> 8) & 0xff) * 2 ** 16 + ((value >>> 16) & 0xff) * 2 ** 8 + ((value >>> 24) & 0xff)) >>> 0;
}
