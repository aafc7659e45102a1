// Networks: the predefined `bridge`, `host` and `none`, and user-defined bridge networks, each a Linux bridge with
// a subnet from IPAM and its rules in the host's packet filter. Records live on disk; what a network sets up on the
// host (bridge, route, rules) is there while the engine runs, or while a running container uses it, and made again
// when the engine starts. The engine changes and deletes only the interfaces it made (they carry its mark).
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import type { NetworkCreateBody } from '../../engine-api/networks.js';
import { conflict, EngineError, invalid, notFound, unsupported } from '../errors.js';
import type { LinkDriver } from '../runtime/links.js';
import { enableForwarding, forwardingEnabled, RuleWriter } from '../runtime/netfilter.js';
import type { BridgeRules, PacketFilter } from '../runtime/netfilter.js';
import { readJsonFile, writeJsonAtomic } from '../store/files.js';
import type { Layout } from '../store/layout.js';
import type { EventBus } from './events.js';
import { logFailure } from './logger.js';
import type { Logger } from './logger.js';
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
  /** The subnet came from the default pools: when a route of the host takes it while the network is down, another is chosen. */
  readonly autoSubnet?: boolean;
}

/** The body of a network create, as src/engine-api/ describes it. */
export type NetworkRequest = NetworkCreateBody;

/** The bridge driver options berth's engine honours; any other is refused rather than ignored. */
const BRIDGE_NAME = 'com.docker.network.bridge.name';
const MTU = 'com.docker.network.driver.mtu';
const ICC = 'com.docker.network.bridge.enable_icc';
const MASQUERADE = 'com.docker.network.bridge.enable_ip_masquerade';
const KNOWN_OPTIONS = new Set([BRIDGE_NAME, MTU, ICC, MASQUERADE]);
const DEFAULT_ROOT = '/var/lib/berth';

function rootHash(root: string): string {
  return createHash('sha256').update(root).digest('hex').slice(0, 10);
}

/**
 * The default bridge network's Linux bridge: berth0 for the engine at its default root (dockerd's is docker0, so the
 * two can run side by side), and a name of its own for an engine at another root, so that several engines coexist.
 */
function defaultBridgeName(root: string): string {
  return root === DEFAULT_ROOT ? 'berth0' : `bb${rootHash(root)}`;
}

/**
 * What names this engine's things on the host: its packet filter table or chains, and the prefix of the mark on its
 * bridges. One per root, so that engines on one host never touch each other's (nor dockerd's).
 */
export function engineTag(root: string): string {
  return root === DEFAULT_ROOT ? 'berth' : `berth-${rootHash(root)}`;
}

const NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/;

export interface HostNetworking {
  readonly filter: PacketFilter;
  /** Set when the host has no packet filter (see detectPacketFilter). */
  readonly filterWarning?: string;
  readonly log: Logger;
  /** A network is gone, or its bridge is about to go: whatever serves on its gateway must stop. */
  readonly released?: (networkId: string) => void;
}

export class NetworkService {
  private readonly records = new Map<string, NetworkRecord>();
  /** Networks whose bridge this engine made or found (carrying its mark) on the host: the ones with rules. */
  private readonly up = new Set<string>();
  /** Why a network could not be brought up (its bridge name or subnet taken on the host), by id. */
  private readonly down = new Map<string, string>();
  private readonly rules: RuleWriter;
  private readonly tag: string;

  constructor(
    private readonly layout: Layout,
    private readonly links: LinkDriver,
    private readonly events: EventBus,
    private readonly host: HostNetworking,
  ) {
    this.tag = engineTag(layout.root);
    this.rules = new RuleWriter(host.filter, () => this.ruleInputs());
  }

