// Containers: create from an image, start through the runtime, stop, kill, pause, rename, remove, wait; state kept
// on disk and brought back when the engine starts again (containers outlive the engine: their monitors hold them).
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, watch, writeFileSync } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { join } from 'node:path';
import { conflict, EngineError, invalid, notFound } from '../errors.js';
import { processAlive } from '../runtime/runc.js';
import { mustRun } from '../runtime/tools.js';
import type { RuncDriver } from '../runtime/runc.js';
import { buildSpec } from '../runtime/spec.js';
import { readJsonFile, writeJsonAtomic } from '../store/files.js';
import type { Layout } from '../store/layout.js';
import type { EventBus } from './events.js';
import type { LogFollower } from './logs.js';
import { probeCommand } from './health.js';
import type { HealthChecker } from './health.js';
import { portBindings, refuseUnsupported, requestedMounts } from './container-record.js';
import type { ContainerRecord, CreateConfig, EndpointRequest, HostConfig, MountPoint } from './container-record.js';
import { networkPlan } from './endpoints.js';
import type { ContainerNetworking } from './endpoints.js';
import type { ImageService } from './images.js';
import type { VolumeService } from './volumes.js';

const NAME = /^\/?[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;
const DEFAULT_STOP_TIMEOUT = 10;

export class ContainerService {
  private readonly records = new Map<string, ContainerRecord>();
  private readonly watchers = new Map<string, FSWatcher>();
  /** Callbacks waiting for a container to stop (`wait`), or to be removed. */
  private readonly exitWaiters = new Map<string, Array<(code: number) => void>>();
  private readonly removeWaiters = new Map<string, Array<() => void>>();
  /** Readers of a container's log (logs -f, attach): an auto-removed container waits for them to finish. */
  private readonly logReaders = new Map<string, Set<LogFollower>>();

  /** Restart policies: the delay before the next restart of each container (Docker's backoff). */
  private readonly restartDelays = new Map<string, number>();

  constructor(
    private readonly layout: Layout,
    private readonly images: ImageService,
    private readonly runtime: RuncDriver,
    private readonly events: EventBus,
    private readonly health: HealthChecker,
    private readonly volumes: VolumeService,
    private readonly networking: ContainerNetworking,
  ) {}

  /** Network teardowns under way, by container: a restart waits for the last one before it sets up again. */
  private readonly teardowns = new Map<string, Promise<void>>();

  /** Reads every container back from disk; running ones are watched again, stopped-while-away ones marked exited. */
  adopt(): void {
    if (!existsSync(this.layout.containers)) return;
    for (const id of readdirSync(this.layout.containers)) {
      const record = readJsonFile<ContainerRecord>(this.layout.containerRecord(id));
      if (!record) continue;
      this.records.set(id, record);
      if (record.state.status === 'running' || record.state.status === 'paused') {
        if (this.runtime.exit(id) !== undefined || !processAlive(record.state.pid)) this.finish(record);
        else {
          this.watchExit(record);
          this.watchHealth(record);
          void this.networking.resume(record).catch(() => {});
        }
      } else if (record.state.status === 'exited' || record.state.status === 'restarting') {
        // After the engine restarts: `always` brings containers back, `unless-stopped` those not stopped by hand.
        const policy = record.hostConfig.RestartPolicy?.Name ?? '';
        if (policy === 'always' || (policy === 'unless-stopped' && !record.manuallyStopped)) void this.start(record.id).catch(() => {});
      }
    }
  }

  imageUser(imageId: string): string | undefined {
    for (const record of this.records.values()) if (record.imageId === imageId) return record.id;
    return undefined;
  }

  all(): ContainerRecord[] {
    return [...this.records.values()].sort((a, b) => (a.created < b.created ? 1 : -1));
  }

  /** An id, an id prefix or a name. */
  get(reference: string): ContainerRecord {
    const byId = this.records.get(reference);
    if (byId) return byId;
    const name = reference.replace(/^\//, '');
    for (const record of this.records.values()) if (record.name === name) return record;
    const matches = [...this.records.values()].filter((record) => record.id.startsWith(reference));
    if (matches.length === 1) return matches[0]!;
    if (matches.length > 1) throw invalid(`multiple IDs found with provided prefix: ${reference}`);
    throw notFound(`No such container: ${reference}`);
  }

  async create(request: CreateConfig, requestedName: string | null): Promise<ContainerRecord> {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) throw invalid('config cannot be empty in order to create a container');
    if (request.Image === undefined || request.Image === '') throw invalid('Config.Image is required');
    const id = randomBytes(32).toString('hex');
    const name = requestedName ? requestedName.replace(/^\//, '') : generatedName();
    if (!NAME.test(name)) throw invalid(`Invalid container name (${name}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    for (const other of this.records.values()) {
      if (other.name === name) {
        throw conflict(`Conflict. The container name "/${name}" is already in use by container "${other.id}". You have to remove (or rename) that container to be able to reuse that name.`);
      }
    }
    const image = this.images.resolve(request.Image);
    refuseUnsupported(request);
    const defaults = image.config.config ?? {};
    const list = (value: string[] | string | null | undefined): string[] | undefined =>
      value === undefined || value === null ? undefined : typeof value === 'string' ? [value] : value;
    // An entrypoint in the request replaces the image's and drops the image's command, as docker does.
    const requestEntrypoint = list(request.Entrypoint);
    const entrypoint = requestEntrypoint ?? defaults.Entrypoint ?? [];
    const cmd = list(request.Cmd) ?? (requestEntrypoint !== undefined ? [] : (defaults.Cmd ?? []));
    const argv = [...entrypoint.filter((part) => part !== ''), ...cmd];
    if (argv.length === 0) throw invalid('No command specified');
    const env = mergeEnv(defaults.Env ?? [], request.Env ?? []);
    const host = { ...request.HostConfig };
    const requested = requestedMounts(host, [...Object.keys(request.Volumes ?? {}), ...Object.keys(defaults.Volumes ?? {})]);
    host.Tmpfs = requested.tmpfs;
    const mounts = [...requested.binds, ...this.mountsFrom(host)];
    const copies: Array<{ volume: string; target: string }> = [];
    for (const volume of requested.volumes) {
      if (mounts.some((mount) => mount.target === volume.target)) continue;
      const driver = volume.driver ? { Driver: volume.driver.name ?? 'local', ...(volume.driver.options ? { DriverOpts: volume.driver.options } : {}) } : {};
      const labels = volume.labels ? { Labels: volume.labels } : {};
      const created = volume.name ? this.volumes.create({ Name: volume.name, ...labels, ...driver }) : this.volumes.create({ ...labels, ...driver }, true);
      mounts.push({ type: 'volume', name: created.name, source: this.volumes.mountpoint(created.name), target: volume.target, readOnly: volume.readOnly, ...(volume.subpath ? { subpath: volume.subpath } : {}) });
      if (!volume.noCopy && !volume.subpath) copies.push({ volume: created.name, target: volume.target });
    }
    const { HostConfig: _host, NetworkingConfig: _networking, ...config } = request;
    const record: ContainerRecord = {
      id,
      name,
      created: new Date().toISOString(),
      image: request.Image,
      imageId: image.id,
      config: {
        ...config,
        Env: env,
        Cmd: cmd,
        Entrypoint: entrypoint.length > 0 ? entrypoint : null,
        WorkingDir: request.WorkingDir || defaults.WorkingDir || '',
        User: request.User || defaults.User || '',
        Labels: { ...(defaults.Labels ?? {}), ...(request.Labels ?? {}) },
        ExposedPorts: { ...(defaults.ExposedPorts ?? {}), ...(request.ExposedPorts ?? {}) },
        StopSignal: request.StopSignal || defaults.StopSignal || 'SIGTERM',
        Hostname: request.Hostname || id.slice(0, 12),
        Image: request.Image,
      },
      hostConfig: { NetworkMode: host.NetworkMode ?? 'default', ...host },
      path: argv[0]!,
      args: argv.slice(1),
      hostname: request.Hostname || id.slice(0, 12),
      mounts,
      networks: this.networking.endpointsFor(host.NetworkMode, request.NetworkingConfig?.EndpointsConfig ?? {}),
      state: { status: 'created', pid: 0, exitCode: 0, startedAt: '0001-01-01T00:00:00Z', finishedAt: '0001-01-01T00:00:00Z', oomKilled: false, error: '' },
      restartCount: 0,
    };
    mkdirSync(this.layout.bundle(id), { recursive: true });
    this.save(record);
    try {
      for (const copy of copies) await this.copyUp(record, copy.volume, copy.target);
    } catch (error) {
      await this.destroy(record);
      throw error;
    }
    this.emit(record, 'create');
    return record;
  }

  /**
   * `VolumesFrom` (`container[:ro|rw]`): the other container's mounts, read-only or read-write as asked, else as
   * they are there.
   */
  private mountsFrom(host: HostConfig): MountPoint[] {
    const mounts: MountPoint[] = [];
    for (const entry of host.VolumesFrom ?? []) {
      const [reference = '', mode = ''] = entry.split(':');
      if (!['', 'ro', 'rw'].includes(mode)) throw invalid(`invalid mode for volumes-from: ${mode}`);
      for (const mount of this.get(reference).mounts) {
        if (mounts.some((existing) => existing.target === mount.target)) continue;
        mounts.push({ ...mount, readOnly: mode === '' ? mount.readOnly : mode === 'ro' });
      }
    }
    return mounts;
  }

  /** A new volume gets what the image has at its target (Docker's copy-up), unless the volume holds files already. */
  private async copyUp(record: ContainerRecord, volume: string, target: string): Promise<void> {
    const layers = this.images.layerDirs(this.images.resolve(record.imageId));
    if (!this.volumes.isEmpty(volume) || !layers.some((layer) => hasEntries(join(layer, target)))) return;
    const rootfs = await this.runtime.mountRootfs(record.id, layers);
    const from = join(rootfs, target);
    if (!existsSync(from) || !statSync(from).isDirectory()) return;
    await mustRun('cp', ['-a', `${from}/.`, this.volumes.mountpoint(volume)]);
  }

  async start(reference: string): Promise<'started' | 'already'> {
    const record = this.get(reference);
    if (record.state.status === 'running' || record.state.status === 'paused') return 'already';
    const image = this.images.resolve(record.imageId);
    const layers = this.images.layerDirs(image);
    // A named user is looked up in the image's files, which needs the root filesystem now; otherwise the monitor
    // mounts it, which saves a process.
    const user = record.config.User ?? '';
    const mount = user === '' ? this.runtime.overlay(record.id, layers) : undefined;
    const rootfs = mount ? mount.rootfs : await this.runtime.mountRootfs(record.id, layers);
    const mounts = [];
    for (const mount of record.mounts) {
      if (mount.type === 'bind' && mount.createHostPath && !existsSync(mount.source)) mkdirSync(mount.source, { recursive: true });
      mounts.push(mount.type === 'volume' ? { ...mount, source: await this.volumes.prepare(mount.name!, mount.subpath) } : mount);
    }
    await this.teardowns.get(record.id);
    rmSync(this.layout.exitFile(record.id), { force: true });
    await this.runtime.deleteStale(record.id);
    let pid: number;
    try {
      // From here on a failure takes down what was set up (the namespace, its endpoints, published ports).
      const networkNamespace = await this.joinNetwork(record);
      const spec = buildSpec({
        record,
        rootfs,
        mounts,
        user: resolveUser(rootfs, user),
        etcFiles: this.etcFiles(record),
        ...(networkNamespace ? { networkNamespace } : {}),
        hostRlimitNofile: hostNofile(),
        ...(record.hostConfig.Init ? { init: initProgram() } : {}),
      });
      pid = await this.runtime.start(record.id, spec, { tty: Boolean(record.config.Tty), stdin: Boolean(record.config.OpenStdin) }, mount);
      await this.publishPorts(record);
    } catch (error) {
      await this.leaveNetwork(record);
      record.state = { ...record.state, status: 'created', error: (error as Error).message };
      this.save(record);
      // As dockerd: a --rm container that cannot start is removed (docker run waits for that).
      if (record.hostConfig.AutoRemove) await this.destroy(record, true);
      throw error;
    }
    record.state = { ...record.state, status: 'running', pid, exitCode: 0, error: '', ports: record.state.ports, startedAt: new Date().toISOString(), finishedAt: '0001-01-01T00:00:00Z' };
    delete record.state.health;
    if (probeCommand(record.config.Healthcheck)) record.state.health = { Status: 'starting', FailingStreak: 0, Log: [] };
    record.manuallyStopped = false;
    this.save(record);
    this.emit(record, 'start');
    this.watchExit(record);
    this.watchHealth(record);
    return 'started';
  }

  /** Signal, then SIGKILL after the timeout; resolves once the container has stopped. */
  async stop(reference: string, timeoutSeconds?: number, signal?: string): Promise<'stopped' | 'already'> {
    const record = this.get(reference);
    record.manuallyStopped = true;
    if (record.state.status === 'restarting') {
      record.state = { ...record.state, status: 'exited' };
      this.save(record);
      return 'stopped';
    }
    if (record.state.status !== 'running' && record.state.status !== 'paused') return 'already';
    const exited = this.nextExit(record.id);
    if (record.state.status === 'paused') await this.runtime.resume(record.id).catch(() => {});
    const timeout = timeoutSeconds ?? record.config.StopTimeout ?? DEFAULT_STOP_TIMEOUT;
    await this.runtime.kill(record.id, signal || record.config.StopSignal || 'SIGTERM');
    this.emit(record, 'kill', { signal: String(signalNumber(signal || record.config.StopSignal || 'SIGTERM')) });
    const stoppedInTime = timeout < 0 ? await exited.then(() => true) : await Promise.race([exited.then(() => true), delay(timeout * 1000).then(() => false)]);
    if (!stoppedInTime) {
      await this.runtime.kill(record.id, 'SIGKILL');
      this.emit(record, 'kill', { signal: '9' });
      await exited;
    }
    this.emit(record, 'stop');
    return 'stopped';
  }

  async kill(reference: string, signal = 'SIGKILL'): Promise<void> {
    const record = this.get(reference);
    record.manuallyStopped = true;
    if (record.state.status !== 'running' && record.state.status !== 'paused') throw conflict(`Container ${record.id} is not running`);
    await this.runtime.kill(record.id, signal);
    this.emit(record, 'kill', { signal: String(signalNumber(signal)) });
  }

  async restart(reference: string, timeoutSeconds?: number): Promise<void> {
    await this.stop(reference, timeoutSeconds);
    await this.start(reference);
    this.emit(this.get(reference), 'restart');
  }

  async pause(reference: string): Promise<void> {
    const record = this.get(reference);
    if (record.state.status !== 'running') throw conflict(`Container ${record.id} is not running`);
    await this.runtime.pause(record.id);
    record.state = { ...record.state, status: 'paused' };
    this.save(record);
    this.emit(record, 'pause');
  }

  async unpause(reference: string): Promise<void> {
    const record = this.get(reference);
    if (record.state.status !== 'paused') throw conflict(`Container ${record.id} is not paused`);
    await this.runtime.resume(record.id);
    record.state = { ...record.state, status: 'running' };
    this.save(record);
    this.emit(record, 'unpause');
  }

  rename(reference: string, name: string): void {
    const record = this.get(reference);
    const target = name.replace(/^\//, '');
    if (!NAME.test(target)) throw invalid(`Invalid container name (${target}), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
    for (const other of this.records.values()) {
      if (other.name === target && other.id !== record.id) throw conflict(`Conflict. The container name "/${target}" is already in use by container "${other.id}". You have to remove (or rename) that container to be able to reuse that name.`);
    }
    const old = record.name;
    record.name = target;
    this.save(record);
    this.emit(record, 'rename', { oldName: `/${old}` });
  }

  /** Removes the container; with `removeVolumes`, its anonymous volumes too (named ones stay). */
  async remove(reference: string, force: boolean, removeVolumes = false): Promise<void> {
    const record = this.get(reference);
    if (record.state.status === 'running' || record.state.status === 'paused') {
      if (!force) {
        throw conflict(`You cannot remove a running container ${record.id}. Stop the container before attempting removal or force remove`);
      }
      const exited = this.nextExit(record.id);
      if (record.state.status === 'paused') await this.runtime.resume(record.id).catch(() => {});
      await this.runtime.kill(record.id, 'SIGKILL');
      await exited;
    }
    await this.destroy(record, removeVolumes);
  }

  /** Ids of the containers that mount the volume. */
  volumeUsers(name: string): string[] {
    return [...this.records.values()].filter((record) => record.mounts.some((mount) => mount.name === name)).map((record) => record.id);
  }

  /** The container's root filesystem, mounted (a created container has none until asked). */
  async rootfs(reference: string): Promise<{ record: ContainerRecord; path: string }> {
    const record = this.get(reference);
    const image = this.images.resolve(record.imageId);
    return { record, path: await this.runtime.mountRootfs(record.id, this.images.layerDirs(image)) };
  }

  /** Input for the container's stdin (a stream into its FIFO), when it was created with OpenStdin and runs. */
  stdinOf(reference: string): NodeJS.WritableStream | undefined {
    const record = this.get(reference);
    if (!record.config.OpenStdin || record.state.status !== 'running') return undefined;
    return createWriteStream(join(this.layout.container(record.id), 'stdin'), { flags: 'a' });
  }

  /** Ends the container's input (attach with StdinOnce, when the client's stdin ends). */
  closeStdin(reference: string): void {
    const record = this.records.get(reference);
    if (!record) return; // removed meanwhile (run --rm): nothing to close
    const control = join(this.layout.container(record.id), 'control');
    if (record.state.status === 'running' && existsSync(control)) writeFileSync(control, 'eof\n', { flag: 'a' });
  }

  /** Resizes the container's terminal (a no-op without one). */
  resize(reference: string, rows: number, columns: number): void {
    const record = this.get(reference);
    if (!record.config.Tty || record.state.status !== 'running') return;
    const control = join(this.layout.container(record.id), 'control');
    if (existsSync(control)) writeFileSync(control, `resize ${rows} ${columns}\n`, { flag: 'a' });
  }

  /** Pids of the container's processes (for top). */
  async pids(reference: string): Promise<number[]> {
    const record = this.get(reference);
    if (record.state.status !== 'running' && record.state.status !== 'paused') throw conflict(`Container ${record.id} is not running`);
    return this.runtime.pids(record.id);
  }

  /** Records that a client attached to the container's streams (for `events`). */
  attached(reference: string): void {
    this.emit(this.get(reference), 'attach');
  }

  /** Records that a client detached with its detach keys (for `events`). */
  detached(id: string): void {
    const record = this.records.get(id);
    if (record) this.emit(record, 'detach');
  }

  /** Registers a reader of the container's log until it is done; it is woken when the container stops. */
  holdLog(id: string, follower: LogFollower): void {
    const readers = this.logReaders.get(id) ?? new Set();
    readers.add(follower);
    this.logReaders.set(id, readers);
    void follower.done.finally(() => readers.delete(follower));
  }

  private async destroy(record: ContainerRecord, removeVolumes = false): Promise<void> {
    if (!this.records.has(record.id)) return;
    // Whoever is reading the output (docker run --rm attached) gets all of it before the files go.
    const readers = [...(this.logReaders.get(record.id) ?? [])];
    if (readers.length > 0) await Promise.race([Promise.allSettled(readers.map((reader) => reader.done)), delay(5000)]);
    if (!this.records.has(record.id)) return;
    this.logReaders.delete(record.id);
    this.records.delete(record.id);
    this.watchers.get(record.id)?.close();
    this.watchers.delete(record.id);
    this.health.stop(record.id);
    this.restartDelays.delete(record.id);
    await this.runtime.deleteStale(record.id);
    await this.runtime.unmountRootfs(record.id);
    rmSync(this.layout.container(record.id), { recursive: true, force: true });
    if (removeVolumes) {
      for (const mount of record.mounts) {
        if (mount.type !== 'volume' || !this.volumes.has(mount.name!) || !this.volumes.isAnonymous(this.volumes.get(mount.name!))) continue;
        if (this.volumeUsers(mount.name!).length === 0) await this.volumes.remove(mount.name!, []).catch(() => {});
      }
    }
    this.emit(record, 'destroy');
    for (const resolve of this.removeWaiters.get(record.id) ?? []) resolve();
    this.removeWaiters.delete(record.id);
  }

  /** `POST /wait`: not-running (now if stopped), next-exit, or removed; resolves with the exit code. */
  wait(reference: string, condition: string): Promise<number> {
    const record = this.get(reference);
    if (!['not-running', 'next-exit', 'removed', ''].includes(condition)) throw invalid(`invalid condition: "${condition}"`);
    if (condition === 'removed') {
      return new Promise((resolve) => {
        const list = this.removeWaiters.get(record.id) ?? [];
        list.push(() => resolve(record.state.exitCode));
        this.removeWaiters.set(record.id, list);
      });
    }
    const running = record.state.status === 'running' || record.state.status === 'paused';
    if (condition !== 'next-exit' && !running) return Promise.resolve(record.state.exitCode);
    return this.nextExit(record.id);
  }

  private nextExit(id: string): Promise<number> {
    return new Promise((resolve) => {
      const list = this.exitWaiters.get(id) ?? [];
      list.push(resolve);
      this.exitWaiters.set(id, list);
    });
  }

  /** The monitor writes the exit file when the container stops: watched, with a poll as a safety net. */
  private watchExit(record: ContainerRecord): void {
    const check = (): void => {
      if (this.runtime.exit(record.id) !== undefined) this.finish(record);
    };
    try {
      const watcher = watch(this.layout.container(record.id), (_event, file) => {
        if (file === 'exit') check();
      });
      this.watchers.set(record.id, watcher);
    } catch {
      // Polling alone will do.
    }
    const poll = setInterval(() => {
      if (!this.records.has(record.id) || (record.state.status !== 'running' && record.state.status !== 'paused')) clearInterval(poll);
      else if (!processAlive(record.state.pid) && this.runtime.exit(record.id) === undefined) {
        // The monitor is gone without an exit file (killed): the container is over.
        setTimeout(() => this.finish(record), 200);
      } else check();
    }, 1000);
    poll.unref();
    check();
  }

  private finish(record: ContainerRecord): void {
    if (record.state.status !== 'running' && record.state.status !== 'paused') return;
    this.watchers.get(record.id)?.close();
    this.watchers.delete(record.id);
    this.health.stop(record.id);
    const { code, oomKilled } = this.runtime.exit(record.id) ?? { code: 255, oomKilled: false };
    void this.leaveNetwork(record).then(() => this.records.has(record.id) && this.save(record));
    const ran = Date.now() - Date.parse(record.state.startedAt);
    record.state = { ...record.state, status: 'exited', pid: 0, exitCode: code, finishedAt: new Date().toISOString(), oomKilled };
    this.save(record);
    if (oomKilled) this.emit(record, 'oom');
    this.emit(record, 'die', { exitCode: String(code) });
    for (const resolve of this.exitWaiters.get(record.id) ?? []) resolve(code);
    this.exitWaiters.delete(record.id);
    for (const reader of this.logReaders.get(record.id) ?? []) reader.wake();
    // --rm takes the container's anonymous volumes with it, as docker run --rm does.
    if (record.hostConfig.AutoRemove) void this.destroy(record, true).catch(() => {});
    else this.applyRestartPolicy(record, code, ran);
  }

  /**
   * Restart policies, with Docker's backoff: 100 ms, doubling up to a minute, back to 100 ms once a run lasted
   * 10 seconds. A container stopped by a client is not restarted.
   */
  private applyRestartPolicy(record: ContainerRecord, code: number, ranMs: number): void {
    const policy = record.hostConfig.RestartPolicy ?? {};
    const name = policy.Name ?? '';
    if (record.manuallyStopped || name === '' || name === 'no') return;
    if (name === 'on-failure') {
      if (code === 0) return;
      const maximum = policy.MaximumRetryCount ?? 0;
      if (maximum > 0 && record.restartCount >= maximum) return;
    }
    const previous = this.restartDelays.get(record.id);
    const delayMs = previous === undefined || ranMs >= 10_000 ? 100 : Math.min(previous * 2, 60_000);
    this.restartDelays.set(record.id, delayMs);
    record.state = { ...record.state, status: 'restarting' };
    this.save(record);
    setTimeout(() => {
      const current = this.records.get(record.id);
      if (!current || current.state.status !== 'restarting' || current.manuallyStopped) return;
      current.restartCount += 1;
      current.state = { ...current.state, status: 'exited' };
      void this.start(current.id)
        .then(() => {
          current.manuallyStopped = false;
          this.save(current);
        })
        .catch((error: Error) => {
          current.state = { ...current.state, status: 'exited', error: error.message };
          this.save(current);
        });
    }, delayMs).unref();
  }

  /** Runs the container's healthcheck while it runs, recording results and announcing status changes. */
  private watchHealth(record: ContainerRecord): void {
    const state = record.state.health;
    if (!state || !probeCommand(record.config.Healthcheck)) return;
    this.health.start(
      {
        id: record.id,
        config: record.config.Healthcheck ?? {},
        startedAt: Date.parse(record.state.startedAt),
        onResult: (next, changed) => {
          const current = this.records.get(record.id);
          if (!current || current.state.status !== 'running') return;
          current.state = { ...current.state, health: next };
          this.save(current);
          if (changed) this.emit(current, `health_status: ${next.Status}`);
        },
      },
      state,
    );
  }

  /**
   * The container's network namespace, before its process starts: on bridge networks its own, with its endpoints;
   * with `container:` the other container's (which must run); host and none need nothing here.
   */
  private async joinNetwork(record: ContainerRecord): Promise<string | undefined> {
    const plan = networkPlan(record.hostConfig.NetworkMode);
    if (plan.kind === 'container') {
      const other = this.get(plan.reference);
      if (other.state.status !== 'running' && other.state.status !== 'paused') throw conflict(`cannot join network namespace of a non running container: container ${other.id} is ${other.state.status}`);
      return `/proc/${other.state.pid}/ns/net`;
    }
    if (plan.kind !== 'bridge') return undefined;
    return this.networking.setUp(record);
  }

  private async publishPorts(record: ContainerRecord): Promise<void> {
    const bindings = portBindings(record.hostConfig, record.config.ExposedPorts ?? {});
    if (networkPlan(record.hostConfig.NetworkMode).kind === 'bridge') await this.networking.publish(record, bindings);
  }

  /** Takes the network down after the container stopped; a start waits for it. */
  private leaveNetwork(record: ContainerRecord): Promise<void> {
    if (networkPlan(record.hostConfig.NetworkMode).kind !== 'bridge') return Promise.resolve();
    const done = this.networking.tearDown(record).finally(() => {
      if (this.teardowns.get(record.id) === done) this.teardowns.delete(record.id);
    });
    this.teardowns.set(record.id, done);
    return done;
  }

  /** Connects the container to a network (a running one at once); `docker network connect`. */
  async connect(reference: string, network: string, endpoint: EndpointRequest): Promise<void> {
    const record = this.get(reference);
    await this.networking.connect(record, network, endpoint);
    this.save(record);
  }

  async disconnect(reference: string, network: string): Promise<void> {
    const record = this.get(reference);
    await this.networking.disconnect(record, network);
    this.save(record);
  }

  /** Ids of the containers with an endpoint on the network. */
  networkUsers(networkId: string): string[] {
    return [...this.records.values()].filter((record) => Object.values(record.networks ?? {}).some((endpoint) => endpoint.networkId === networkId)).map((record) => record.id);
  }

  /** /etc/hostname, /etc/hosts and /etc/resolv.conf, written for the container and bind-mounted into it. */
  private etcFiles(record: ContainerRecord): Record<string, string> {
    const plan = networkPlan(record.hostConfig.NetworkMode);
    // Sharing another container's network, it shares its view of names too.
    const dir = this.layout.container(plan.kind === 'container' ? this.get(plan.reference).id : record.id);
    const hostname = join(this.layout.container(record.id), 'hostname');
    const hosts = join(dir, 'hosts');
    const resolv = join(dir, 'resolv.conf');
    writeFileSync(hostname, `${record.hostname}\n`);
    if (plan.kind === 'container') return { '/etc/hostname': hostname, '/etc/hosts': hosts, '/etc/resolv.conf': resolv };
    if (plan.kind === 'bridge') {
      this.networking.writeEtcFiles(record, dir);
    } else if (plan.kind === 'host') {
      writeFileSync(hosts, readOr('/etc/hosts', '127.0.0.1\tlocalhost\n'));
      writeFileSync(resolv, readOr('/etc/resolv.conf', ''));
    } else {
      writeFileSync(hosts, `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n`);
      writeFileSync(resolv, '');
    }
    return { '/etc/hostname': hostname, '/etc/hosts': hosts, '/etc/resolv.conf': resolv };
  }

  private save(record: ContainerRecord): void {
    this.records.set(record.id, record);
    writeJsonAtomic(this.layout.containerRecord(record.id), record);
  }

  private emit(record: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.events.emit('container', action, record.id, { ...record.config.Labels, image: record.image, name: record.name, ...extra });
  }
}

function mergeEnv(base: readonly string[], overrides: readonly string[]): string[] {
  const byKey = new Map<string, string>();
  for (const entry of [...base, ...overrides]) byKey.set(entry.split('=')[0]!, entry);
  return [...byKey.values()];
}

/** `user`, `uid`, `user:group`, `uid:gid`, read against the image's /etc/passwd and /etc/group. */
export function resolveUser(rootfs: string, user: string): { uid: number; gid: number; additionalGids: number[] } {
  if (user === '') return { uid: 0, gid: 0, additionalGids: [] };
  return userFromFiles(readOr(join(rootfs, 'etc/passwd'), ''), readOr(join(rootfs, 'etc/group'), ''), user);
}

/** `user[:group]` against the text of an /etc/passwd and an /etc/group. */
export function userFromFiles(passwdText: string, groupText: string, user: string): { uid: number; gid: number; additionalGids: number[] } {
  const [name = '', group] = user.split(':');
  const passwd = passwdText.split('\n').map((line) => line.split(':'));
  const groups = groupText.split('\n').map((line) => line.split(':'));
  let uid: number;
  let gid = 0;
  if (/^\d+$/.test(name)) {
    uid = Number(name);
    const entry = passwd.find((fields) => fields[2] === name);
    if (entry) gid = Number(entry[3]);
  } else {
    const entry = passwd.find((fields) => fields[0] === name);
    if (!entry) throw new EngineError('invalid', `unable to find user ${name}: no matching entries in passwd file`);
    uid = Number(entry[2]);
    gid = Number(entry[3]);
  }
  if (group !== undefined) {
    if (/^\d+$/.test(group)) gid = Number(group);
    else {
      const entry = groups.find((fields) => fields[0] === group);
      if (!entry) throw new EngineError('invalid', `unable to find group ${group}: no matching entries in group file`);
      gid = Number(entry[2]);
    }
  }
  return { uid, gid, additionalGids: [] };
}

function hasEntries(directory: string): boolean {
  try {
    return readdirSync(directory).length > 0;
  } catch {
    return false;
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

/** tini from Debian's `tini` package: the static build, since it runs inside any image. */
function initProgram(): string {
  for (const path of ['/usr/bin/tini-static', '/usr/bin/docker-init', '/usr/libexec/docker/docker-init']) if (existsSync(path)) return path;
  throw new EngineError('invalid', '--init needs tini on the engine host (apt-get install tini)');
}

function hostNofile(): number {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((entry) => entry.startsWith('Max open files'));
    const hard = line?.split(/\s{2,}/)[2];
    return hard && /^\d+$/.test(hard) ? Number(hard) : 1048576;
  } catch {
    return 1048576;
  }
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGUSR1: 10, SIGUSR2: 12, SIGTERM: 15, SIGSTOP: 19 };

function signalNumber(signal: string): number {
  if (/^\d+$/.test(signal)) return Number(signal);
  const name = signal.toUpperCase().startsWith('SIG') ? signal.toUpperCase() : `SIG${signal.toUpperCase()}`;
  return SIGNALS[name] ?? 15;
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const ADJECTIVES = ['brave', 'calm', 'eager', 'gentle', 'happy', 'jolly', 'keen', 'lucid', 'merry', 'nimble', 'quiet', 'swift'];
const NOUNS = ['anchor', 'buoy', 'cove', 'dock', 'harbor', 'jetty', 'keel', 'mast', 'pier', 'quay', 'tide', 'wharf'];

function generatedName(): string {
  const pick = (list: readonly string[]): string => list[randomBytes(1)[0]! % list.length]!;
  return `${pick(ADJECTIVES)}_${pick(NOUNS)}_${randomBytes(2).toString('hex')}`;
}
