// Published ports, served by a userland proxy in the engine (no iptables): a listener on the host address and port
// for each binding, relaying TCP connections and UDP datagrams to the container's address.
import { createSocket } from 'node:dgram';
import type { Socket as UdpSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import type { Server } from 'node:net';
import { EngineError } from '../errors.js';

export interface PortBinding {
  readonly containerPort: number;
  readonly protocol: 'tcp' | 'udp';
  readonly hostIp: string;
  /** The port asked for: 0 for any free one; with `hostPortEnd`, the first free one of the range. */
  readonly hostPort: number;
  readonly hostPortEnd?: number;
}

export interface BoundPort extends PortBinding {
  /** The port actually listened on. */
  readonly boundPort: number;
}

type Listener = { close(): void };

const UDP_IDLE_MS = 30_000;

export class PortProxies {
  private readonly listeners = new Map<string, Listener[]>();

  /** Listens on every binding, relaying to `target`; all or none (a taken port closes what was opened). */
  async open(owner: string, target: string, bindings: readonly PortBinding[]): Promise<BoundPort[]> {
    const opened: Listener[] = [];
    const bound: BoundPort[] = [];
    try {
      for (const binding of bindings) {
        const { listener, port } = await listenInRange(binding, target);
        opened.push(listener);
        bound.push({ ...binding, boundPort: port });
      }
    } catch (error) {
      for (const listener of opened) listener.close();
      throw error;
    }
    this.listeners.set(owner, [...(this.listeners.get(owner) ?? []), ...opened]);
    return bound;
  }

  close(owner: string): void {
    for (const listener of this.listeners.get(owner) ?? []) listener.close();
    this.listeners.delete(owner);
  }

  closeAll(): void {
    for (const owner of [...this.listeners.keys()]) this.close(owner);
  }
}

/** A range of host ports: the first that is free; the error of the last one when none is. */
async function listenInRange(binding: PortBinding, target: string): Promise<{ listener: Listener; port: number }> {
  const last = binding.hostPortEnd ?? binding.hostPort;
  for (let port = binding.hostPort; ; port++) {
    const attempt = { ...binding, hostPort: port };
    try {
      return binding.protocol === 'udp' ? await listenUdp(attempt, target) : await listenTcp(attempt, target);
    } catch (error) {
      if (port >= last) throw error;
    }
  }
}

function portTaken(binding: PortBinding, error: NodeJS.ErrnoException): EngineError {
  const where = `${binding.hostIp || '0.0.0.0'}:${binding.hostPort}`;
  if (error.code === 'EADDRINUSE') return new EngineError('internal', `Bind for ${where} failed: port is already allocated`);
  return new EngineError('internal', `error while publishing ${where}/${binding.protocol}: ${error.message}`);
}

function listenTcp(binding: PortBinding, target: string): Promise<{ listener: Listener; port: number }> {
  const server: Server = createServer((client) => {
    const upstream = connect({ host: target, port: binding.containerPort });
    client.pipe(upstream).pipe(client);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => reject(portTaken(binding, error)));
    server.listen({ host: binding.hostIp || '0.0.0.0', port: binding.hostPort, exclusive: true }, () => {
      const address = server.address();
      resolve({ listener: { close: () => server.close() }, port: typeof address === 'object' && address ? address.port : binding.hostPort });
    });
  });
}

/** UDP: one socket toward the container per client address, dropped after a quiet half minute. */
function listenUdp(binding: PortBinding, target: string): Promise<{ listener: Listener; port: number }> {
  const front = createSocket('udp4');
  const clients = new Map<string, { socket: UdpSocket; timer: NodeJS.Timeout }>();
  front.on('message', (message, remote) => {
    const key = `${remote.address}:${remote.port}`;
    let client = clients.get(key);
    if (!client) {
      const socket = createSocket('udp4');
      socket.on('message', (reply) => front.send(reply, remote.port, remote.address));
      socket.on('error', () => {});
      client = { socket, timer: setTimeout(() => {}, 0) };
      clients.set(key, client);
    }
    clearTimeout(client.timer);
    const current = client;
    current.timer = setTimeout(() => {
      current.socket.close();
      clients.delete(key);
    }, UDP_IDLE_MS);
    current.socket.send(message, binding.containerPort, target);
  });
  return new Promise((resolve, reject) => {
    front.once('error', (error: NodeJS.ErrnoException) => reject(portTaken(binding, error)));
    front.bind({ address: binding.hostIp || '0.0.0.0', port: binding.hostPort, exclusive: true }, () => {
      front.removeAllListeners('error');
      front.on('error', () => {});
      const close = (): void => {
        for (const client of clients.values()) {
          clearTimeout(client.timer);
          client.socket.close();
        }
        clients.clear();
        front.close();
      };
      resolve({ listener: { close }, port: front.address().port });
    });
  });
}
