// Name resolution on user-defined networks: one DNS server per network, on its gateway address, answering the
// names and aliases of the containers on that network (every replica's address), and forwarding other names to the
// container's own DNS servers or the host's resolvers.
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { buildAnswer, parseQuery, RCODE_NXDOMAIN, RCODE_SERVFAIL, TYPE_A } from './dns-message.js';

export interface NameSource {
  /** The addresses a name has on the network, or undefined when no container there has that name. */
  lookup(networkId: string, name: string): string[] | undefined;
  /** Where to forward what the network does not know, for the container at `source`. */
  upstreams(networkId: string, source: string): string[];
}

const FORWARD_TIMEOUT_MS = 5000;

export class NetworkResolver {
  private readonly sockets = new Map<string, Socket>();

  constructor(private readonly names: NameSource) {}

  listen(networkId: string, address: string): Promise<void> {
    if (this.sockets.has(networkId)) return Promise.resolve();
    const socket = createSocket({ type: 'udp4', reuseAddr: true });
    socket.on('message', (packet, remote) => this.answer(networkId, socket, packet, remote));
    socket.on('error', () => {});
    this.sockets.set(networkId, socket);
    return new Promise((resolve, reject) => {
      socket.once('error', (error) => {
        this.sockets.delete(networkId);
        reject(error);
      });
      socket.bind(53, address, () => resolve());
    });
  }

  close(networkId: string): void {
    this.sockets.get(networkId)?.close();
    this.sockets.delete(networkId);
  }

  closeAll(): void {
    for (const id of [...this.sockets.keys()]) this.close(id);
  }

  private answer(networkId: string, socket: Socket, packet: Buffer, remote: RemoteInfo): void {
    const question = parseQuery(packet);
    if (!question) return;
    const addresses = this.names.lookup(networkId, question.name);
    if (addresses) {
      // A known name: its IPv4 addresses; an empty answer for other types (so resolvers do not look elsewhere).
      socket.send(buildAnswer(question, question.type === TYPE_A ? addresses : []), remote.port, remote.address);
      return;
    }
    const upstreams = this.names.upstreams(networkId, remote.address);
    if (upstreams.length === 0 || !question.name.includes('.')) {
      socket.send(buildAnswer(question, [], RCODE_NXDOMAIN), remote.port, remote.address);
      return;
    }
    this.forward(packet, upstreams, (reply) => socket.send(reply ?? buildAnswer(question, [], RCODE_SERVFAIL), remote.port, remote.address));
  }

  /** Relays the query to the first upstream that answers in time. */
  private forward(packet: Buffer, upstreams: readonly string[], done: (reply: Buffer | undefined) => void): void {
    const [upstream, ...rest] = upstreams;
    if (!upstream) return done(undefined);
    const client = createSocket(upstream.includes(':') ? 'udp6' : 'udp4');
    const timer = setTimeout(() => {
      client.close();
      this.forward(packet, rest, done);
    }, FORWARD_TIMEOUT_MS);
    client.on('error', () => {
      clearTimeout(timer);
      client.close();
      this.forward(packet, rest, done);
    });
    client.on('message', (reply) => {
      clearTimeout(timer);
      client.close();
      done(reply);
    });
    client.send(packet, 53, upstream);
  }
}
