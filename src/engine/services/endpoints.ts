// A container's networking: its network namespace and an endpoint (veth, address, MAC) on each network it is
// connected to, its /etc/hosts and /etc/resolv.conf, its published ports, and the names the network resolver
// answers for it. Set up when the container starts, taken down when it stops.
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { conflict, invalid, notFound, unsupported } from '../errors.js';
import type { EndpointLink, LinkDriver, SandboxNetwork } from '../runtime/links.js';
import type { ContainerRecord, Endpoint, EndpointRequest } from './container-record.js';
import type { NameSource, NetworkResolver } from './dns-server.js';
import { formatIp, macFor, nextAddress, parseCidr, parseIp, contains } from './ipam.js';
import type { NetworkRecord, NetworkService } from './networks.js';
import type { PortBinding, PortProxies } from './port-proxy.js';
import { linkEnvironment } from './link-env.js';
import { logFailure } from './logger.js';
import type { Logger } from './logger.js';

/** How the container's network namespace is made: its own with endpoints, the host's, another container's, none. */
export type NetworkPlan = { kind: 'host' } | { kind: 'none' } | { kind: 'container'; reference: string } | { kind: 'bridge'; network: string };

export function networkPlan(mode: string | undefined): NetworkPlan {
  const value = mode || 'default';
  if (value === 'host') return { kind: 'host' };
  if (value === 'none') return { kind: 'none' };
  if (value.startsWith('container:')) return { kind: 'container', reference: value.slice('container:'.length) };
  return { kind: 'bridge', network: value === 'default' ? 'bridge' : value };
}

const LOCALHOST = '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n';

export class ContainerNetworking implements NameSource {
  constructor(
    private readonly networks: NetworkService,
    private readonly links: LinkDriver,
    private readonly proxies: PortProxies,
    private readonly resolver: NetworkResolver,
    private readonly containers: () => readonly ContainerRecord[],
    private readonly log: Logger,
  ) {}

  /** The endpoints a create request asks for: the network of its mode, and any other in EndpointsConfig. */
  endpointsFor(mode: string | undefined, requested: Readonly<Record<string, EndpointRequest | null>>): Record<string, Endpoint> {
    const plan = networkPlan(mode);
    const endpoints: Record<string, Endpoint> = {};
    if (plan.kind !== 'bridge') {
      if (Object.keys(requested).some((name) => name !== mode && name !== plan.kind)) throw invalid(`container sharing the network stack of ${mode} cannot be connected to other networks`);
      return endpoints;
    }
    // Keyed by name or id; the docker CLI says `default` for the default network.
    const asked = new Map<string, EndpointRequest>();
    for (const [key, value] of Object.entries(requested)) asked.set(this.networks.get(key === 'default' ? 'bridge' : key).id, value ?? {});
    const primary = this.networks.get(plan.network);
    for (const network of [primary, ...[...asked.keys()].filter((id) => id !== primary.id).map((id) => this.networks.get(id))]) {
      endpoints[network.name] = this.endpoint(network, asked.get(network.id) ?? {});
    }
    return endpoints;
  }

  private endpoint(network: NetworkRecord, asked: EndpointRequest): Endpoint {
    if (network.driver !== 'bridge') throw invalid(`container cannot be connected to the ${network.name} network and others`);
    const fixed = asked.IPAMConfig?.IPv4Address;
    if (fixed) {
      if (network.name === 'bridge') throw invalid('user specified IP address is supported on user defined networks only');
      if (!contains(parseCidr(network.subnet!), parseIp(fixed))) throw invalid(`no configured subnet or ip-range contain the IP address ${fixed}`);
    }
    if (asked.IPAMConfig?.IPv6Address) throw unsupported('IPv6 addresses');
    const aliases = asked.Aliases ?? [];
    if (network.name === 'bridge' && aliases.length > 0) throw invalid('network-scoped alias is supported only for containers in user defined networks');
    return {
      networkId: network.id,
      aliases,
      links: asked.Links ?? [],
      ...(fixed ? { ipamIPv4: fixed } : {}),
      ...(asked.MacAddress ? { macAddress: asked.MacAddress } : {}),
      ...(asked.DriverOpts && Object.keys(asked.DriverOpts).length > 0 ? { driverOpts: asked.DriverOpts } : {}),
    };
  }

