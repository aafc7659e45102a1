// The only code that runs runc: a container is started through its monitor (berth-monitor), signalled, paused and
// deleted with runc itself; its root filesystem is an overlay mount of the image layers and a private upper dir.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../errors.js';
import { writeJsonAtomic } from '../store/files.js';
import type { Layout } from '../store/layout.js';
import { mustRun, runProgram } from './tools.js';
import type { Tools } from './tools.js';

/** Where runc keeps container state when running as root (its --root default). */
const RUNC_STATE = '/run/runc';

export class RuncDriver {
  constructor(
    private readonly tools: Tools,
    private readonly layout: Layout,
  ) {}

  async mountRootfs(id: string, lowerDirs: readonly string[]): Promise<string> {
    const rootfs = this.layout.rootfs(id);
    if (isMounted(rootfs)) return rootfs;
    for (const dir of [rootfs, this.layout.upper(id), this.layout.work(id)]) mkdirSync(dir, { recursive: true });
    let lowers = [...lowerDirs].reverse();
    if (lowers.length === 0) {
      const empty = join(this.layout.container(id), 'empty');
      mkdirSync(empty, { recursive: true });
      lowers = [empty];
    }
    const options = `lowerdir=${lowers.join(':')},upperdir=${this.layout.upper(id)},workdir=${this.layout.work(id)}`;
    await mustRun('mount', ['-t', 'overlay', 'overlay', '-o', options, rootfs]);
    return rootfs;
  }

  async unmountRootfs(id: string): Promise<void> {
    const rootfs = this.layout.rootfs(id);
    if (isMounted(rootfs)) await mustRun('umount', ['-l', rootfs]);
  }

  /**
   * Starts the container through its monitor; resolves with the container's pid once it runs. With `tty` it gets a
   * terminal; with `stdin` its input stays open, fed through the FIFO `stdin` in its directory.
   */
  async start(id: string, spec: object, io: { tty: boolean; stdin: boolean }): Promise<number> {
    writeJsonAtomic(join(this.layout.bundle(id), 'config.json'), spec);
    const flags = `${io.tty ? 't' : ''}${io.stdin ? 'i' : ''}`;
    const result = await runProgram(this.tools.monitor, [
      this.tools.runc,
      this.layout.bundle(id),
      id,
      this.layout.log(id),
      this.layout.exitFile(id),
      this.layout.pidFile(id),
      ...(flags ? [flags] : []),
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

  /** The exit code the monitor recorded, once the container has stopped. */
  exitCode(id: string): number | undefined {
    const file = this.layout.exitFile(id);
    if (!existsSync(file)) return undefined;
    const code = Number(readFileSync(file, 'utf8').trim());
    return Number.isInteger(code) ? code : 255;
  }

  /** The host pids of the container's processes. */
  async pids(id: string): Promise<number[]> {
    const output = await mustRun(this.tools.runc, ['ps', '--format', 'json', id]);
    return (JSON.parse(output) as number[] | null) ?? [];
  }
}

function isMounted(path: string): boolean {
  try {
    return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').some((line) => line.split(' ')[4] === path);
  } catch {
    return false;
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
