// dns, dns_search, dns_opt, extra_hosts: name resolution inside the container.
import { isIP } from 'node:net';
import { BerthError } from '../../model/errors.js';
import { isDict } from '../../model/tree.js';
import type { TreePath } from '../../model/tree.js';
import type { ServiceConfig } from '../../model/types.js';
import type { Fragment } from './fragment.js';
import { compact, isPresent, servicePath, toStringOrList, toText } from './scalars.js';

/**
 * extra_hosts as the engine wants them: `host:ip`, one line per address, hosts sorted. Reads the list form
 * (`host=ip`, `host:ip`, several addresses separated by commas) and the mapping form (`host: ip` or a list of ips).
 */
export function extraHostLines(raw: unknown, path: TreePath): string[] {
  const hosts = new Map<string, string[]>();
  const add = (host: string, ips: string[], at: TreePath): void => {
    if (host === '' || /[:=]/.test(host)) throw new BerthError(`bad host name ${JSON.stringify(host)}`, { path: at });
    // "[::1]" -> "::1": brackets are for humans, the engine wants the bare address.
    const clean = ips.map((ip) => (ip.length > 2 && ip.startsWith('[') && ip.endsWith(']') ? ip.slice(1, -1) : ip));
    hosts.set(host, [...(hosts.get(host) ?? []), ...clean]);
  };
  if (isDict(raw)) {
    for (const host of Object.keys(raw)) {
      const value = raw[host];
      const at = [...path, host];
      add(host, Array.isArray(value) ? value.map((ip, i) => toText(ip, [...at, i])) : [value === null ? '' : toText(value, at)], at);
    }
  } else {
    toStringOrList(raw, path).forEach((line, index) => {
      const at = [...path, index];
      const eq = line.indexOf('=');
      const cut = eq >= 0 ? eq : line.indexOf(':');
      if (cut < 0) throw new BerthError(`invalid additional host, missing IP: ${line}`, { path: at });
      add(line.slice(0, cut), line.slice(cut + 1).split(','), at);
    });
  }
  return [...hosts.keys()].sort().flatMap((host) => (hosts.get(host) ?? []).map((ip) => `${host}:${ip}`));
}

export function convertDns(service: ServiceConfig): Fragment {
  const list = (key: string): string[] | undefined => {
    const raw: unknown = service[key];
    if (!isPresent(raw)) return undefined;
    const values = toStringOrList(raw, servicePath(service.name, key));
    return values.length === 0 ? undefined : values;
  };
  const dns = list('dns');
  dns?.forEach((address, index) => {
    if (isIP(address) === 0) throw new BerthError(`invalid DNS address ${JSON.stringify(address)}`, { path: servicePath(service.name, 'dns', index) });
  });
  const extraHosts: unknown = service['extra_hosts'];
  const hosts = isPresent(extraHosts) ? extraHostLines(extraHosts, servicePath(service.name, 'extra_hosts')) : [];
  return {
    host: compact({
      Dns: dns,
      DnsSearch: list('dns_search'),
      DnsOptions: list('dns_opt'),
      ExtraHosts: hosts.length > 0 ? hosts : undefined,
    }),
  };
}
