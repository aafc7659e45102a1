// Name resolution on user-defined networks: one DNS server per network, on its gateway address, over UDP and TCP,
// answering the names and aliases of the containers on that network (every replica's address), and forwarding other
// names to the container's own DNS servers or the host's resolvers (UDP queries over UDP, TCP queries over TCP).
import { createSocket } from 'node:dgram';
import type { RemoteInfo, Socket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import type { Server, Socket as TcpSocket } from 'node:net';
import { EngineError } from '../errors.js';
import { buildAnswer, parseQuery, RCODE_NXDOMAIN, RCODE_SERVFAIL, TYPE_A, UDP_MESSAGE_LIMIT } from './dns-message.js';
import type { Question } from './dns-message.js';

export interface NameSource {
  /** The addresses a name has on the network, or undefined when no container there has that name. */
  lookup(networkId: string, name: string): string[] | undefined;
  /** Where to forward what the network does not know, for the container at `source`. */
  upstreams(networkId: string, source: string): string[];
}

const FORWARD_TIMEOUT_MS = 5000;
/** A TCP client that sends nothing for this long is dropped (RFC 7766 suggests seconds). */
const TCP_IDLE_MS = 10_000;
/** Connections one network's server holds at once; more wait in the kernel's backlog. */
const TCP_CONNECTIONS = 64;

type Reply = (message: Buffer) => void;

interface Listeners {
  readonly address: string;
  readonly udp: Socket;
  readonly tcp: Server;
}

export class NetworkResolver {
  private readonly servers = new Map<string, Listeners>();

  constructor(private readonly names: NameSource) {}

  /** Serves the network on `address`:53, UDP and TCP; once per network. */
  listen(networkId: string, address: string): Promise<void> {
    if (this.servers.has(networkId)) return Promise.resolve();
    // Address reuse: a socket another process left on this address (an engine of an older berth kept its resolver
    // after its network had gone) must not keep this network from being served; the newest socket gets the datagrams.
    const udp = createSocket({ type: 'udp4', reuseAddr: true });
    udp.on('message', (packet, remote) => this.answerUdp(networkId, udp, packet, remote));
    const tcp = createServer({ allowHalfOpen: true }, (client) => this.serveTcp(networkId, client));
    tcp.maxConnections = TCP_CONNECTIONS;
    this.servers.set(networkId, { address, udp, tcp });
    const bound = Promise.all([
      new Promise<void>((resolve, reject) => {
        udp.once('error', reject);
        udp.bind(53, address, () => resolve());
      }),
      new Promise<void>((resolve, reject) => {
        tcp.once('error', reject);
        tcp.listen({ host: address, port: 53 }, () => resolve());
      }),
    ]);
    return bound.then(
      () => {
        udp.on('error', () => {});
        tcp.on('error', () => {});
      },
      (error: Error) => {
        this.close(networkId);
        throw new EngineError('internal', `cannot serve DNS for the network on ${address}:53: ${error.message}`);
      },
    );
  }

  close(networkId: string): void {
    const server = this.servers.get(networkId);
    if (!server) return;
    this.servers.delete(networkId);
    try {
      server.udp.close();
    } catch {
      // not bound yet
    }
    server.tcp.close();
  }

  closeAll(): void {
    for (const id of [...this.servers.keys()]) this.close(id);
  }

  private answerUdp(networkId: string, socket: Socket, packet: Buffer, remote: RemoteInfo): void {
    this.answer(networkId, remote.address, packet, 'udp', (message) => socket.send(message, remote.port, remote.address));
  }

  /**
   * DNS over TCP: each message prefixed by its length (two bytes), several per connection, each answered when its
   * answer is ready; a client that half-closes after asking (as `nc` does) still gets its answers, then the end.
   */
  private serveTcp(networkId: string, client: TcpSocket): void {
    let pending = Buffer.alloc(0);
    let unanswered = 0;
    let ended = false;
    const finish = (): void => {
      if (ended && unanswered === 0) client.end();
    };
    client.setTimeout(TCP_IDLE_MS, () => client.destroy());
    client.on('error', () => client.destroy());
    client.on('end', () => {
      ended = true;
      finish();
    });
    client.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      while (pending.length >= 2 && pending.length >= 2 + pending.readUInt16BE(0)) {
        const message = pending.subarray(2, 2 + pending.readUInt16BE(0));
        pending = pending.subarray(2 + message.length);
        unanswered += 1;
        const answering = this.answer(networkId, client.remoteAddress ?? '', message, 'tcp', (reply) => {
          unanswered -= 1;
          if (!client.destroyed) client.write(framed(reply));
          finish();
        });
        if (!answering) unanswered -= 1;
      }
      finish();
    });
  }

  /** Answers the query through `reply` (at once, or once forwarded); false for anything that is not a query. */
  private answer(networkId: string, source: string, packet: Buffer, transport: 'udp' | 'tcp', reply: Reply): boolean {
    const question = parseQuery(packet);
    if (!question) return false;
    const limit = transport === 'udp' ? UDP_MESSAGE_LIMIT : undefined;
    const addresses = this.names.lookup(networkId, question.name);
    if (addresses) {
      // A known name: its IPv4 addresses; an empty answer for other types (so resolvers do not look elsewhere).
      reply(buildAnswer(question, question.type === TYPE_A ? addresses : [], 0, { limit }));
      return true;
    }
    // Never to a server of this engine's own (a container told to use its gateway as DNS would loop).
    const own = new Set([...this.servers.values()].map((server) => server.address));
    const upstreams = this.names.upstreams(networkId, source).filter((upstream) => !own.has(upstream));
    if (upstreams.length === 0 || !question.name.includes('.')) {
      reply(buildAnswer(question, [], RCODE_NXDOMAIN));
      return true;
    }
    const relay = transport === 'udp' ? forwardUdp : forwardTcp;
    relay(packet, upstreams, (answer) => reply(answer ?? failure(question)));
    return true;
  }
}

