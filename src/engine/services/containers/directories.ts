// A container's directory on disk goes in two steps: one rename moves it out of the containers' listing (made
// durable), then it is deleted. A crash in between leaves it where the next start finishes the job, never a
// half-deleted container that still lists.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { unmountUnder } from '../../runtime/tools.js';
import { syncDirectory } from '../../store/files.js';
import type { Layout } from '../../store/layout.js';

/**
 * The removal is durable when this returns (the directory is out of the listing); the promise settles once its files
 * are deleted, which a caller answering a client need not wait for.
 */
export function removeContainerDirectory(layout: Layout, id: string): Promise<void> {
  const from = layout.container(id);
  if (!existsSync(from)) return Promise.resolve();
  mkdirSync(layout.removedContainers, { recursive: true });
  const to = join(layout.removedContainers, `${id}-${Date.now()}`);
  renameSync(from, to);
  syncDirectory(layout.containers);
  return rm(to, { recursive: true, force: true });
}

/** Deletes what removals moved aside but did not finish deleting (anything still mounted there detached first). */
export async function finishRemovals(layout: Layout): Promise<number> {
  if (!existsSync(layout.removedContainers)) return 0;
  const left = readdirSync(layout.removedContainers);
  for (const entry of left) {
    const path = join(layout.removedContainers, entry);
    await unmountUnder(path);
    rmSync(path, { recursive: true, force: true });
  }
  return left.length;
}
