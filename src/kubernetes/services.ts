// ports and expose -> a Service selecting the service's pods, and the container ports. A published port keeps its
// number as the Service port (so clients inside the cluster use the number they used on the host); the address it
// was bound to on the host has no meaning in a cluster and is reported. kompose's labels pick the Service type.
import type { PortConfig, ServiceConfig } from '../model/types.js';
import { isDict } from '../model/tree.js';
import type { ConvertContext } from './context.js';
import type { KubernetesObject } from './manifest.js';
import { selectorLabels, standardLabels } from './manifest.js';

export const SERVICE_TYPE_LABEL = 'kompose.service.type';
export const NODE_PORT_LABEL = 'kompose.service.nodeport.port';

const SERVICE_TYPES: Readonly<Record<string, string>> = { clusterip: 'ClusterIP', nodeport: 'NodePort', loadbalancer: 'LoadBalancer', headless: 'None' };
// `expose: 1000-65535` must not write 64,000 ports.
const MAX_EXPOSED_RANGE = 1000;

export interface ServicePort {
  readonly name: string;
  readonly port: number;
  readonly targetPort: number;
  readonly protocol: string;
  readonly appProtocol?: string;
  /** Published on the host in compose (reachable from outside the project). */
  readonly published: boolean;
}

/** The ports a service's Service offers: published ports first, then exposed ones, one per port and protocol. */
export function servicePorts(service: ServiceConfig, ctx: ConvertContext): ServicePort[] {
  const out: ServicePort[] = [];
  const add = (port: ServicePort): void => {
    const same = out.find((known) => known.port === port.port && known.protocol === port.protocol);
    if (same === undefined) out.push(port);
    else if (same.targetPort !== port.targetPort) ctx.warn('service', service.name, `ports: ${port.port}/${port.protocol} is published twice; only the first (to ${same.targetPort}) is converted`);
  };
  let hostIpWarned = false;
  for (const config of service.ports ?? []) {
    if (config.host_ip !== undefined && config.host_ip !== '' && config.host_ip !== '0.0.0.0' && !hostIpWarned) {
      hostIpWarned = true;
      ctx.warn('service', service.name, `ports: the host address ${config.host_ip} is not converted (a Service answers on the cluster's addresses)`);
    }
    add(fromPortConfig(config, service, ctx));
  }
  for (const entry of service.expose ?? []) {
    const match = /^(\d+)(?:-(\d+))?(?:\/(\w+))?$/.exec(String(entry));
    if (match === null) {
      ctx.warn('service', service.name, `expose: "${entry}" is not converted (not a port or range)`);
      continue;
    }
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (last - first >= MAX_EXPOSED_RANGE) {
      ctx.warn('service', service.name, `expose: the range ${entry} is not converted (more than ${MAX_EXPOSED_RANGE} ports)`);
      continue;
    }
    const protocol = protocolOf(match[3]);
    for (let port = first; port <= last; port += 1) add({ name: portName(port, protocol), port, targetPort: port, protocol, published: false });
  }
  return out;
}

function fromPortConfig(config: PortConfig, service: ServiceConfig, ctx: ConvertContext): ServicePort {
  const protocol = protocolOf(config.protocol);
  let port = config.target;
  if (config.published !== undefined && config.published !== '') {
    const [first = '', last] = config.published.split('-');
    const published = Number(first);
    if (last !== undefined) ctx.warn('service', service.name, `ports: the published range ${config.published} is converted as its first port, ${first}`);
    if (Number.isInteger(published) && published > 0) port = published;
  }
  if (config.mode === 'host') ctx.warn('service', service.name, `ports: mode host of ${port} is not converted (the Service balances over the pods)`);
  const name = config.name !== undefined && isPortName(config.name) ? config.name : portName(port, protocol);
  return {
    name,
    port,
    targetPort: config.target,
    protocol,
    ...(config.app_protocol ? { appProtocol: config.app_protocol } : {}),
    published: config.published !== undefined && config.published !== '',
  };
}

