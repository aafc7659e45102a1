// A container's directory on disk goes in two steps: one rename moves it out of the containers' listing (made
// durable), then it is deleted. A crash in between leaves it where the next start finishes the job, never a
// half-deleted container that still lists.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { unmountUnder } from '../../runtime/tools.js';
import type { Layout } from '../../store/layout.js';

/**
 * Resolves once the removal is durable (the directory is out of the listing), with `deleted`, which settles once its
 * files are deleted: a caller answering a client need not wait for that. The flush of the listing waits in libuv's
 * pool, not on the event loop (a hundred removals of a `down` each held it for a flush before).
 */
export async function removeContainerDirectory(layout: Layout, id: string): Promise<{ deleted: Promise<void> }> {
  const from = layout.container(id);
  if (!existsSync(from)) return { deleted: Promise.resolve() };
  mkdirSync(layout.removedContainers, { recursive: true });
  const to = join(layout.removedContainers, `${id}-${Date.now()}`);
  renameSync(from, to);
  const listing = await open(layout.containers, 'r');
  try {
    await listing.sync();
  } finally {
    await listing.close();
  }
  return { deleted: rm(to, { recursive: true, force: true }) };
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