function failure(question: Question): Buffer {
  return buildAnswer(question, [], RCODE_SERVFAIL);
}

function framed(message: Buffer): Buffer {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(message.length);
  return Buffer.concat([length, message]);
}

/** Relays the query to the first upstream that answers in time, over UDP (a truncated answer goes back as it is). */
function forwardUdp(packet: Buffer, upstreams: readonly string[], done: (reply: Buffer | undefined) => void): void {
  const [upstream, ...rest] = upstreams;
  if (!upstream) return done(undefined);
  const client = createSocket(upstream.includes(':') ? 'udp6' : 'udp4');
  const next = (): void => {
    clearTimeout(timer);
    client.close();
    forwardUdp(packet, rest, done);
  };
  const timer = setTimeout(next, FORWARD_TIMEOUT_MS);
  client.on('error', next);
  client.on('message', (reply) => {
    clearTimeout(timer);
    client.close();
    done(reply);
  });
  client.send(packet, 53, upstream);
}

/** The same over TCP: one connection per query, the answer read whole. */
function forwardTcp(packet: Buffer, upstreams: readonly string[], done: (reply: Buffer | undefined) => void): void {
  const [upstream, ...rest] = upstreams;
  if (!upstream) return done(undefined);
  const socket = connect({ host: upstream, port: 53 });
  let received = Buffer.alloc(0);
  let finished = false;
  const settle = (reply: Buffer | undefined): void => {
    if (finished) return;
    finished = true;
    socket.destroy();
    if (reply) done(reply);
    else forwardTcp(packet, rest, done);
  };
  socket.setTimeout(FORWARD_TIMEOUT_MS, () => settle(undefined));
  socket.on('error', () => settle(undefined));
  socket.on('close', () => settle(undefined));
  socket.on('connect', () => socket.write(framed(packet)));
  socket.on('data', (chunk) => {
    received = Buffer.concat([received, chunk]);
    if (received.length >= 2 && received.length >= 2 + received.readUInt16BE(0)) settle(received.subarray(2, 2 + received.readUInt16BE(0)));
  });
}