  /**
   * Reads the networks back, makes the predefined ones on first start, and brings every bridge network up on the host
   * again (its bridge, its rules), taking back what the last run left; IPv4 forwarding on when there are rules.
   */
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
    await withSubnetLock(async () => {
      await this.removeLeftovers();
      if (!this.find('bridge')) {
        const subnet = freePool(this.taken());
        const bridge = defaultBridgeName(this.layout.root);
        this.save({
          ...this.base('bridge', 'bridge'),
          id: randomId(),
          bridge,
          subnet: formatCidr(subnet),
          gateway: formatIp(subnet.base + 1),
          autoSubnet: true,
          options: { [BRIDGE_NAME]: bridge, 'com.docker.network.bridge.default_bridge': 'true' },
        });
      }
      for (const record of this.list().sort((a, b) => (a.name < b.name ? -1 : 1))) {
        if (!record.bridge) continue;
        try {
          await this.bringUp(record);
        } catch (error) {
          this.host.log(`network ${record.name} stays down: ${(error as Error).message}`);
        }
      }
    });
    try {
      await this.rules.sync();
      if (this.host.filter.kind !== 'none' && enableForwarding()) this.host.log('IPv4 forwarding turned on (net.ipv4.ip_forward=1) for containers\' traffic to other hosts');
    } catch (error) {
      this.host.log(`the engine's packet filter rules could not be written: ${(error as Error).message}`);
    }
  }

  /**
   * A clean stop: every bridge no running container uses (`inUse`: network ids) is deleted, with its route and its
   * rules; the rest stays for the containers that outlive the engine, and the next start takes it all back.
   */
  async releaseHost(inUse: ReadonlySet<string>): Promise<void> {
    for (const id of [...this.up]) {
      const record = this.records.get(id);
      if (!record?.bridge || inUse.has(id)) continue;
      this.host.released?.(id);
      try {
        await this.links.deleteBridge(record.bridge, this.mark(record));
        this.up.delete(id);
      } catch (error) {
        this.host.log(`network ${record.name}: its bridge ${record.bridge} could not be deleted: ${(error as Error).message}`);
      }
    }
    await this.rules.sync().catch((error: Error) => this.host.log(`the engine's packet filter rules could not be written: ${error.message}`));
  }

  /**
   * The network as it is up on the host, for a container to join: brought up again when its bridge went away (a
   * clean stop, a hand), refused with the reason when it cannot be.
   */
  async ensureUp(record: NetworkRecord): Promise<NetworkRecord> {
    if (!record.bridge) return record;
    if (this.up.has(record.id) && this.links.owner(record.bridge, this.mark(record)) === 'ours') return record;
    const current = await withSubnetLock(() => this.bringUp(this.records.get(record.id) ?? record));
    await this.rules.sync();
    return current;
  }

  /** Whether the host forwards IPv4 packets (for /info). */
  forwarding(): boolean {
    return forwardingEnabled();
  }

  /** What the engine cannot do on this host, for /info: no packet filter, networks that stay down. */
  warnings(): string[] {
    return [...(this.host.filterWarning ? [this.host.filterWarning] : []), ...[...this.down].map(([id, reason]) => `network ${this.records.get(id)?.name ?? id} is down: ${reason}`)];
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
    if (options[ICC] !== undefined && options[ICC] !== 'true') throw unsupported(`"${ICC}=${options[ICC]}"`);
    if (options[MASQUERADE] !== undefined && !['true', 'false'].includes(options[MASQUERADE]!)) throw invalid(`invalid value "${options[MASQUERADE]}" for ${MASQUERADE} (true or false)`);
    if (options[MTU] !== undefined && !/^\d+$/.test(options[MTU]!)) throw invalid(`invalid MTU "${options[MTU]}"`);
    const configs = request.IPAM?.Config ?? [];
    if (configs.length > 1) throw unsupported('more than one IPAM config per network');
    const config = configs[0] ?? {};
    if (config.AuxiliaryAddresses && Object.keys(config.AuxiliaryAddresses).length > 0) throw unsupported('IPAM auxiliary addresses');
    // Choosing a free subnet and making its bridge is one step for all engines on the host (see withSubnetLock).
    const record = await withSubnetLock(async () => {
      // Again under the lock: two creates of one name side by side must not both succeed.
      if (this.find(name)?.name === name) throw conflict(`network with name ${name} already exists`);
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
      if (bridge.length > 15 || !/^[a-zA-Z0-9_.-]+$/.test(bridge) || bridge === '.' || bridge === '..') throw invalid(`invalid bridge name "${bridge}"`);
      if (this.list().some((other) => other.bridge === bridge)) throw conflict(`the bridge ${bridge} is in use by another network`);
      if (this.links.owner(bridge, '') !== 'absent') {
        throw invalid(`cannot use ${bridge} as the bridge of network ${name}: an interface of that name already exists on the host, and berth's engine changes only the bridges it creates`);
      }
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
        ...(config.Subnet ? {} : { autoSubnet: true }),
      };
      await this.bringUp(record);
      this.save(record);
      return record;
    });
    try {
      await this.rules.sync();
    } catch (error) {
      await this.forget(record);
      throw error;
    }
    this.events.emit('network', 'create', record.id, { name, type: 'bridge' });
    return record;
  }

  async remove(reference: string, users: readonly string[]): Promise<void> {
    const record = this.get(reference);
    if (this.isPredefined(record)) throw new EngineError('forbidden', `${record.name} is a pre-defined network and cannot be removed`);
    if (users.length > 0) throw conflict(`error while removing network: network ${record.name} id ${record.id} has active endpoints`);
    await this.forget(record);
    await this.rules.sync().catch((error: Error) => this.host.log(`network ${record.name} removed, but the packet filter rules could not be rewritten: ${error.message}`));
    this.events.emit('network', 'destroy', record.id, { name: record.name, type: record.driver });
  }

  /** The network's record, its bridge (only if the engine's) and whatever served on it, gone. */
  private async forget(record: NetworkRecord): Promise<void> {
    this.host.released?.(record.id);
    if (record.bridge) await this.links.deleteBridge(record.bridge, this.mark(record));
    this.up.delete(record.id);
    this.down.delete(record.id);
    rmSync(this.layout.networkRecord(record.id), { force: true });
    this.records.delete(record.id);
  }

  mtu(record: NetworkRecord): number | undefined {
    const mtu = record.options[MTU];
    return mtu ? Number(mtu) : undefined;
  }

  /**
   * Under the subnet lock: the network's bridge, ours already, or made now (a subnet from the pools that a route of
   * the host took meanwhile moves to a free one; one the user chose stays, as when it was created). Returns the
   * record as it is now.
   */
  private async bringUp(record: NetworkRecord): Promise<NetworkRecord> {
    try {
      const owner = this.links.owner(record.bridge!, this.mark(record));
      if (owner === 'foreign') {
        if (!this.generatedBridge(record) || !this.links.isUnmarkedBridge(record.bridge!)) {
          throw conflict(`its bridge ${record.bridge} is an interface on the host that berth's engine did not create`);
        }
        await this.links.claim(record.bridge!, this.mark(record)); // made by an engine from before bridges were marked
      }
      let current = record;
      if (owner === 'absent') {
        const pooled = record.autoSubnet || record.name === 'bridge';
        if (pooled && parseRoutes(this.links.routes()).some((route) => overlaps(route, parseCidr(record.subnet!)))) {
          const subnet = freePool(this.taken(record.id));
          current = { ...record, subnet: formatCidr(subnet), gateway: formatIp(subnet.base + 1) };
          this.host.log(`network ${record.name}: its subnet ${record.subnet} is routed elsewhere on the host now; it moves to ${current.subnet}`);
          if (this.records.has(record.id)) this.save(current);
        }
        await this.links.createBridge(current.bridge!, this.mark(current), current.gateway!, parseCidr(current.subnet!).prefix, this.mtu(current));
      }
      this.up.add(record.id);
      this.down.delete(record.id);
      return current;
    } catch (error) {
      if (this.records.has(record.id)) this.down.set(record.id, (error as Error).message);
      throw error;
    }
  }

  /** Bridges carrying this engine's mark whose network is gone (an engine killed mid-way): deleted. */
  private async removeLeftovers(): Promise<void> {
    const marks = new Set(this.list().map((record) => this.mark(record)));
    for (const { name, mark } of this.links.marked(`${this.tag}:`)) {
      if (!marks.has(mark)) await this.links.deleteBridge(name, mark).catch(logFailure(this.host.log, `deleting the bridge ${name} left by an earlier run`, 'it is unused; the next start tries again'));
    }
  }

  /** The mark on the network's bridge (its interface alias): this engine's tag and the network's id. */
  private mark(record: NetworkRecord): string {
    return `${this.tag}:${record.id.slice(0, 12)}`;
  }

  /** Whether the bridge's name is one the engine made up (never a host interface the user named). */
  private generatedBridge(record: NetworkRecord): boolean {
    return record.bridge === `br-${record.id.slice(0, 12)}` || record.bridge === defaultBridgeName(this.layout.root);
  }

  private ruleInputs(): BridgeRules[] {
    return [...this.up].flatMap((id) => {
      const record = this.records.get(id);
      if (!record?.bridge || !record.subnet) return [];
      return [{ network: record.name, bridge: record.bridge, subnet: record.subnet, internal: record.internal, masquerade: record.options[MASQUERADE] !== 'false' }];
    });
  }

  /** Subnets a new network must stay clear of: the host's routes and our networks (but `except`). */
  private taken(except?: string): Cidr[] {
    const own = this.list().flatMap((record) => (record.subnet && record.id !== except ? [parseCidr(record.subnet)] : []));
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
