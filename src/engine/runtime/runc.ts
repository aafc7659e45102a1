// The only code that runs runc: a container is started through its monitor (berth-monitor), paused and deleted with
// runc itself, and signalled as runc signals it (by runc when it is not the plain case); its root filesystem is an
// overlay mount of the image layers and a private upper dir.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { constants } from 'node:os';
import { join } from 'node:path';
import { EngineError } from '../errors.js';
import { writeJsonAtomic } from '../store/files.js';
import type { Layout } from '../store/layout.js';
import type { SandboxNetwork } from './links.js';
import { mountAt, mustRun, runProgram } from './tools.js';
import type { Tools } from './tools.js';

/** Where runc keeps container state when running as root (its --root default). */
const RUNC_STATE = '/run/runc';

export interface RootfsMount {
  rootfs: string;
  options: string;
}

/** runc's view of a container: `created`, `running`, `paused` or `stopped`, its init's pid, when it was made. */
export interface RuntimeState {
  readonly status: string;
  readonly pid: number;
  readonly created: string;
}

export class RuncDriver {
  constructor(
    private readonly tools: Tools,
    private readonly layout: Layout,
  ) {}

  /** The container's root filesystem, mounted now unless it is already (see `rootfsMounted`). */
  async mountRootfs(id: string, lowerDirs: readonly string[]): Promise<string> {
    const overlay = await this.overlay(id, lowerDirs);
    if (overlay) await mustRun('mount', ['-t', 'overlay', 'overlay', '-o', overlay.options, overlay.rootfs]);
    return this.layout.rootfs(id);
  }

  /**
   * Whether the container's root filesystem is mounted as it should be: an overlay whose upper dir is the
   * container's own, read from this process's mount table (a directory that merely exists, or something else
   * mounted there, does not count).
   */
  rootfsMounted(id: string): boolean {
    return this.ownOverlay(id, mountAt(this.layout.rootfs(id)));
  }

  private ownOverlay(id: string, mount: ReturnType<typeof mountAt>): boolean {
    return mount?.type === 'overlay' && mount.superOptions.split(',').includes(`upperdir=${this.layout.upper(id)}`);
  }

  /**
   * The overlay mount of a container's root filesystem, its directories made; undefined when it is mounted already.
   * Whatever else is mounted there (a stale or foreign mount) is detached first. The mount table (one line per mount
   * on the host, two per running container) is read once, and the directories made off the event loop: a hundred
   * starts at once come here.
   */
  async overlay(id: string, lowerDirs: readonly string[]): Promise<RootfsMount | undefined> {
    const rootfs = this.layout.rootfs(id);
    const current = mountAt(rootfs);
    if (this.ownOverlay(id, current)) return undefined;
    if (current) await mustRun('umount', ['-l', rootfs]);
    // An image without layers: overlayfs needs a lower dir all the same.
    const lowers = lowerDirs.length > 0 ? [...lowerDirs].reverse() : [join(this.layout.container(id), 'empty')];
    const made = [rootfs, this.layout.upper(id), this.layout.work(id), ...(lowerDirs.length > 0 ? [] : lowers)];
    await Promise.all(made.map((dir) => mkdir(dir, { recursive: true })));
    return { rootfs, options: `lowerdir=${lowers.join(':')},upperdir=${this.layout.upper(id)},workdir=${this.layout.work(id)}` };
  }

  async unmountRootfs(id: string): Promise<void> {
    const rootfs = this.layout.rootfs(id);
    while (mountAt(rootfs)) await mustRun('umount', ['-l', rootfs]);
  }

  /**
   * Starts the container through its monitor; resolves with the container's pid once it runs. With `tty` it gets a
   * terminal; with `stdin` its input stays open, fed through the FIFO `stdin` in its directory. Given `mount`, the
   * monitor mounts the root filesystem itself, and detaches it when the container ends; given a `network` made for
   * this start, it brings up lo and the interfaces inside it first.
   */
  async start(id: string, spec: object, io: { tty: boolean; stdin: boolean }, prepare: { mount?: RootfsMount; network?: SandboxNetwork } = {}): Promise<number> {
    const { mount, network } = prepare;
    // Written for each start, and read by runc at once: no flush to disk needed.
    writeJsonAtomic(join(this.layout.bundle(id), 'config.json'), spec, { durable: false });
    // The monitor watches the container's memory cgroup for OOM kills from before runc runs it.
    const cgroupsPath = (spec as { linux?: { cgroupsPath?: unknown } }).linux?.cgroupsPath;
    const result = await runProgram(this.tools.monitor, [
      ...(io.tty ? ['-t'] : []),
      ...(io.stdin ? ['-i'] : []),
      ...(mount ? ['-o', mount.options, '-r', mount.rootfs] : []),
      ...(typeof cgroupsPath === 'string' ? ['-c', cgroupsPath] : []),
      ...(network?.inside ? ['-n', network.path, ...network.inside.flatMap((link) => ['-l', [link.name, link.address, link.prefix, ...(link.gateway ? [link.gateway] : [])].join(',')])] : []),
      this.tools.runc,
      this.layout.bundle(id),
      id,
      this.layout.log(id),
      this.layout.exitFile(id),
      this.layout.pidFile(id),
    ]);
    // 3: the network namespace could not be set up inside (the engine's fault, not the container's configuration).
    if (result.code === 3) throw new EngineError('internal', result.stderr.trim());
    if (result.code !== 0) throw new EngineError('invalid', runcMessage(result.stderr) || 'the container did not start');
    return Number(readFileSync(this.layout.pidFile(id), 'utf8').trim());
  }

