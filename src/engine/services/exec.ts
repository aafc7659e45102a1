// Processes started in a running container (`docker exec`): runc exec with the container's own process settings,
// output framed as docker frames it, stdin passed through when asked, exit code kept for inspect.
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { ExecCreateBody } from '../../engine-api/exec.js';
import { conflict, invalid, notFound } from '../errors.js';
import { containerProcessRunning, runcExec } from '../runtime/exec-process.js';
import { privilegedCapabilities } from '../runtime/spec.js';
import { writeJsonAtomic } from '../store/files.js';
import type { Layout } from '../store/layout.js';
import type { Tools } from '../runtime/tools.js';
import type { ContainerRecord } from './container-record.js';
import type { ContainerService } from './containers.js';
import { resolveUser } from './containers/users.js';
import type { EventBus } from './events.js';

/**
 * runc exec's messages when the process never started: the program cannot be run, or the container went away while
 * runc joined it (docker answers both with exit code 126).
 */
const NOT_STARTED = /exec failed: |level=fatal msg="nsexec-\d+\[\d+\]: /;

/** The body of an exec create, as src/engine-api/ describes it. */
export type ExecConfig = ExecCreateBody;

export interface ExecIo {
  readonly output: (stream: 'stdout' | 'stderr', chunk: Buffer) => void;
  readonly input?: NodeJS.ReadableStream;
}

export interface ExecRecord {
  readonly id: string;
  readonly containerId: string;
  readonly config: ExecConfig;
  running: boolean;
  exitCode: number | null;
  pid: number;
  /** When it was created (ms): an exec made before the container's current start belongs to a run that has ended. */
  readonly created: number;
}

/** How often finished exec instances of stopped or removed containers are forgotten (dockerd sweeps every 5 min). */
const SWEEP_MS = 5 * 60_000;

export class ExecService {
  private readonly execs = new Map<string, ExecRecord>();

  constructor(
    private readonly layout: Layout,
    private readonly tools: Tools,
    private readonly containers: Pick<ContainerService, 'get'>,
    private readonly events: EventBus,
  ) {
    // Without this every exec ever made would stay in memory for the engine's lifetime.
    events.subscribe((event) => {
      if (event.Type !== 'container') return;
      if (event.Action === 'destroy') this.forgetEnded((exec) => exec.containerId === event.Actor.ID);
      // As dockerd: an exec never started is dropped when its container stops (a start then answers 404).
      if (event.Action === 'die') this.forgetUnstarted(event.Actor.ID);
    });
    setInterval(() => this.sweep(), SWEEP_MS).unref();
  }

  /**
   * Forgets exec instances that have ended or can no longer start: their container is gone, stopped, or started
   * again since they were made. dockerd keeps them inspectable until such a sweep, so berth does the same.
   */
  sweep(): void {
    this.forgetEnded((exec) => {
      let container: ContainerRecord;
      try {
        container = this.containers.get(exec.containerId);
      } catch {
        return true;
      }
      return !running(container) || exec.created < Date.parse(container.state.startedAt);
    });
  }

  private forgetEnded(ended: (exec: ExecRecord) => boolean): void {
    for (const [id, exec] of this.execs) if (!exec.running && ended(exec)) this.execs.delete(id);
  }

  private forgetUnstarted(containerId: string): void {
    for (const [id, exec] of this.execs) if (exec.containerId === containerId && !exec.running && exec.exitCode === null) this.execs.delete(id);
  }

  create(containerRef: string, config: ExecConfig): ExecRecord {
    const container = this.containers.get(containerRef);
    if (!running(container)) throw conflict(`Container ${container.id} is not running`);
    if (!config.Cmd || config.Cmd.length === 0) throw invalid('No exec command specified');
    const record: ExecRecord = { id: randomBytes(32).toString('hex'), containerId: container.id, config, running: false, exitCode: null, pid: 0, created: Date.now() };
    this.execs.set(record.id, record);
    this.events.emit('container', `exec_create: ${config.Cmd.join(' ')}`, container.id, { ...container.config.Labels, name: container.name, image: container.image, execID: record.id });
    return record;
  }

  get(id: string): ExecRecord {
    const record = this.execs.get(id);
    if (!record) throw notFound(`No such exec instance: ${id}`);
    return record;
  }

  /**
   * The container's exec instances as dockerd lists them in its inspect (`ExecIDs`): those not yet started or still
   * running, of the container's current run (dockerd drops the rest when the container stops); null when none.
   */
  idsOf(container: ContainerRecord): string[] | null {
    const running = container.state.status === 'running' || container.state.status === 'paused';
    const since = Date.parse(container.state.startedAt);
    if (!running || Number.isNaN(since)) return null;
    const ids = [...this.execs.values()].filter((exec) => exec.containerId === container.id && exec.exitCode === null && exec.created >= since).map((exec) => exec.id);
    return ids.length > 0 ? ids : null;
  }