function protocolOf(value: string | undefined): string {
  return (value ?? 'tcp').toUpperCase();
}

/** An IANA service name as Kubernetes wants port names: at most 15 of [a-z0-9-], with a letter, no "--". */
function isPortName(name: string): boolean {
  return name.length <= 15 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name) && /[a-z]/.test(name) && !name.includes('--');
}

function portName(port: number, protocol: string): string {
  return `${port}-${protocol.toLowerCase()}`;
}

/** The Service of a service: undefined when it offers no port (and no StatefulSet needs one to govern it). */
export function serviceObject(service: ServiceConfig, ports: readonly ServicePort[], ctx: ConvertContext, governsStatefulSet: boolean): KubernetesObject | undefined {
  if (ports.length === 0 && !governsStatefulSet) return undefined;
  const name = ctx.services.name(service.name);
  const labels = service.labels ?? {};
  const requested = labels[SERVICE_TYPE_LABEL];
  let type = requested === undefined ? undefined : SERVICE_TYPES[requested.toLowerCase()];
  if (requested !== undefined && type === undefined) {
    ctx.warn('service', service.name, `label ${SERVICE_TYPE_LABEL}=${requested} is not one of ${Object.keys(SERVICE_TYPES).join(', ')}: a ClusterIP Service is written`);
  }
  const endpointMode = isDict(service.deploy) ? service.deploy.endpoint_mode : undefined;
  if (endpointMode === 'dnsrr' || ports.length === 0) type = 'None';
  const headless = type === 'None';
  const nodePort = labels[NODE_PORT_LABEL];
  const specPorts = ports.map((port, index) => ({
    name: port.name,
    port: port.port,
    targetPort: port.targetPort,
    protocol: port.protocol,
    ...(port.appProtocol ? { appProtocol: port.appProtocol } : {}),
    ...(type === 'NodePort' && nodePort !== undefined && index === 0 && /^\d+$/.test(nodePort) ? { nodePort: Number(nodePort) } : {}),
  }));
  if (nodePort !== undefined && (type !== 'NodePort' || ports.length !== 1)) {
    ctx.warn('service', service.name, `label ${NODE_PORT_LABEL} applies to a NodePort Service with one port: ${type === 'NodePort' ? 'only the first port gets it' : 'not converted'}`);
  }
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name, labels: standardLabels(ctx.project.name, name), ...annotationsOf(labels) },
    spec: {
      selector: selectorLabels(name),
      ...(headless ? { clusterIP: 'None' } : type !== undefined && type !== 'ClusterIP' ? { type } : {}),
      ...(specPorts.length > 0 ? { ports: specPorts } : {}),
    },
  };
}

/** Compose labels keep their meaning as annotations (label values in Kubernetes cannot hold spaces and the like). */
export function annotationsOf(labels: Readonly<Record<string, string>>, reject?: (key: string) => void): { annotations?: Record<string, string> } {
  const keys = Object.keys(labels).sort().filter((key) => {
    if (isQualifiedName(key)) return true;
    reject?.(key);
    return false;
  });
  return keys.length === 0 ? {} : { annotations: Object.fromEntries(keys.map((key) => [key, labels[key]!])) };
}

/** A Kubernetes label or annotation key: an optional DNS-subdomain prefix and "/", then at most 63 of [-._a-zA-Z0-9]. */
export function isQualifiedName(key: string): boolean {
  const slash = key.lastIndexOf('/');
  const prefix = slash < 0 ? undefined : key.slice(0, slash);
  const name = slash < 0 ? key : key.slice(slash + 1);
  if (prefix !== undefined && (prefix.length > 253 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/.test(prefix))) return false;
  return name.length <= 63 && /^[A-Za-z0-9]([-._A-Za-z0-9]*[A-Za-z0-9])?$/.test(name);
}
