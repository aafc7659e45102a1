// Networks: the predefined `bridge`, `host` and `none`, and user-defined bridge networks, each a Linux bridge with
// a subnet from IPAM. Records live on disk; the bridges are made again when the engine starts after a reboot.
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { NetworkCreateBody } from '../../engine-api/networks.js';
import { conflict, EngineError, invalid, notFound, unsupported } from '../errors.js';
import type { LinkDriver } from '../runtime/links.js';
import { readJsonFile, writeJsonAtomic } from '../store/files.js';
import type { Layout } from '../store/layout.js';
import type { EventBus } from './events.js';
import { contains, formatCidr, formatIp, freePool, overlaps, parseCidr, parseIp, parseRoutes } from './ipam.js';
import type { Cidr } from './ipam.js';

export interface NetworkRecord {
  readonly id: string;
  readonly name: string;
  readonly driver: 'bridge' | 'host' | 'null';
  readonly created: string;
  readonly labels: Record<string, string>;
  readonly options: Record<string, string>;
  readonly internal: boolean;
  readonly attachable: boolean;
  /** Bridge networks: the Linux bridge, the subnet (CIDR), the gateway, and the range containers get addresses in. */
  readonly bridge?: string;
  readonly subnet?: string;
  readonly gateway?: string;
  readonly ipRange?: string;
  readonly ipamOptions?: Record<string, string>;
}

/** The body of a network create, as src/engine-api/ describes it. */
export type NetworkRequest = NetworkCreateBody;

/** The bridge driver options berth's engine honours; any other is refused rather than ignored. */
const BRIDGE_NAME = 'com.docker.network.bridge.name';
const MTU = 'com.docker.network.driver.mtu';
const KNOWN_OPTIONS = new Set([BRIDGE_NAME, MTU, 'com.docker.network.bridge.enable_icc', 'com.docker.network.bridge.enable_ip_masquerade']);
/**
 * The default bridge network's Linux bridge: berth0 for the engine at its default root (dockerd's is docker0, so the
 * two can run side by side), and a name of its own for an engine at another root, so that several engines coexist.
 */
