// Published ports that another service of the swarm holds already, found before anything is sent. A manager refuses a
// second service on an ingress port only when that service's turn comes, after the steps before it were carried out;
// found here, the deploy stops with nothing changed and the error names the other stack, service and port.
import type { ServiceSpec, SwarmService } from '../engine-client/swarm.js';
import { NAMESPACE_LABEL } from './names.js';

interface Published {
  readonly port: number;
  readonly protocol: string;
  readonly mode: string;
}

export interface PortHolder {
  /** The service's full name (`shop_web`). */
  readonly service: string;
  /** Its stack, when it belongs to one. */
  readonly stack?: string;
  /** A service of the stack being deployed that its compose file no longer has (--prune removes it only last). */
  readonly leftOver?: boolean;
  readonly ports: readonly Published[];
}

/** The fixed published ports of a spec (a port left for the manager to choose cannot clash). */
export function publishedPorts(spec: ServiceSpec): Published[] {
  const ports = (spec.EndpointSpec?.Ports ?? []) as ReadonlyArray<{ PublishedPort?: number; Protocol?: string; PublishMode?: string }>;
  return ports
    .filter((port) => typeof port.PublishedPort === 'number' && port.PublishedPort > 0)
    .map((port) => ({ port: port.PublishedPort!, protocol: port.Protocol || 'tcp', mode: port.PublishMode || 'ingress' }));
}

/** A stored service's published ports, as the manager assigned them (its spec's when it has not yet). */
export function holderOf(service: SwarmService): PortHolder {
  const assigned = service.ports
    .filter((port) => typeof port.PublishedPort === 'number' && port.PublishedPort > 0)
    .map((port) => ({ port: port.PublishedPort!, protocol: port.Protocol || 'tcp', mode: port.PublishMode || 'ingress' }));
  const stack = service.spec.Labels?.[NAMESPACE_LABEL];
  return { service: service.spec.Name, ...(stack ? { stack } : {}), ports: assigned.length > 0 ? assigned : publishedPorts(service.spec) };
}

/**
 * One line per port a desired service would publish that another holds: a service outside the deploy, or an earlier
 * service of the deploy itself. An ingress port is taken on every node, so it clashes with any use of the number;
 * two host-mode ports can live on different nodes and are left to the scheduler.
 */
export function portClashes(desired: ReadonlyArray<{ readonly key: string; readonly spec: ServiceSpec }>, holders: readonly PortHolder[]): string[] {
  const taken: PortHolder[] = [...holders];
  const out: string[] = [];
  for (const service of desired) {
    const ports = publishedPorts(service.spec);
    for (const wanted of ports) {
      const holder = taken.find((other) => other.ports.some((port) => clash(port, wanted)));
      if (holder === undefined) continue;
      const owner = holder.leftOver
        ? `of this stack, no longer in the compose file: remove it first, docker service rm ${holder.service}`
        : holder.stack === undefined
          ? 'which is in no stack'
          : `of stack ${holder.stack}`;
      out.push(`port ${wanted.port}/${wanted.protocol} of service "${service.key}" is already published by service ${holder.service} (${owner})`);
    }
    const stack = service.spec.Labels?.[NAMESPACE_LABEL];
    taken.push({ service: service.spec.Name, ...(stack ? { stack } : {}), ports });
  }
  return out;
}

function clash(a: Published, b: Published): boolean {
  return a.port === b.port && a.protocol === b.protocol && (a.mode === 'ingress' || b.mode === 'ingress');
}