  /** Names a DNS server answers on a network: every running container's name, short id and aliases there. */
  lookup(networkId: string, name: string): string[] | undefined {
    const addresses: string[] = [];
    for (const record of this.containers()) {
      const endpoint = Object.values(record.networks ?? {}).find((candidate) => candidate.networkId === networkId);
      if (!endpoint?.ipAddress) continue;
      const names = [record.name, record.id.slice(0, 12), ...endpoint.aliases].map((entry) => entry.toLowerCase());
      if (names.includes(name)) addresses.push(endpoint.ipAddress);
    }
    return addresses.length > 0 ? addresses : undefined;
  }

  /**
   * A container only on internal networks gets nothing forwarded (the engine asking the outside on its behalf would
   * be a way out of the network, CVE-2024-29018); others, their own DNS servers, or the host's.
   */
  upstreams(networkId: string, source: string): string[] {
    const record = this.containers().find((candidate) => Object.values(candidate.networks ?? {}).some((endpoint) => endpoint.networkId === networkId && endpoint.ipAddress === source));
    if (!record) return [];
    const outside = Object.values(record.networks ?? {}).some((endpoint) => endpoint.ipAddress && this.networks.find(endpoint.networkId)?.internal === false);
    if (!outside) return [];
    const own = record.hostConfig.Dns ?? [];
    return own.length > 0 ? [...own] : hostResolvConf().nameservers;
  }

  /**
   * Before the container's process starts: its namespace, an endpoint on each network (eth0 on the first, which
   * also carries the default route), the resolvers of its user-defined networks. Returns the namespace to join.
   */
  async setUp(record: ContainerRecord): Promise<SandboxNetwork> {
    const sandbox = sandboxName(record.id);
    let network: SandboxNetwork;
    try {
      // Every network up on the host (a clean stop took its bridge down), every endpoint allocated in one synchronous
      // step (so concurrent starts never pick one address twice), then the namespace and all its veths in one go.
      const endpoints = [];
      for (const [name, endpoint] of Object.entries(record.networks)) endpoints.push({ endpoint, network: await this.networks.ensureUp(this.networks.get(endpoint.networkId || name)) });
      const links = endpoints.map(({ endpoint, network }, index) => this.allocate(record, network, endpoint, index));
      network = await this.links.createSandbox(sandbox, links);
      for (const { network } of endpoints) await this.activate(network);
    } catch (error) {
      await this.tearDown(record);
      throw error;
    }
    return network;
  }

  /** After the container stops: the namespace goes (and the veths with it), ports close, addresses are free again. */
  async tearDown(record: ContainerRecord): Promise<void> {
    this.proxies.close(record.id);
    await this.links.deleteSandbox(sandboxName(record.id)).catch(logFailure(this.log, `deleting the network namespace of container ${record.id.slice(0, 12)}`, 'its addresses are free again; a namespace left over is replaced at its next start'));
    for (const endpoint of Object.values(record.networks ?? {})) clearRuntime(endpoint);
    if (record.state.ports) delete record.state.ports;
  }

  /** After the engine restarts: the resolvers and port proxies of a container that kept running. */
  async resume(record: ContainerRecord): Promise<void> {
    for (const endpoint of Object.values(record.networks ?? {})) {
      const network = this.networks.find(endpoint.networkId);
      if (endpoint.ipAddress && network && network.name !== 'bridge') {
        await this.resolver.listen(network.id, network.gateway!).catch(logFailure(this.log, `serving DNS on network ${network.name}`, 'the container runs on; only names are not answered'));
      }
    }
    const ports = record.state.ports ?? [];
    const target = primaryAddress(record);
    if (ports.length > 0 && target) {
      record.state.ports = await this.proxies.open(record.id, target, ports.map((port) => ({ ...port, hostPort: port.boundPort })));
    }
  }

  /** Connects a container to one more network; a running one gets its endpoint at once. */
  async connect(record: ContainerRecord, reference: string, asked: EndpointRequest): Promise<void> {
    const plan = networkPlan(record.hostConfig.NetworkMode);
    if (plan.kind !== 'bridge') throw invalid(`container sharing the network stack of ${record.hostConfig.NetworkMode} cannot be connected to networks`);
    const network = this.networks.get(reference);
    if (record.networks[network.name]) throw conflict(`endpoint with name ${record.name} already exists in network ${network.name}`);
    const endpoint = this.endpoint(network, asked);
    if (record.state.status === 'running' || record.state.status === 'paused') {
      await this.attach(record, network, endpoint, Object.keys(record.networks).length);
    }
    record.networks[network.name] = endpoint;
  }

