// networks -> NetworkPolicies. In compose a container reaches only the containers it shares a network with, and
// anything reaches its published ports. So: each pod carries a label per network it joins (kompose's
// `io.kompose.network/<project>-<network>`); one policy per network admits traffic between pods carrying that label;
// one policy per service with published ports admits anyone to those ports. A pod selected by no policy stays open.
import { isDict } from '../model/tree.js';
import type { ServiceConfig } from '../model/types.js';
import type { ConvertContext } from './context.js';
import { labelValue, projectLabels, selectorLabels, standardLabels } from './manifest.js';
import type { ServicePort } from './services.js';

const NETWORK_LABEL_PREFIX = 'io.kompose.network/';
// Per-service network keys with no Kubernetes form: pods get addresses from the cluster, Services give names.
const SERVICE_NETWORK_KEYS = ['aliases', 'ipv4_address', 'ipv6_address', 'link_local_ips', 'mac_address', 'driver_opts', 'priority', 'gw_priority', 'interface_name'];

/** The networks a service joins that the project defines (external ones included), sorted. */
export function serviceNetworks(service: ServiceConfig, ctx: ConvertContext): string[] {
  if (service.network_mode !== undefined) return [];
  return Object.keys(service.networks ?? {}).filter((name) => Object.hasOwn(ctx.project.networks, name)).sort();
}

export function networkLabel(network: string, ctx: ConvertContext): string {
  return `${NETWORK_LABEL_PREFIX}${labelValue(`${ctx.project.name}-${network}`)}`;
}

/** The pod labels for the networks a service joins; per-service network settings that cannot be converted are reported. */
export function networkLabels(service: ServiceConfig, ctx: ConvertContext): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const network of serviceNetworks(service, ctx)) {
    labels[networkLabel(network, ctx)] = 'true';
    const settings = service.networks?.[network];
    if (!isDict(settings)) continue;
    for (const key of SERVICE_NETWORK_KEYS) {
      if (settings[key] === undefined || settings[key] === null) continue;
      const why = key === 'aliases' ? 'reach the service by its Service name' : 'the cluster assigns pod addresses and interfaces';
      ctx.warn('service', service.name, `networks.${network}.${key} is not converted (${why})`);
    }
  }
  return labels;
}

/** One policy per network some service joins, and one per service publishing ports. */
export function writeNetworkPolicies(services: readonly ServiceConfig[], published: ReadonlyMap<string, readonly ServicePort[]>, ctx: ConvertContext): void {
  const used = new Set(services.flatMap((service) => serviceNetworks(service, ctx)));
  for (const network of [...used].sort()) {
    const config = ctx.project.networks[network] ?? {};
    if (config.external === true) {
      ctx.warn('network', network, 'external: no NetworkPolicy is written for it (pods outside the project cannot be selected)');
      continue;
    }
    if (config.internal === true) ctx.warn('network', network, 'internal is not converted (egress from the pods is not restricted)');
    for (const key of ['ipam', 'driver_opts', 'enable_ipv6'] as const) {
      const value = config[key];
      if (value !== undefined && value !== null && value !== false && !(isDict(value) && Object.keys(value).length === 0)) {
        ctx.warn('network', network, `${key} is not converted (the cluster's network decides addressing)`);
      }
    }
    const label = { [networkLabel(network, ctx)]: 'true' };
    const name = ctx.policies.derived(network, 'network');
    ctx.add({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, labels: projectLabels(ctx.project.name, name) },
      spec: { podSelector: { matchLabels: label }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: label } }] }] },
    });
  }
  if (used.size === 0) return;
  for (const [serviceName, ports] of [...published].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    if (ports.length === 0) continue;
    const component = ctx.services.name(serviceName);
    const name = ctx.policies.derived(serviceName, 'published');
    ctx.add({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: { name, labels: standardLabels(ctx.project.name, component) },
      spec: {
        podSelector: { matchLabels: selectorLabels(component) },
        policyTypes: ['Ingress'],
        ingress: [{ ports: ports.map((port) => ({ port: port.targetPort, protocol: port.protocol })) }],
      },
    });
  }
}
