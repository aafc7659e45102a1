// A file or directory held by a descriptor, made a mount source runc can use: runc mounts in the container's new
// mount namespace, where a bind of /proc/<engine>/fd/<n> is refused (the source must be in the caller's
// namespace), so the descriptor is first bind-mounted on a private mount point under the engine's root, by
// `mount` given the descriptor itself (no path is looked up again, as dockerd does for volume subpaths); that
// mount point is the source until runc has made its mounts.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, fstatSync, lstatSync, mkdirSync, readdirSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../errors.js';
import { isMountPoint, runProgram } from './tools.js';

const PREFIX = 'pinned-';

export interface PinnedMount {
  /** The mount point to hand runc as the source. */
  readonly source: string;
  /** Unmounts and removes the mount point, and closes the descriptor. */
  release(): Promise<void>;
}

/** Mounts what `fd` holds on a new mount point under `tmp`; `fd` is the caller's no more (release closes it). */
export async function pinnedMount(fd: number, tmp: string): Promise<PinnedMount> {
  const source = join(tmp, `${PREFIX}${randomBytes(8).toString('hex')}`);
  const release = async (): Promise<void> => {
    await unmountAndRemove(source);
    closeSync(fd);
  };
  try {
    const pinned = fstatSync(fd);
    if (pinned.isDirectory()) mkdirSync(source);
    else writeFileSync(source, '', { flag: 'wx' });
    const result = await new Promise<number>((resolve) => {
      const child = spawn('mount', ['--no-canonicalize', '--bind', '/proc/self/fd/3', source], { stdio: ['ignore', 'ignore', 'ignore', fd] });
      child.on('error', () => resolve(127));
      child.on('close', (code) => resolve(code ?? 1));
    });
    // What is mounted must be what the engine holds, not whatever the path leads to now.
    const mounted = statSync(source);
    if (result !== 0 || mounted.dev !== pinned.dev || mounted.ino !== pinned.ino) throw new EngineError('internal', 'could not pin a volume subpath for its mount');
  } catch (error) {
    await release();
    throw error;
  }
  return { source, release };
}

/** Mount points left by an engine that stopped before releasing them (at start). */
export async function releaseLeftovers(tmp: string): Promise<void> {
  let names: string[];
  try {
    names = readdirSync(tmp).filter((name) => name.startsWith(PREFIX));
  } catch {
    return;
  }
  for (const name of names) await unmountAndRemove(join(tmp, name));
}

/** Never a recursive removal: if the unmount failed, what is mounted there stays untouched. */
async function unmountAndRemove(path: string): Promise<void> {
  if (isMountPoint(path)) await runProgram('umount', ['-l', path]);
  try {
    if (lstatSync(path).isDirectory()) rmdirSync(path);
    else unlinkSync(path);
  } catch {
    // not made, or still mounted: left for the next start
  }
}