  async disconnect(record: ContainerRecord, reference: string): Promise<void> {
    const network = this.networks.get(reference);
    const endpoint = record.networks[network.name];
    if (!endpoint) throw notFound(`container ${record.id} is not connected to network ${network.name}`);
    if (endpoint.interfaceName && (record.state.status === 'running' || record.state.status === 'paused')) {
      await this.links.detach(sandboxName(record.id), endpoint.interfaceName);
    }
    delete record.networks[network.name];
  }

  /** Published ports, relayed to the container's address on its first network; bound ports go in its state. */
  async publish(record: ContainerRecord, bindings: readonly PortBinding[]): Promise<void> {
    if (bindings.length === 0) return;
    const target = primaryAddress(record);
    if (!target) return;
    record.state.ports = await this.proxies.open(record.id, target, bindings);
  }

  /** The container's /etc/hosts and /etc/resolv.conf, written into its directory. */
  writeEtcFiles(record: ContainerRecord, dir: string): void {
    const first = Object.values(record.networks).find((endpoint) => endpoint.ipAddress);
    const lines = [LOCALHOST];
    if (first?.ipAddress) lines.push(`${first.ipAddress}\t${record.hostname}\n`);
    for (const entry of record.hostConfig.ExtraHosts ?? []) {
      const at = entry.search(/[:=]/);
      if (at <= 0) throw invalid(`invalid extra host: ${entry}`);
      let address = entry.slice(at + 1);
      if (address === 'host-gateway') address = first?.gateway ?? '127.0.0.1';
      lines.push(`${address}\t${entry.slice(0, at)}\n`);
    }
    for (const link of this.legacyLinks(record)) lines.push(`${link.address}\t${link.names.join(' ')}\n`);
    writeFileSync(join(dir, 'hosts'), lines.join(''));

    const host = hostResolvConf();
    const userDefined = Object.values(record.networks).find((endpoint) => endpoint.gateway && this.networks.find(endpoint.networkId)?.name !== 'bridge');
    // On a user-defined network the resolver on the gateway answers (and forwards); on the default bridge, the host's.
    const nameservers = userDefined ? [userDefined.gateway!] : (record.hostConfig.Dns?.length ? record.hostConfig.Dns : host.nameservers.filter((server) => !server.startsWith('127.')));
    const search = record.hostConfig.DnsSearch?.length ? record.hostConfig.DnsSearch : host.search;
    const options = record.hostConfig.DnsOptions?.length ? record.hostConfig.DnsOptions : userDefined ? ['ndots:0', ...host.options.filter((option) => !option.startsWith('ndots'))] : host.options;
    const resolv = [
      ...nameservers.map((server) => `nameserver ${server}`),
      ...(search.length > 0 ? [`search ${search.join(' ')}`] : []),
      ...(options.length > 0 ? [`options ${options.join(' ')}`] : []),
    ];
    writeFileSync(join(dir, 'resolv.conf'), `${resolv.join('\n')}\n`);
  }

