// Sync: the changed files of a batch, and only those, as one tar archive into every running replica of the service
// (in parallel); deleted paths removed in the container with `rm -rf`. Paths in the container are the rule's target
// joined with the path relative to the rule's path.
import { lstatSync, readFileSync, readlinkSync } from 'node:fs';
import { posix, relative, sep } from 'node:path';
import { collectEntries, tarArchive, tarStream } from '../apply/build/tar.js';
import type { TarEntry } from '../apply/build/tar.js';
import type { Engine } from '../engine-client/index.js';
import type { WatchRule } from './rules.js';

/** Files up to this size are read when the batch is planned; larger ones while they are sent. */
const READ_NOW_BYTES = 1024 * 1024;
/** Archives up to this size are made in memory once for every replica; larger ones are streamed to each. */
const IN_MEMORY_BYTES = 4 * 1024 * 1024;

export interface SyncPlan {
  /** Entries for the tar, paths relative to the container's root. */
  readonly entries: TarEntry[];
  /** Absolute paths in the container to remove. */
  readonly removed: string[];
}

/** What a batch means in the container, for one rule (its ignores applied). */
export function syncPlan(rule: WatchRule, changes: ReadonlyMap<string, boolean>): SyncPlan {
  const entries: TarEntry[] = [];
  const removed: string[] = [];
  for (const [path, exists] of changes) {
    if (rule.ignores(path)) continue;
    const inContainer = containerPath(rule, path);
    if (!exists) {
      removed.push(inContainer);
      continue;
    }
    let info;
    try {
      info = lstatSync(path);
    } catch {
      removed.push(inContainer);
      continue;
    }
    const name = inContainer.replace(/^\/+/, '');
    if (info.isDirectory()) {
      entries.push({ path: name, type: 'directory', mode: info.mode & 0o7777 });
      const below = collectEntries(path, (relativePath) => rule.ignores(`${path}/${relativePath}`));
      entries.push(...below.map((entry) => ({ ...entry, path: `${name}/${entry.path}` })));
    } else if (info.isSymbolicLink()) entries.push({ path: name, type: 'symlink', mode: info.mode & 0o7777, target: readlinkSync(path) });
    else if (info.isFile()) {
      const mode = info.mode & 0o7777;
      // Small files are read now; a large one as the archive is streamed (see syncSender).
      entries.push(info.size <= READ_NOW_BYTES ? { path: name, type: 'file', mode, content: readFileSync(path) } : { path: name, type: 'file', mode, source: path, size: info.size });
    }
  }
  return { entries, removed };
}

/** The whole rule path, for initial_sync. */
export function fullSyncPlan(rule: WatchRule): SyncPlan {
  return syncPlan(rule, new Map([[rule.path, true]]));
}

function containerPath(rule: WatchRule, path: string): string {
  const inRule = relative(rule.path, path).split(sep).join('/');
  return inRule === '' ? rule.target! : posix.join(rule.target!, inRule);
}

/** Sends the plan to each container; resolves once every replica has it. */
export async function applySync(engine: Engine, containers: readonly string[], plan: SyncPlan): Promise<void> {
  const send = syncSender(engine, plan);
  await Promise.all(containers.map(send));
}

/**
 * What sends the plan to one container. A small archive (the usual edit) is made once in memory, for every
 * replica; a large one (an initial_sync, a directory copied in) is streamed to each, its files read as it goes,
 * so that its size costs no memory and nothing is written to disk.
 */
export function syncSender(engine: Engine, plan: SyncPlan): (id: string) => Promise<void> {
  const bytes = plan.entries.reduce((sum, entry) => sum + (entry.content?.length ?? entry.size ?? 0), 0);
  const inMemory = plan.entries.length > 0 && bytes <= IN_MEMORY_BYTES ? tarArchive(plan.entries) : undefined;
  return async (id) => {
    if (plan.removed.length > 0) await engine.containers.exec(id, { command: ['rm', '-rf', '--', ...plan.removed] });
    if (plan.entries.length > 0) await engine.containers.putArchive(id, '/', inMemory ?? tarStream(plan.entries));
  };
}
