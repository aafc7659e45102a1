// The only code that changes the host's links: Linux bridges for networks, a network namespace per container
// (under /run/netns, so runc can join it), and a veth pair per endpoint, through iproute2's `ip -batch`. At a start
// the inside of the namespace (addresses, up, the default route) is set by the container's monitor over netlink
// (see SandboxNetwork), which saves a second `ip` process per start. A bridge the
// engine makes carries a mark (its interface alias) saying so; one without the mark is never changed nor deleted.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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

/**
 * The network namespace a container's process joins. `inside` is set when the namespace was made for this start: lo
 * and these interfaces are still to be brought up in it, which the container's monitor does (runc.ts).
 */
export interface SandboxNetwork {
  readonly path: string;
  readonly inside?: readonly EndpointLink[];
}

const NETNS_DIR = '/run/netns';

/** The veth pair, its container end (with its MAC) moved into the namespace, its host end on the bridge. */
function hostSide(sandbox: string, link: EndpointLink): string[] {
  return [
    `link add ${link.hostName}${link.mtu ? ` mtu ${link.mtu}` : ''} type veth peer name ${link.name} address ${link.mac} netns ${sandbox}`,
    `link set ${link.hostName} master ${link.bridge}`,
    `link set ${link.hostName} up`,
  ];
}

/** Inside the namespace: the address, up, and the default route through the first network's gateway. */
function insideSide(link: EndpointLink): string[] {
  return [
    `addr add ${link.address}/${link.prefix} dev ${link.name}`,
    `link set ${link.name} up`,
    ...(link.gateway ? [`route add default via ${link.gateway}`] : []),
  ];
}

/** An interface name as the host sees it: absent, made by the engine (it carries the mark), or someone else's. */
export type InterfaceOwner = 'absent' | 'ours' | 'foreign';

export class LinkDriver {
  /** A bridge with the gateway's address, marked as the engine's in the same `ip` run that makes it. */
  async createBridge(name: string, mark: string, gateway: string, prefix: number, mtu?: number): Promise<void> {
    await this.batch([
      `link add ${name} type bridge${mtu ? ` mtu ${mtu}` : ''}`,
      `link set ${name} alias ${mark}`,
      `addr add ${gateway}/${prefix} dev ${name}`,
      `link set ${name} up`,
    ]);
  }

  /** Deletes the bridge only when it carries `mark`; whether it did. */
  async deleteBridge(name: string, mark: string): Promise<boolean> {
    if (this.owner(name, mark) !== 'ours') return false;
    await this.batch([`link del ${name}`]);
    return true;
  }

  owner(name: string, mark: string): InterfaceOwner {
    if (!existsSync(`/sys/class/net/${name}`)) return 'absent';
    return aliasOf(name) === mark ? 'ours' : 'foreign';
  }

  /** An unmarked bridge the engine made before it marked them, taken back: marked now. */
  async claim(name: string, mark: string): Promise<void> {
    await this.batch([`link set ${name} alias ${mark}`]);
  }

  /** Whether the interface is a Linux bridge without any alias (see claim). */
  isUnmarkedBridge(name: string): boolean {
    return existsSync(`/sys/class/net/${name}/bridge`) && aliasOf(name) === '';
  }

  /** The host's interfaces whose mark starts with `prefix`, with their marks. */
  marked(prefix: string): Array<{ name: string; mark: string }> {
    return markedInterfaces(prefix);
  }

  /** The path runc joins for the container's network namespace. */
  sandboxPath(sandbox: string): string {
    return `${NETNS_DIR}/${sandbox}`;
  }

  /**
   * The container's namespace with its veths, in one `ip` run on the host's side; what is left to do inside it is
   * the monitor's (see SandboxNetwork).
   */
  async createSandbox(sandbox: string, links: readonly EndpointLink[]): Promise<SandboxNetwork> {
    if (existsSync(this.sandboxPath(sandbox))) await this.deleteSandbox(sandbox);
    await this.batch([`netns add ${sandbox}`, ...links.flatMap((link) => hostSide(sandbox, link))]);
    return { path: this.sandboxPath(sandbox), inside: links };
  }

  /**
   * Deleting the namespace deletes the veths in it, and so their host sides. A namespace made for a start is usually
   * gone already when its container ends: its monitor deletes it (see monitor.c), and this costs no process then.
   */
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

/** The host's interfaces whose alias (the engine's mark, `TAG:ID`) starts with `prefix`, with that mark. */
export function markedInterfaces(prefix: string): Array<{ name: string; mark: string }> {
  let names: string[] = [];
  try {
    names = readdirSync('/sys/class/net');
  } catch {
    return [];
  }
  return names.map((name) => ({ name, mark: aliasOf(name) })).filter(({ mark }) => mark.startsWith(prefix));
}

function aliasOf(name: string): string {
  try {
    return readFileSync(`/sys/class/net/${name}/ifalias`, 'utf8').trim();
  } catch {
    return '';
  }
}
