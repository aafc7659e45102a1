// The only code that runs runc: a container is started through its monitor (berth-monitor), signalled, paused and
// deleted with runc itself; its root filesystem is an overlay mount of the image layers and a private upper dir.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../errors.js';
import { writeJsonAtomic } from '../store/files.js';
import type { Layout } from '../store/layout.js';
import { isMountPoint, mustRun, runProgram } from './tools.js';
import type { Tools } from './tools.js';

/** Where runc keeps container state when running as root (its --root default). */
const RUNC_STATE = '/run/runc';

export interface RootfsMount {
  rootfs: string;
  options: string;
}

export class RuncDriver {
  constructor(
    private readonly tools: Tools,
    private readonly layout: Layout,
  ) {}

  async mountRootfs(id: string, lowerDirs: readonly string[]): Promise<string> {
    const overlay = this.overlay(id, lowerDirs);
    if (overlay) await mustRun('mount', ['-t', 'overlay', 'overlay', '-o', overlay.options, overlay.rootfs]);
    return this.layout.rootfs(id);
  }

  /** The overlay mount of a container's root filesystem, its directories made; undefined when it is mounted. */
  overlay(id: string, lowerDirs: readonly string[]): RootfsMount | undefined {
    const rootfs = this.layout.rootfs(id);
    if (isMountPoint(rootfs)) return undefined;
    for (const dir of [rootfs, this.layout.upper(id), this.layout.work(id)]) mkdirSync(dir, { recursive: true });
    let lowers = [...lowerDirs].reverse();
    if (lowers.length === 0) {
      const empty = join(this.layout.container(id), 'empty');
      mkdirSync(empty, { recursive: true });
      lowers = [empty];
    }
    return { rootfs, options: `lowerdir=${lowers.join(':')},upperdir=${this.layout.upper(id)},workdir=${this.layout.work(id)}` };
  }

  async unmountRootfs(id: string): Promise<void> {
    const rootfs = this.layout.rootfs(id);
    if (isMountPoint(rootfs)) await mustRun('umount', ['-l', rootfs]);
  }

  /**
   * Starts the container through its monitor; resolves with the container's pid once it runs. With `tty` it gets a
   * terminal; with `stdin` its input stays open, fed through the FIFO `stdin` in its directory. Given `mount`, the
   * monitor mounts the root filesystem itself, and detaches it when the container ends.
   */
  async start(id: string, spec: object, io: { tty: boolean; stdin: boolean }, mount?: RootfsMount): Promise<number> {
    writeJsonAtomic(join(this.layout.bundle(id), 'config.json'), spec);
    const result = await runProgram(this.tools.monitor, [
      ...(io.tty ? ['-t'] : []),
      ...(io.stdin ? ['-i'] : []),
      ...(mount ? ['-o', mount.options, '-r', mount.rootfs] : []),
      this.tools.runc,
      this.layout.bundle(id),
      id,
      this.layout.log(id),
      this.layout.exitFile(id),
      this.layout.pidFile(id),
    ]);
    if (result.code !== 0) throw new EngineError('invalid', runcMessage(result.stderr) || 'the container did not start');
    return Number(readFileSync(this.layout.pidFile(id), 'utf8').trim());
  }

  async kill(id: string, signal: string): Promise<void> {
    const result = await runProgram(this.tools.runc, ['kill', id, signal.replace(/^SIG/, '')]);
    if (result.code !== 0 && !/not running|does not exist|container not found/.test(result.stderr)) {
      throw new EngineError('internal', runcMessage(result.stderr));
    }
  }

  async pause(id: string): Promise<void> {
    await mustRun(this.tools.runc, ['pause', id]);
  }

  async resume(id: string): Promise<void> {
    await mustRun(this.tools.runc, ['resume', id]);
  }

  /**
   * Removes what runc still keeps of a container (after a crash, or a kill that left it behind). `runc run` cleans up
   * after itself when the container ends, so this only costs a process when there is something to remove.
   */
  async deleteStale(id: string): Promise<void> {
    if (existsSync(join(RUNC_STATE, id))) await runProgram(this.tools.runc, ['delete', '--force', id]);
  }

  /** How the container ended, as its monitor recorded it ("CODE" or "CODE oom"); undefined while it runs. */
  exit(id: string): { code: number; oomKilled: boolean } | undefined {
    let text: string;
    try {
      text = readFileSync(this.layout.exitFile(id), 'utf8');
    } catch {
      return undefined;
    }
    const [code, note] = text.trim().split(' ');
    return { code: Number.isInteger(Number(code)) ? Number(code) : 255, oomKilled: note === 'oom' };
  }

  /** The host pids of the container's processes. */
  async pids(id: string): Promise<number[]> {
    const output = await mustRun(this.tools.runc, ['ps', '--format', 'json', id]);
    return (JSON.parse(output) as number[] | null) ?? [];
  }
}


/** runc logs `time="..." level=error msg="..."`: the message is what users need. */
function runcMessage(stderr: string): string {
  const found = /msg="((?:[^"\\]|\\.)*)"/.exec(stderr);
  return (found ? found[1]!.replace(/\\"/g, '"') : stderr).trim();
}

export function processAlive(pid: number): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
