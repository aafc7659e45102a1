// The only code that changes the host's network: Linux bridges for networks, a network namespace per container
// (under /run/netns, so runc can join it), and a veth pair per endpoint, through iproute2's `ip -batch`.
import { existsSync, readFileSync } from 'node:fs';
import { EngineError } from '../errors.js';
import { runProgram } from './tools.js';

export interface EndpointLink {
  /** The host side of the veth pair (at most 15 characters). */
  readonly hostName: string;
  /** The interface name inside the container: eth0, eth1... */
  readonly name: string;
  readonly bridge: string;
  readonly address: string;
  readonly prefix: number;
  readonly mac: string;
  /** The default route goes through the gateway of the container's first network only. */
  readonly gateway?: string;
  readonly mtu?: number;
}

const NETNS_DIR = '/run/netns';

/** The veth pair, its container end moved into the namespace, its host end on the bridge. */
function hostSide(sandbox: string, link: EndpointLink): string[] {
  return [
    `link add ${link.hostName}${link.mtu ? ` mtu ${link.mtu}` : ''} type veth peer name ${link.name} netns ${sandbox}`,
    `link set ${link.hostName} master ${link.bridge}`,
    `link set ${link.hostName} up`,
  ];
}

/** Inside the namespace: the MAC, the address, up, and the default route through the first network's gateway. */
function insideSide(link: EndpointLink): string[] {
  return [
    `link set ${link.name} address ${link.mac}`,
    `addr add ${link.address}/${link.prefix} dev ${link.name}`,
    `link set ${link.name} up`,
    ...(link.gateway ? [`route add default via ${link.gateway}`] : []),
  ];
}

export class LinkDriver {
  async createBridge(name: string, gateway: string, prefix: number, mtu?: number): Promise<void> {
    await this.batch([
      `link add ${name} type bridge${mtu ? ` mtu ${mtu}` : ''}`,
      `addr add ${gateway}/${prefix} dev ${name}`,
      `link set ${name} up`,
    ]);
  }

  async deleteBridge(name: string): Promise<void> {
    if (existsSync(`/sys/class/net/${name}`)) await this.batch([`link del ${name}`]);
  }

  bridgeExists(name: string): boolean {
    return existsSync(`/sys/class/net/${name}`);
  }

  /** The path runc joins for the container's network namespace. */
  sandboxPath(sandbox: string): string {
    return `${NETNS_DIR}/${sandbox}`;
  }

  /** The container's namespace with its endpoints: one `ip` run on the host's side, one inside. */
  async createSandbox(sandbox: string, links: readonly EndpointLink[]): Promise<void> {
    if (existsSync(this.sandboxPath(sandbox))) await this.deleteSandbox(sandbox);
    await this.batch([`netns add ${sandbox}`, ...links.flatMap((link) => hostSide(sandbox, link))]);
    await this.batch(['link set lo up', ...links.flatMap(insideSide)], sandbox);
  }

  /** Deleting the namespace deletes the veths in it, and so their host sides. */
  async deleteSandbox(sandbox: string): Promise<void> {
    if (existsSync(this.sandboxPath(sandbox))) await this.batch([`netns del ${sandbox}`]);
  }

  /** One more endpoint in an existing namespace (network connect). */
  async attach(sandbox: string, link: EndpointLink): Promise<void> {
    await this.batch(hostSide(sandbox, link));
    await this.batch(insideSide(link), sandbox);
  }

  async detach(sandbox: string, name: string): Promise<void> {
    await this.batch([`link del ${name}`], sandbox);
  }

  /** The host's IPv4 routing table, for IPAM to stay clear of. */
  routes(): string {
    try {
      return readFileSync('/proc/net/route', 'utf8');
    } catch {
      return '';
    }
  }

  private async batch(commands: readonly string[], sandbox?: string): Promise<void> {
    const { Readable } = await import('node:stream');
    const args = [...(sandbox ? ['-n', sandbox] : []), '-batch', '-'];
    const result = await runProgram('ip', args, Readable.from([`${commands.join('\n')}\n`]));
    if (result.code !== 0) throw new EngineError('internal', `ip ${args.join(' ')}: ${result.stderr.trim() || `exit ${result.code}`}`);
  }
}
