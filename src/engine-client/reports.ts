// What the engine reports about what runs on it, for the verbs that only look (top, stats, events, images): plain
// data in and out, as the rest of the engine client.
import { createInterface } from 'node:readline';
import type { Filters } from './containers.js';
import { statusOf } from './transport.js';
import type { Transport } from './transport.js';

export interface Processes {
  readonly titles: readonly string[];
  readonly processes: ReadonlyArray<readonly string[]>;
}

/** One sample of `GET /containers/{id}/stats`, as the engine sends it (docker's CLI reads the same fields). */
export interface StatsSample {
  readonly read?: string;
  readonly cpu_stats?: CpuStats;
  readonly precpu_stats?: CpuStats;
  readonly memory_stats?: { readonly usage?: number; readonly limit?: number; readonly stats?: Readonly<Record<string, number>> };
  readonly networks?: Readonly<Record<string, { readonly rx_bytes?: number; readonly tx_bytes?: number }>>;
  readonly blkio_stats?: { readonly io_service_bytes_recursive?: ReadonlyArray<{ readonly op?: string; readonly value?: number }> | null };
  readonly pids_stats?: { readonly current?: number };
}

interface CpuStats {
  readonly cpu_usage?: { readonly total_usage?: number; readonly percpu_usage?: readonly number[] | null };
  readonly system_cpu_usage?: number;
  readonly online_cpus?: number;
}

/** An event of `GET /events`. */
export interface EngineEvent {
  readonly Type?: string;
  readonly Action?: string;
  readonly Actor?: { readonly ID?: string; readonly Attributes?: Readonly<Record<string, string>> };
  readonly time?: number;
  /** Exact (a JSON number would lose the last digits). */
  readonly timeNano?: bigint;
}

/** The facts about an image `images` lists. */
export interface ImageFacts {
  readonly id: string;
  readonly size: number;
  /** Milliseconds since the epoch; absent when the engine does not say. */
  readonly created?: number;
  /** The engine's own RFC 3339 text of it. */
  readonly createdText?: string;
  readonly lastTagTime?: string;
  readonly os: string;
  readonly architecture: string;
  readonly variant?: string;
}

export interface Reports {
  top(id: string): Promise<Processes>;
  /** One sample (`stream=false`: the engine measures twice, about a second apart, so CPU use has a base). */
  stats(id: string): Promise<StatsSample>;
  /** Events as they happen (or between `since` and `until`), until `signal` aborts or `until` passes. */
  events(options: { since?: string; until?: string; filters: Filters; signal?: AbortSignal }): AsyncIterable<EngineEvent>;
  /** undefined when the engine does not have it. */
  image(reference: string): Promise<ImageFacts | undefined>;
}

export function reportsOf(engine: { readonly transport: Transport }): Reports {
  const { transport } = engine;
  return {
    async top(id) {
      const raw = await transport.request<{ Titles?: string[] | null; Processes?: string[][] | null }>('GET', `/containers/${encodeURIComponent(id)}/top`);
      return { titles: raw.Titles ?? [], processes: raw.Processes ?? [] };
    },
    stats: (id) => transport.request<StatsSample>('GET', `/containers/${encodeURIComponent(id)}/stats`, { query: { stream: false } }),
    async *events(options) {
      const stream = await transport.stream('GET', '/events', {
        query: { since: options.since, until: options.until, filters: JSON.stringify(options.filters) },
        ...(options.signal ? { signal: options.signal } : {}),
      });
      const lines = createInterface({ input: stream, crlfDelay: Infinity });
      const stop = (): void => {
        stream.destroy();
        lines.close();
      };
      options.signal?.addEventListener('abort', stop, { once: true });
      try {
        for await (const line of lines) {
          if (line.trim() === '') continue;
          const { timeNano: _inexact, ...event } = JSON.parse(line) as EngineEvent;
          const nanos = /"timeNano":\s*(\d+)/.exec(line)?.[1];
          yield nanos ? { ...event, timeNano: BigInt(nanos) } : event;
        }
      } catch (error) {
        if (!options.signal?.aborted) throw error;
      } finally {
        options.signal?.removeEventListener('abort', stop);
        stop();
      }
    },
    async image(reference) {
      try {
        const raw = await transport.request<{ Id: string; Size?: number; Created?: string; Os?: string; Architecture?: string; Variant?: string; Metadata?: { LastTagTime?: string } }>(
          'GET',
          `/images/${encodeURIComponent(reference)}/json`,
        );
        const created = raw.Created ? Date.parse(raw.Created) : Number.NaN;
        return {
          id: raw.Id,
          size: raw.Size ?? 0,
          ...(Number.isFinite(created) && created > 0 ? { created, createdText: raw.Created! } : {}),
          ...(raw.Metadata?.LastTagTime ? { lastTagTime: raw.Metadata.LastTagTime } : {}),
          os: raw.Os ?? '',
          architecture: raw.Architecture ?? '',
          ...(raw.Variant ? { variant: raw.Variant } : {}),
        };
      } catch (error) {
        if (statusOf(error) === 404) return undefined;
        throw error;
      }
    },
  };
}
