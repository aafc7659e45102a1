// Volumes over the Engine API.
import type { Filters } from './containers.js';
import { statusOf } from './transport.js';
import type { Transport } from './transport.js';

export interface VolumeSummary {
  readonly name: string;
  readonly driver: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly mountpoint: string;
}

export interface VolumeCreate {
  readonly Name: string;
  readonly Driver?: string;
  readonly DriverOpts?: Readonly<Record<string, string>>;
  readonly Labels: Readonly<Record<string, string>>;
}

export interface Volumes {
  list(filters: Filters): Promise<VolumeSummary[]>;
  inspect(name: string): Promise<VolumeSummary | undefined>;
  create(body: VolumeCreate): Promise<void>;
  remove(name: string, force?: boolean): Promise<void>;
}

interface RawVolume {
  Name: string;
  Driver?: string;
  Labels?: Record<string, string> | null;
  Mountpoint?: string;
}

const summary = (raw: RawVolume): VolumeSummary => ({
  name: raw.Name,
  driver: raw.Driver ?? '',
  labels: raw.Labels ?? {},
  mountpoint: raw.Mountpoint ?? '',
});

export function volumes(transport: Transport): Volumes {
  const { request } = transport;
  return {
    async list(filters) {
      const raw = await request<{ Volumes?: RawVolume[] | null }>('GET', '/volumes', { query: { filters: JSON.stringify(filters) } });
      return (raw.Volumes ?? []).map(summary);
    },
    async inspect(name) {
      try {
        return summary(await request<RawVolume>('GET', `/volumes/${encodeURIComponent(name)}`));
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
    async create(body) {
      await request('POST', '/volumes/create', { body });
    },
    async remove(name, force) {
      await request('DELETE', `/volumes/${encodeURIComponent(name)}`, { query: { force } });
    },
  };
}