function defaultBridgeName(root: string): string {
  return root === '/var/lib/berth' ? 'berth0' : `bb${createHash('sha256').update(root).digest('hex').slice(0, 10)}`;
}
const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export class NetworkService {
  private readonly records = new Map<string, NetworkRecord>();

  constructor(
    private readonly layout: Layout,
    private readonly links: LinkDriver,
    private readonly events: EventBus,
  ) {}

  /** Reads the networks back, makes the predefined ones on first start, and the Linux bridges that are missing. */
  async adopt(): Promise<void> {
    if (existsSync(this.layout.networks)) {
      for (const file of readdirSync(this.layout.networks)) {
        const record = readJsonFile<NetworkRecord>(this.layout.networkRecord(file.replace(/\.json$/, '')));
        if (record) this.records.set(record.id, record);
      }
    }
    for (const [name, driver] of [['host', 'host'], ['none', 'null']] as const) {
      if (!this.find(name)) this.save({ ...this.base(name, driver), id: randomId() });
    }
    if (!this.find('bridge')) {
      await withSubnetLock(async () => {
        const subnet = freePool(this.taken());
        const record: NetworkRecord = {
          ...this.base('bridge', 'bridge'),
          id: randomId(),
          bridge: defaultBridgeName(this.layout.root),
          subnet: formatCidr(subnet),
          gateway: formatIp(subnet.base + 1),
          options: { [BRIDGE_NAME]: defaultBridgeName(this.layout.root), 'com.docker.network.bridge.default_bridge': 'true' },
        };
        await this.makeBridge(record);
        this.save(record);
      });
    }
    for (const record of this.records.values()) {
      if (record.bridge && !this.links.bridgeExists(record.bridge)) await this.makeBridge(record);
    }
  }

  list(): NetworkRecord[] {
    return [...this.records.values()];
  }

  /** bridge, host and none: their names cannot be taken, and they cannot be removed. */
  isPredefined(record: NetworkRecord): boolean {
    return ['bridge', 'host', 'none'].includes(record.name);
  }

  /** A network by full id, name, or id prefix (in that order, as dockerd looks them up). */
  get(reference: string): NetworkRecord {
    const found = this.find(reference);
    if (!found) throw notFound(`network ${reference} not found`);
    return found;
  }

  find(reference: string): NetworkRecord | undefined {
    const byId = this.records.get(reference);
    if (byId) return byId;
    for (const record of this.records.values()) if (record.name === reference) return record;
    const prefixed = [...this.records.values()].filter((record) => record.id.startsWith(reference));
    return reference.length > 0 && prefixed.length === 1 ? prefixed[0] : undefined;
  }

  async create(request: NetworkRequest): Promise<NetworkRecord> {
    const name = request.Name ?? '';
    if (!NAME.test(name)) throw invalid(`invalid network name "${name}"`);
    if (this.find(name)?.name === name) throw conflict(`network with name ${name} already exists`);
    const driver = request.Driver || 'bridge';
    if (driver !== 'bridge') throw unsupported(`network driver "${driver}" (only "bridge")`);
    if (request.EnableIPv6) throw unsupported('IPv6 networks');
    if (request.Ingress || request.ConfigOnly || request.ConfigFrom?.Network) throw unsupported('swarm network options (ingress, config-only, config-from)');
    if (request.IPAM?.Driver && request.IPAM.Driver !== 'default') throw unsupported(`IPAM driver "${request.IPAM.Driver}"`);
    const options = { ...request.Options };
    for (const key of Object.keys(options)) if (!KNOWN_OPTIONS.has(key)) throw unsupported(`the network driver option "${key}"`);
    for (const key of ['com.docker.network.bridge.enable_icc', 'com.docker.network.bridge.enable_ip_masquerade']) {
      if (options[key] !== undefined && options[key] !== 'true') throw unsupported(`"${key}=${options[key]}" (it needs iptables)`);
    }
    if (options[MTU] !== undefined && !/^\d+$/.test(options[MTU]!)) throw invalid(`invalid MTU "${options[MTU]}"`);
    const configs = request.IPAM?.Config ?? [];
    if (configs.length > 1) throw unsupported('more than one IPAM config per network');
    const config = configs[0] ?? {};
    if (config.AuxiliaryAddresses && Object.keys(config.AuxiliaryAddresses).length > 0) throw unsupported('IPAM auxiliary addresses');
    // Choosing a free subnet and making its bridge is one step for all engines on the host (see withSubnetLock).
    const record = await withSubnetLock(async () => {
      let subnet: Cidr;
      if (config.Subnet) {
        subnet = parseCidr(config.Subnet);
        const clash = this.list().find((other) => other.subnet && overlaps(parseCidr(other.subnet), subnet));
        if (clash) throw new EngineError('invalid', `invalid pool request: Pool overlaps with other one on this address space (network ${clash.name}, ${clash.subnet})`);
      } else {
        if (config.Gateway || config.IPRange) throw invalid('a gateway or ip range needs a subnet');
        subnet = freePool(this.taken());
      }
      const gateway = config.Gateway ?? formatIp(subnet.base + 1);
      if (!contains(subnet, parseIp(gateway))) throw invalid(`gateway ${gateway} is not in the subnet ${formatCidr(subnet)}`);
      if (config.IPRange) {
        const range = parseCidr(config.IPRange);
        if (!contains(subnet, range.base) || range.prefix < subnet.prefix) throw invalid(`ip range ${config.IPRange} is not in the subnet ${formatCidr(subnet)}`);
      }
      const id = randomId();
      const bridge = options[BRIDGE_NAME] ?? `br-${id.slice(0, 12)}`;
      if (bridge.length > 15 || !/^[a-zA-Z0-9_.-]+$/.test(bridge)) throw invalid(`invalid bridge name "${bridge}"`);
      if (this.list().some((other) => other.bridge === bridge)) throw conflict(`the bridge ${bridge} is in use by another network`);
      const record: NetworkRecord = {
        ...this.base(name, 'bridge'),
        id,
        labels: { ...request.Labels },
        options,
        internal: Boolean(request.Internal),
        attachable: Boolean(request.Attachable),
        bridge,
        subnet: formatCidr(subnet),
        gateway,
        ...(config.IPRange ? { ipRange: config.IPRange } : {}),
        ...(request.IPAM?.Options ? { ipamOptions: request.IPAM.Options } : {}),
      };
      await this.makeBridge(record);
      this.save(record);
      return record;
    });
    this.events.emit('network', 'create', record.id, { name, type: 'bridge' });
    return record;
  }

  async remove(reference: string, users: readonly string[]): Promise<void> {
    const record = this.get(reference);
    if (this.isPredefined(record)) throw new EngineError('forbidden', `${record.name} is a pre-defined network and cannot be removed`);
    if (users.length > 0) throw conflict(`error while removing network: network ${record.name} id ${record.id} has active endpoints`);
    if (record.bridge) await this.links.deleteBridge(record.bridge);
    rmSync(this.layout.networkRecord(record.id), { force: true });
    this.records.delete(record.id);
    this.events.emit('network', 'destroy', record.id, { name: record.name, type: record.driver });
  }

  mtu(record: NetworkRecord): number | undefined {
    const mtu = record.options[MTU];
    return mtu ? Number(mtu) : undefined;
  }

  private async makeBridge(record: NetworkRecord): Promise<void> {
    const subnet = parseCidr(record.subnet!);
    await this.links.deleteBridge(record.bridge!);
    await this.links.createBridge(record.bridge!, record.gateway!, subnet.prefix, this.mtu(record));
  }

  /** Subnets a new network must stay clear of: the host's routes (except our own bridges') and our networks. */
  private taken(): Cidr[] {
    const own = this.list().flatMap((record) => (record.subnet ? [parseCidr(record.subnet)] : []));
    return [...parseRoutes(this.links.routes()), ...own];
  }

  private base(name: string, driver: NetworkRecord['driver']): Omit<NetworkRecord, 'id'> {
    return { name, driver, created: new Date().toISOString(), labels: {}, options: {}, internal: false, attachable: false };
  }

  private save(record: NetworkRecord): void {
    writeJsonAtomic(this.layout.networkRecord(record.id), record);
    this.records.set(record.id, record);
  }
}

/**
 * Several engines (and their tests) may create networks at once: each must see the others' bridges in the host's
 * routes before it picks a subnet. A lock directory makes pick-and-create one step host-wide; a lock left by a
 * process that died is taken over after ten seconds.
 */
async function withSubnetLock<T>(action: () => Promise<T>): Promise<T> {
  const lock = '/run/berth-subnets.lock';
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs > 10_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        // released meanwhile
      }
      if (Date.now() > deadline) throw new EngineError('internal', `could not take ${lock} to choose a subnet`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }
  try {
    return await action();
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

function randomId(): string {
  return randomBytes(32).toString('hex');
}