  /**
   * The exec, if it can start now: not started before, its container running. The routes ask before they answer, so
   * that a refusal is a status (409, as dockerd's) rather than a stream cut short.
   */
  startable(id: string): ExecRecord {
    const record = this.get(id);
    if (record.running || record.exitCode !== null) throw conflict(`exec ${id} has already been started`);
    const container = this.containers.get(record.containerId);
    if (!running(container)) throw conflict(`Container ${container.id} is not running`);
    return record;
  }

  /** Runs the process; its output goes to `io.output`, and `io.input` to its stdin when the exec attaches stdin. */
  async start(id: string, io: ExecIo | undefined): Promise<number> {
    const record = this.get(id);
    try {
      return await this.run(record, io);
    } catch (error) {
      // A process that could not be started at all exits 126, as docker reports it.
      if (record.exitCode === null) record.exitCode = 126;
      throw error;
    }
  }

  private async run(record: ExecRecord, io: ExecIo | undefined): Promise<number> {
    const id = record.id;
    this.startable(id);
    const container = this.containers.get(record.containerId);
    const bundle = JSON.parse(readFileSync(join(this.layout.bundle(container.id), 'config.json'), 'utf8')) as { process: Record<string, unknown> };
    const base = bundle.process;
    const env = [...((base.env as string[]) ?? [])];
    for (const entry of record.config.Env ?? []) {
      const key = entry.split('=')[0];
      const at = env.findIndex((existing) => existing.split('=')[0] === key);
      if (at >= 0) env[at] = entry;
      else env.push(entry);
    }
    const processFile = join(this.layout.container(container.id), `exec-${id}.json`);
    writeJsonAtomic(processFile, {
      ...base,
      terminal: Boolean(record.config.Tty),
      args: record.config.Cmd,
      env,
      cwd: record.config.WorkingDir || base.cwd,
      user: record.config.User ? userFor(this.layout.rootfs(container.id), record.config.User, container.hostConfig.GroupAdd ?? []) : base.user,
      ...(record.config.Privileged ? { capabilities: privilegedCapabilities(), noNewPrivileges: false } : {}),
    });
    const child = runcExec(this.tools, container.id, { processFile, tty: Boolean(record.config.Tty), stdin: Boolean(record.config.AttachStdin) });
    record.running = true;
    record.pid = child.pid ?? 0;
    const labels = { ...container.config.Labels, name: container.name, image: container.image, execID: id };
    this.events.emit('container', `exec_start: ${record.config.Cmd!.join(' ')}`, container.id, labels);
    // runc's own complaint when the program cannot be started (missing, not executable) comes first on the
    // process's streams; it exits 255 then, where dockerd reports 126.
    let head = '';
    const keepHead = (chunk: Buffer): void => {
      if (head.length < 4096) head += chunk.toString('utf8', 0, Math.min(chunk.length, 4096));
    };
    child.stdout?.on('data', keepHead);
    child.stderr?.on('data', keepHead);
    if (io) {
      child.stdout?.on('data', (chunk: Buffer) => record.config.AttachStdout !== false && io.output('stdout', chunk));
      child.stderr?.on('data', (chunk: Buffer) => record.config.AttachStderr !== false && io.output('stderr', chunk));
      if (child.stdin && io.input) {
        io.input.pipe(child.stdin);
        child.stdin.on('error', () => {});
      }
    } else {
      child.stdout?.resume();
      child.stderr?.resume();
    }
    return new Promise((resolve) => {
      child.on('close', (code, signal) => {
        record.running = false;
        record.exitCode = code === 255 && NOT_STARTED.test(head) ? 126 : (code ?? 128 + (signal === 'SIGKILL' ? 9 : 15));
        rmSync(processFile, { force: true });
        this.events.emit('container', 'exec_die', container.id, { ...labels, exitCode: String(record.exitCode) });
        resolve(record.exitCode);
      });
    });
  }

  inspect(id: string): Record<string, unknown> {
    const record = this.get(id);
    const [entrypoint = '', ...args] = record.config.Cmd ?? [];
    return {
      ID: record.id,
      Running: record.running,
      ExitCode: record.exitCode,
      ProcessConfig: { tty: false, entrypoint, arguments: args, privileged: Boolean(record.config.Privileged), user: record.config.User ?? '' },
      OpenStdin: Boolean(record.config.AttachStdin),
      OpenStderr: record.config.AttachStderr !== false,
      OpenStdout: record.config.AttachStdout !== false,
      CanRemove: false,
      ContainerID: record.containerId,
      DetachKeys: '',
      Pid: record.pid,
    };
  }
}

/** `user[:group]` for exec, names read from the container's own /etc/passwd and /etc/group (with its GroupAdd). */
function userFor(rootfs: string, user: string, groupAdd: readonly string[]): { uid: number; gid: number; additionalGids?: number[] } {
  const resolved = resolveUser(rootfs, user, groupAdd);
  return { uid: resolved.uid, gid: resolved.gid, ...(resolved.additionalGids.length > 0 ? { additionalGids: resolved.additionalGids } : {}) };
}

/** Running as recorded, and its process not gone in the moment before the engine hears of the exit. */
function running(container: ContainerRecord): boolean {
  return container.state.status === 'running' && containerProcessRunning(container.state.pid);
}