  async kill(id: string, signal: string): Promise<void> {
    if (signalInitDirectly(id, signal)) return;
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

  /** Whether runc keeps state for the container (it does while the container exists; `runc run` removes it after). */
  hasState(id: string): boolean {
    return existsSync(join(RUNC_STATE, id));
  }

  /**
   * What runc knows of the container: undefined when it has nothing (never ran, or ended and cleaned up). Costs a
   * process only when runc keeps state for it.
   */
  async state(id: string): Promise<RuntimeState | undefined> {
    if (!this.hasState(id)) return undefined;
    const result = await runProgram(this.tools.runc, ['state', id]);
    if (result.code !== 0) return undefined;
    try {
      const state = JSON.parse(result.stdout) as { status?: unknown; pid?: unknown; created?: unknown };
      if (typeof state.status !== 'string' || typeof state.pid !== 'number') return undefined;
      return { status: state.status, pid: state.pid, created: typeof state.created === 'string' ? state.created : new Date().toISOString() };
    } catch {
      return undefined; // not runc's state format: as if runc had none
    }
  }

  /** Whether the container's monitor still runs (starting the container, holding it, or cleaning up after it). */
  monitorAlive(id: string): boolean {
    let pid: number;
    try {
      pid = Number(readFileSync(this.layout.monitorPidFile(id), 'utf8').trim());
    } catch {
      return false; // no monitor ever started for it (or one from before monitors recorded their pid)
    }
    if (!processAlive(pid)) return false;
    try {
      // A pid can be reused: it must still be this container's monitor.
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes(id);
    } catch {
      return false; // ended meanwhile
    }
  }

  /** Resolves once the container's monitor is gone (it has detached the root filesystem), or after `limitMs`. */
  async monitorGone(id: string, limitMs: number): Promise<boolean> {
    const deadline = Date.now() + limitMs;
    while (this.monitorAlive(id)) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return true;
  }

  /** How the container ended, as its monitor recorded it ("CODE" or "CODE oom"); undefined while it runs. */
  exit(id: string): { code: number; oomKilled: boolean } | undefined {
    let text: string;
    try {
      text = readFileSync(this.layout.exitFile(id), 'utf8');
    } catch {
      return undefined;
    }
    const [code = '', note] = text.trim().split(' ');
    // Empty: the machine died between the monitor's rename and its flush; the code is unknown.
    return { code: code !== '' && Number.isInteger(Number(code)) ? Number(code) : 255, oomKilled: note === 'oom' };
  }

  /** The host pids of the container's processes. */
  async pids(id: string): Promise<number[]> {
    const output = await mustRun(this.tools.runc, ['ps', '--format', 'json', id]);
    return (JSON.parse(output) as number[] | null) ?? [];
  }
}


/**
 * `runc kill ID SIGNAL` without starting runc (a stop of many containers is one process fewer each), done as runc
 * does it: its state names the container's init and that process's start time, which must still match /proc (a pid
 * reused by another process is never signalled). Returns false, leaving it to runc, for anything out of the plain
 * case: a signal node has no name for, state it cannot read, a frozen (paused) container, which runc thaws for a
 * SIGKILL. True when the signal went out or the container's init is gone (runc answers "not running" then).
 */
function signalInitDirectly(id: string, signal: string): boolean {
  const number = /^\d+$/.test(signal) ? Number(signal) : constants.signals[(/^SIG/i.test(signal) ? signal : `SIG${signal}`).toUpperCase() as keyof typeof constants.signals];
  if (number === undefined || number <= 0) return false;
  let state: { init_process_pid?: unknown; init_process_start?: unknown; cgroup_paths?: Record<string, string> };
  try {
    state = JSON.parse(readFileSync(join(RUNC_STATE, id, 'state.json'), 'utf8')) as typeof state;
  } catch {
    return false;
  }
  const { init_process_pid: pid, init_process_start: start } = state;
  if (typeof pid !== 'number' || pid <= 0 || (typeof start !== 'number' && typeof start !== 'string') || frozen(state.cgroup_paths ?? {}) !== false) return false;
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return true; // the init is gone: nothing to signal
  }
  // Field 22, the start time; the command name before it (in parentheses) may hold spaces and parentheses.
  if (stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] !== String(start)) return true; // another process now
  try {
    process.kill(pid, number);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
  return true;
}

/** Whether the container's cgroup is frozen (v1 freezer or v2 cgroup.freeze); undefined when that cannot be read. */
function frozen(paths: Record<string, string>): boolean | undefined {
  try {
    if (paths.freezer) return readFileSync(join(paths.freezer, 'freezer.state'), 'utf8').trim() !== 'THAWED';
    if (paths['']) return readFileSync(join(paths[''], 'cgroup.freeze'), 'utf8').trim() !== '0';
  } catch {
    return undefined;
  }
  return undefined;
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
