// The engine's containers: the records in memory, each written to disk on every change, found by id, id prefix or
// name, and the questions other services ask of them (who uses this image, volume, network).
import { existsSync, readdirSync } from 'node:fs';
import { invalid, notFound } from '../../errors.js';
import { readJsonFile, StateFiles } from '../../store/files.js';
import type { Layout } from '../../store/layout.js';
import type { ContainerRecord } from '../container-record.js';
import type { Logger } from '../logger.js';

/** An id, a unique id prefix, or a name (with or without its slash), as dockerd resolves container references. */
export function findContainer(records: ReadonlyMap<string, ContainerRecord>, reference: string): ContainerRecord {
  const byId = records.get(reference);
  if (byId) return byId;
  const name = reference.replace(/^\//, '');
  for (const record of records.values()) if (record.name === name) return record;
  const matches = [...records.values()].filter((record) => record.id.startsWith(reference));
  if (matches.length === 1) return matches[0]!;
  if (matches.length > 1) throw invalid(`multiple IDs found with provided prefix: ${reference}`);
  throw notFound(`No such container: ${reference}`);
}

export interface LoadedContainers {
  readonly records: ContainerRecord[];
  /** Container directories without a record: a create that died before its first write. */
  readonly withoutRecord: string[];
  /** Container directories whose record could not be read back (moved aside and logged). */
  readonly unreadable: string[];
}

export class ContainerTable {
  private readonly records = new Map<string, ContainerRecord>();
  private readonly files = new StateFiles();

  constructor(
    private readonly layout: Layout,
    private readonly log: Logger,
  ) {}

  /** Reads every record the engine kept on disk into the table. */
  load(): LoadedContainers {
    const loaded = { records: [] as ContainerRecord[], withoutRecord: [] as string[], unreadable: [] as string[] };
    if (!existsSync(this.layout.containers)) return loaded;
    for (const id of readdirSync(this.layout.containers)) {
      const path = this.layout.containerRecord(id);
      const present = existsSync(path);
      const record = present ? readJsonFile<ContainerRecord>(path, this.log) : undefined;
      if (!present) loaded.withoutRecord.push(id);
      else if (!record || record.id !== id) loaded.unreadable.push(id);
      else {
        this.records.set(id, record);
        loaded.records.push(record);
      }
    }
    return loaded;
  }

  get(reference: string): ContainerRecord {
    return findContainer(this.records, reference);
  }

  /** By exact id; undefined once removed. */
  byId(id: string): ContainerRecord | undefined {
    return this.records.get(id);
  }

  has(id: string): boolean {
    return this.records.has(id);
  }

  /** Newest first. */
  all(): ContainerRecord[] {
    return [...this.records.values()].sort((a, b) => (a.created < b.created ? 1 : -1));
  }

  /** The container holding the name, if any. */
  named(name: string): ContainerRecord | undefined {
    for (const record of this.records.values()) if (record.name === name) return record;
    return undefined;
  }

  /**
   * Records the container in memory at once, and durably on disk by the time the promise resolves (see
   * store/files.ts); a step that must survive a crash of the engine waits for it.
   */
  save(record: ContainerRecord): Promise<void> {
    this.records.set(record.id, record);
    return this.files.write(this.layout.containerRecord(record.id), record);
  }

  /** Resolves once the writes of the container's record asked for so far are done. */
  settled(id: string): Promise<void> {
    return this.files.settled(this.layout.containerRecord(id));
  }

  forget(id: string): void {
    this.records.delete(id);
  }

  imageUser(imageId: string): string | undefined {
    for (const record of this.records.values()) if (record.imageId === imageId) return record.id;
    return undefined;
  }

  /** Ids of the containers that mount the volume. */
  volumeUsers(name: string): string[] {
    return [...this.records.values()].filter((record) => record.mounts.some((mount) => mount.name === name)).map((record) => record.id);
  }

  /** Ids of the containers with an endpoint on the network. */
  networkUsers(networkId: string): string[] {
    return [...this.records.values()].filter((record) => Object.values(record.networks ?? {}).some((endpoint) => endpoint.networkId === networkId)).map((record) => record.id);
  }
}
