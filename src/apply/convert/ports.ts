// ports and expose -> ExposedPorts and PortBindings. Every published port is also exposed; a published range
// ("8000-8010") is handed to the engine as is, which picks a free port in it.
import { isIP } from 'node:net';
import { BerthError } from '../../model/errors.js';
import { isDict } from '../../model/tree.js';
import type { TreePath } from '../../model/tree.js';
import type { ServiceConfig } from '../../model/types.js';
import type { PortBindingBody } from '../../engine-api/index.js';
import type { Fragment } from './fragment.js';
import { isPresent, servicePath, toInteger, toText } from './scalars.js';

const MAX_PORT = 65535;

function checkPort(port: number, path: TreePath): number {
  if (port < 0 || port > MAX_PORT) throw new BerthError(`invalid port ${port}`, { path });
  return port;
}

/** `3000`, `3000/udp`, `3000-3005`, `3000-3005/udp` -> every `port/proto` key it stands for. */
export function exposedPortKeys(spec: string, path: TreePath): string[] {
  const match = /^(\d+)(?:-(\d+))?(?:\/([a-zA-Z]+))?$/.exec(spec.trim());
  if (match === null) throw new BerthError(`invalid port ${JSON.stringify(spec)}`, { path });
  const start = checkPort(Number(match[1]), path);
  const end = match[2] === undefined ? start : checkPort(Number(match[2]), path);
  if (end < start) throw new BerthError(`invalid port range ${JSON.stringify(spec)}`, { path });
  const protocol = (match[3] ?? 'tcp').toLowerCase();
  const keys: string[] = [];
  for (let port = start; port <= end; port += 1) keys.push(`${port}/${protocol}`);
  return keys;
}

export function convertPorts(service: ServiceConfig): Fragment {
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, PortBindingBody[]> = {};
  const ports: unknown = service.ports;
  if (isPresent(ports)) {
    if (!Array.isArray(ports)) throw new BerthError('expected a list', { path: servicePath(service.name, 'ports') });
    ports.forEach((port: unknown, index) => {
      const path = servicePath(service.name, 'ports', index);
      if (!isDict(port)) throw new BerthError('expected the canonical long form of a port', { path });
      const target = checkPort(toInteger(port['target'], [...path, 'target']), [...path, 'target']);
      const protocol = isPresent(port['protocol']) ? toText(port['protocol'], [...path, 'protocol']).toLowerCase() : 'tcp';
      const hostIp = isPresent(port['host_ip']) ? toText(port['host_ip'], [...path, 'host_ip']) : '';
      if (hostIp !== '' && isIP(hostIp) === 0) throw new BerthError(`invalid host IP ${JSON.stringify(hostIp)}`, { path: [...path, 'host_ip'] });
      const published = isPresent(port['published']) ? toText(port['published'], [...path, 'published']) : '';
      const key = `${target}/${protocol}`;
      exposed[key] = {};
      (bindings[key] ??= []).push({ HostIp: hostIp, HostPort: published });
    });
  }
  const expose: unknown = service.expose;
  if (isPresent(expose)) {
    if (!Array.isArray(expose)) throw new BerthError('expected a list', { path: servicePath(service.name, 'expose') });
    expose.forEach((spec: unknown, index) => {
      const path = servicePath(service.name, 'expose', index);
      for (const key of exposedPortKeys(toText(spec, path), path)) exposed[key] = {};
    });
  }
  return {
    config: Object.keys(exposed).length === 0 ? {} : { ExposedPorts: exposed },
    host: Object.keys(bindings).length === 0 ? {} : { PortBindings: bindings },
  };
}
