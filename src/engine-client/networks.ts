// Networks over the Engine API.
import type { Filters } from './containers.js';
import { statusOf } from './transport.js';
import type { Transport } from './transport.js';

export interface NetworkSummary {
  readonly id: string;
  readonly name: string;
  readonly driver: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Container ids attached (inspect only). */
  readonly containers?: readonly string[];
}

export interface NetworkCreate {
  readonly Name: string;
  readonly Driver?: string;
  readonly Options?: Readonly<Record<string, string>>;
  readonly IPAM?: unknown;
  readonly Internal?: boolean;
  readonly Attachable?: boolean;
  readonly EnableIPv6?: boolean;
  readonly EnableIPv4?: boolean;
  readonly Labels: Readonly<Record<string, string>>;
  readonly CheckDuplicate?: boolean;
}

export interface Networks {
  list(filters: Filters): Promise<NetworkSummary[]>;
  inspect(idOrName: string): Promise<NetworkSummary | undefined>;
  create(body: NetworkCreate): Promise<string>;
  remove(id: string): Promise<void>;
  connect(network: string, container: string, endpointConfig?: unknown): Promise<void>;
  disconnect(network: string, container: string, force?: boolean): Promise<void>;
}

interface RawNetwork {
  Id: string;
  Name: string;
  Driver?: string;
  Labels?: Record<string, string> | null;
  Containers?: Record<string, unknown> | null;
}

const summary = (raw: RawNetwork): NetworkSummary => ({
  id: raw.Id,
  name: raw.Name,
  driver: raw.Driver ?? '',
  labels: raw.Labels ?? {},
  ...(raw.Containers ? { containers: Object.keys(raw.Containers) } : {}),
});

export function networks(transport: Transport): Networks {
  const { request } = transport;
  return {
    async list(filters) {
      return (await request<RawNetwork[]>('GET', '/networks', { query: { filters: JSON.stringify(filters) } })).map(summary);
    },
    async inspect(idOrName) {
      try {
        return summary(await request<RawNetwork>('GET', `/networks/${encodeURIComponent(idOrName)}`));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async create(body) {
      return (await request<{ Id: string }>('POST', '/networks/create', { body })).Id;
    },
    async remove(id) {
      await request('DELETE', `/networks/${encodeURIComponent(id)}`);
    },
    async connect(network, container, endpointConfig) {
      await request('POST', `/networks/${encodeURIComponent(network)}/connect`, {
        body: { Container: container, ...(endpointConfig ? { EndpointConfig: endpointConfig } : {}) },
      });
    },
    async disconnect(network, container, force) {
      await request('POST', `/networks/${encodeURIComponent(network)}/disconnect`, { body: { Container: container, Force: force ?? false } });
    },
  };
}