  /**
   * The variables of the container's legacy links, as dockerd sets them at start: only on the default bridge (links
   * on other networks are names, nothing more), each linked container running and on that bridge too.
   */
  linkEnvironment(record: ContainerRecord): string[] {
    if (!record.networks?.['bridge']?.ipAddress) return [];
    const env: string[] = [];
    for (const link of record.hostConfig.Links ?? []) {
      const colon = link.indexOf(':');
      const target = (colon < 0 ? link : link.slice(0, colon)).replace(/^\//, '');
      const alias = (colon < 0 ? target : link.slice(colon + 1)).split('/').pop() ?? '';
      const other = this.containers().find((candidate) => candidate.name === target) ?? this.containers().find((candidate) => candidate.id.startsWith(target));
      if (!other || !['running', 'paused'].includes(other.state.status)) throw conflict(`Cannot link to a non running container: /${other?.name ?? target} AS /${record.name}/${alias}`);
      const address = other.networks?.['bridge']?.ipAddress;
      if (!address) throw conflict(`container ${other.id} not attached to default bridge network`);
      env.push(...linkEnvironment({ linkName: `/${record.name}/${alias}`, address, exposedPorts: Object.keys(other.config.ExposedPorts ?? {}), environment: other.config.Env ?? [] }));
    }
    return env;
  }

  private legacyLinks(record: ContainerRecord): Array<{ address: string; names: string[] }> {
    const found: Array<{ address: string; names: string[] }> = [];
    for (const link of record.hostConfig.Links ?? []) {
      const [target = '', alias = ''] = link.split(':');
      const other = this.containers().find((candidate) => candidate.name === target.replace(/^\//, '') || candidate.id.startsWith(target));
      const address = other && primaryAddress(other);
      if (!address) continue;
      const aliasName = alias.split('/').pop() ?? '';
      found.push({ address, names: [...new Set([aliasName, other.name].filter(Boolean))] });
    }
    return found;
  }

  /** Attaches one endpoint to the running container's namespace (network connect). */
  private async attach(record: ContainerRecord, network: NetworkRecord, endpoint: Endpoint, index: number): Promise<void> {
    const current = await this.networks.ensureUp(network);
    const link = this.allocate(record, current, endpoint, index);
    await this.links.attach(sandboxName(record.id), link);
    await this.activate(current);
  }

  /** An address (fixed, or the next free one), a MAC and interface names for the endpoint, recorded on it. */
  private allocate(record: ContainerRecord, network: NetworkRecord, endpoint: Endpoint, index: number): EndpointLink {
    const subnet = parseCidr(network.subnet!);
    const used = new Set<number>([parseIp(network.gateway!)]);
    for (const other of this.containers()) {
      if (other.id === record.id) continue;
      for (const theirs of Object.values(other.networks ?? {})) if (theirs.networkId === network.id && theirs.ipAddress) used.add(parseIp(theirs.ipAddress));
    }
    let address: number;
    if (endpoint.ipamIPv4) {
      address = parseIp(endpoint.ipamIPv4);
      if (used.has(address)) throw conflict(`Address already in use: ${endpoint.ipamIPv4} on network ${network.name}`);
    } else {
      address = nextAddress(subnet, network.ipRange ? parseCidr(network.ipRange) : undefined, used);
    }
    const mac = endpoint.macAddress ?? macFor(address);
    const interfaceName = `eth${index}`;
    // Only the first network's gateway is the default route; an internal network routes nowhere.
    const gateway = index === 0 && !network.internal ? network.gateway : undefined;
    Object.assign(endpoint, {
      networkId: network.id,
      endpointId: randomBytes(32).toString('hex'),
      ipAddress: formatIp(address),
      prefixLen: subnet.prefix,
      gateway: network.gateway,
      mac,
      interfaceName,
    });
    return {
      hostName: `vb${randomBytes(5).toString('hex')}`,
      name: interfaceName,
      bridge: network.bridge!,
      address: formatIp(address),
      prefix: subnet.prefix,
      mac,
      ...(gateway ? { gateway } : {}),
      ...(this.networks.mtu(network) ? { mtu: this.networks.mtu(network)! } : {}),
    };
  }

  /** A user-defined network's resolver runs once a container is on it. */
  private async activate(network: NetworkRecord): Promise<void> {
    if (network.name !== 'bridge') await this.resolver.listen(network.id, network.gateway!);
  }
}

/** The container's address on its first network: where published ports and legacy links lead. */
function primaryAddress(record: ContainerRecord): string | undefined {
  return Object.values(record.networks ?? {}).find((endpoint) => endpoint.ipAddress)?.ipAddress;
}

function clearRuntime(endpoint: Endpoint): void {
  delete endpoint.endpointId;
  delete endpoint.ipAddress;
  delete endpoint.prefixLen;
  delete endpoint.gateway;
  delete endpoint.mac;
  delete endpoint.interfaceName;
}

/** The container's network namespace under /run/netns. */
function sandboxName(id: string): string {
  return `berth-${id.slice(0, 12)}`;
}

function hostResolvConf(): { nameservers: string[]; search: string[]; options: string[] } {
  let text = '';
  try {
    text = readFileSync('/etc/resolv.conf', 'utf8');
  } catch {
    // no resolvers on the host
  }
  const values = (key: string): string[] =>
    text
      .split('\n')
      .filter((line) => line.startsWith(`${key} `) || line.startsWith(`${key}\t`))
      .flatMap((line) => line.split(/\s+/).slice(1))
      .filter(Boolean);
  return { nameservers: values('nameserver'), search: values('search'), options: values('options') };
}
