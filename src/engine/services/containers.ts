// Containers' lifecycle, in one place: create from an image, start through the runtime, stop, kill, pause,
// rename, remove, wait, restart on policy; state kept on disk and brought back when the engine starts again
// (containers outlive the engine: their monitors hold them). The decisions and the details live in containers/.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { conflict, invalid } from '../errors.js';
import { processAlive } from '../runtime/runc.js';
import type { RuncDriver } from '../runtime/runc.js';
import { buildSpec } from '../runtime/spec.js';
import type { Layout } from '../store/layout.js';
import type { EventBus } from './events.js';
import type { LogFollower } from './logs.js';
import { probeCommand } from './health.js';
import type { HealthChecker } from './health.js';
import { refuseUnsupported, requestedMounts } from './container-record.js';
import type { ContainerRecord, CreateConfig, EndpointRequest } from './container-record.js';
import type { ContainerNetworking } from './endpoints.js';
import type { ImageService } from './images.js';
import type { VolumeService } from './volumes.js';
import { logFailure } from './logger.js';
import type { Logger } from './logger.js';
import { buildRecord, commandLine } from './containers/build-record.js';
import { writeEtcFiles } from './containers/etc-files.js';
import { ExitWatch } from './containers/exit-watch.js';
import { hostNofile, initProgram } from './containers/host.js';
import { attachVolumes, copyUp, mountsFrom, readyMounts } from './containers/mounts.js';
import { generatedName, nameInUse, validName } from './containers/names.js';
import { NetworkSteps } from './containers/network-steps.js';
import { restartAfterExit, restartsWithEngine } from './containers/restart-policy.js';
import { signalNumber } from './containers/signals.js';
import { closeStdin, LogReaders, resizeTerminal, stdinStream } from './containers/stdio.js';
import { ContainerTable } from './containers/table.js';
import { needsImageFiles, resolveUser } from './containers/users.js';
import { Waiters } from './containers/waiters.js';

const DEFAULT_STOP_TIMEOUT = 10;
/** How long a removal waits for readers of the log (docker run --rm attached) to get all of it. */
const LOG_DRAIN_MS = 5000;

const isRunning = (record: ContainerRecord): boolean => record.state.status === 'running' || record.state.status === 'paused';

export class ContainerService {
  private readonly table: ContainerTable;
  private readonly exits: ExitWatch;
  private readonly network: NetworkSteps;
  private readonly exitWaiters = new Waiters<number>();
  private readonly removeWaiters = new Waiters<number>();
  private readonly logReaders = new LogReaders();
  /** The delay before the last restart of each container, for the backoff. */
  private readonly restartDelays = new Map<string, number>();

  constructor(
    private readonly layout: Layout,
    private readonly images: ImageService,
    private readonly runtime: RuncDriver,
    private readonly events: EventBus,
    private readonly health: HealthChecker,
    private readonly volumes: VolumeService,
    private readonly networking: ContainerNetworking,
    private readonly log: Logger,
  ) {
    this.table = new ContainerTable(layout);
    this.exits = new ExitWatch(layout, runtime, log);
    this.network = new NetworkSteps(networking, (reference) => this.get(reference));
  }

  /** Reads every container back from disk; running ones are watched again, stopped-while-away ones marked exited. */
  adopt(): void {
    for (const record of this.table.load()) {
      if (isRunning(record)) {
        if (this.runtime.exit(record.id) !== undefined || !processAlive(record.state.pid)) this.finish(record);
        else {
          this.watchExit(record);
          this.watchHealth(record);
          void this.networking.resume(record).catch(logFailure(this.log, `container ${record.id.slice(0, 12)}: restoring its network state`, 'it keeps running; a restart sets it up again'));
        }
      } else if (record.state.status === 'exited' || record.state.status === 'restarting') {
        if (restartsWithEngine(record.hostConfig.RestartPolicy, Boolean(record.manuallyStopped))) {
          void this.start(record.id).catch(logFailure(this.log, `container ${record.id.slice(0, 12)}: restart by its policy on engine start`, 'it stays stopped'));
        }
      }
    }
  }

  imageUser(imageId: string): string | undefined {
    return this.table.imageUser(imageId);
  }

  all(): ContainerRecord[] {
    return this.table.all();
  }

  /** An id, an id prefix or a name. */
  get(reference: string): ContainerRecord {
    return this.table.get(reference);
  }

  async create(request: CreateConfig, requestedName: string | null): Promise<ContainerRecord> {
    if (typeof request !== 'object' || request === null || Array.isArray(request)) throw invalid('config cannot be empty in order to create a container');
    if (request.Image === undefined || request.Image === '') throw invalid('Config.Image is required');
    const id = randomBytes(32).toString('hex');
    const name = requestedName ? validName(requestedName) : generatedName();
    const holder = this.table.named(name);
    if (holder) throw nameInUse(name, holder.id);
    const image = this.images.resolve(request.Image);
    refuseUnsupported(request);
    const defaults = image.config.config ?? {};
    const command = commandLine(request, defaults);
    const host = request.HostConfig ?? {};
    const requested = requestedMounts(host, [...Object.keys(request.Volumes ?? {}), ...Object.keys(defaults.Volumes ?? {})]);
    const taken = [...requested.binds, ...mountsFrom(host, (reference) => this.get(reference).mounts)];
    const networks = this.networking.endpointsFor(host.NetworkMode, request.NetworkingConfig?.EndpointsConfig ?? {});
    const volumes = attachVolumes(requested.volumes, taken, this.volumes);
    const record = buildRecord({
      id,
      name,
      created: new Date().toISOString(),
      request,
      image: { id: image.id, defaults },
      command,
      mounts: [...taken, ...volumes.mounts],
      tmpfs: requested.tmpfs,
      networks,
    });
    mkdirSync(this.layout.bundle(id), { recursive: true });
    this.table.save(record);
    try {
      for (const copy of volumes.copies) await copyUp(record, copy, { images: this.images, volumes: this.volumes, runtime: this.runtime });
    } catch (error) {
      await this.destroy(record);
      throw error;
    }
    this.emit(record, 'create');
    return record;
  }

  async start(reference: string): Promise<'started' | 'already'> {
    const record = this.get(reference);
    if (isRunning(record)) return 'already';
    const layers = this.images.layerDirs(this.images.resolve(record.imageId));
    // A named user is looked up in the image's files, which needs the root filesystem now; otherwise the monitor
    // mounts it, which saves a process.
    const user = record.config.User ?? '';
    const groupAdd = record.hostConfig.GroupAdd ?? [];
    const mount = needsImageFiles(user, groupAdd) ? undefined : this.runtime.overlay(record.id, layers);
    const rootfs = mount ? mount.rootfs : await this.runtime.mountRootfs(record.id, layers);
    const mounts = await readyMounts(record, this.volumes);
    await this.network.settled(record.id);
    rmSync(this.layout.exitFile(record.id), { force: true });
    await this.runtime.deleteStale(record.id);
    let pid: number;
    try {
      // From here on a failure takes down what was set up (the namespace, its endpoints, published ports).
      const networkNamespace = await this.network.join(record);
      const spec = buildSpec({
        record,
        rootfs,
        mounts,
        user: resolveUser(rootfs, user, groupAdd),
        etcFiles: writeEtcFiles(record, { layout: this.layout, networking: this.networking, idOf: (other) => this.get(other).id }),
        ...(networkNamespace ? { networkNamespace } : {}),
        hostRlimitNofile: hostNofile(),
        ...(record.hostConfig.Init ? { init: initProgram() } : {}),
      });
      pid = await this.runtime.start(record.id, spec, { tty: Boolean(record.config.Tty), stdin: Boolean(record.config.OpenStdin) }, mount);
      await this.network.publishPorts(record);
    } catch (error) {
      await this.network.leave(record);
      record.state = { ...record.state, status: 'created', error: (error as Error).message };
      this.table.save(record);
      // As dockerd: a --rm container that cannot start is removed (docker run waits for that).
      if (record.hostConfig.AutoRemove) await this.destroy(record, true);
      throw error;
    }
    record.state = { ...record.state, status: 'running', pid, exitCode: 0, error: '', ports: record.state.ports, startedAt: new Date().toISOString(), finishedAt: '0001-01-01T00:00:00Z' };
    delete record.state.health;
    if (probeCommand(record.config.Healthcheck)) record.state.health = { Status: 'starting', FailingStreak: 0, Log: [] };
    record.manuallyStopped = false;
    this.table.save(record);
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
      this.table.save(record);
      return 'stopped';
    }
    if (!isRunning(record)) return 'already';
    const exited = this.exitWaiters.next(record.id);
    if (record.state.status === 'paused') await this.resumeToKill(record);
    const timeout = timeoutSeconds ?? record.config.StopTimeout ?? DEFAULT_STOP_TIMEOUT;
    const stopSignal = signal || record.config.StopSignal || 'SIGTERM';
    await this.runtime.kill(record.id, stopSignal);
    this.emit(record, 'kill', { signal: String(signalNumber(stopSignal)) });
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
    if (!isRunning(record)) throw conflict(`Container ${record.id} is not running`);
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
    this.table.save(record);
    this.emit(record, 'pause');
  }

  async unpause(reference: string): Promise<void> {
    const record = this.get(reference);
    if (record.state.status !== 'paused') throw conflict(`Container ${record.id} is not paused`);
    await this.runtime.resume(record.id);
    record.state = { ...record.state, status: 'running' };
    this.table.save(record);
    this.emit(record, 'unpause');
  }

  rename(reference: string, name: string): void {
    const record = this.get(reference);
    const target = validName(name);
    const holder = this.table.named(target);
    if (holder && holder.id !== record.id) throw nameInUse(target, holder.id);
    const old = record.name;
    record.name = target;
    this.table.save(record);
    this.emit(record, 'rename', { oldName: `/${old}` });
  }

  /** Removes the container; with `removeVolumes`, its anonymous volumes too (named ones stay). */
  async remove(reference: string, force: boolean, removeVolumes = false): Promise<void> {
    const record = this.get(reference);
    if (isRunning(record)) {
      if (!force) {
        throw conflict(`You cannot remove a running container ${record.id}. Stop the container before attempting removal or force remove`);
      }
      const exited = this.exitWaiters.next(record.id);
      if (record.state.status === 'paused') await this.resumeToKill(record);
      await this.runtime.kill(record.id, 'SIGKILL');
      await exited;
    }
    await this.destroy(record, removeVolumes);
  }

  /** Ids of the containers that mount the volume. */
  volumeUsers(name: string): string[] {
    return this.table.volumeUsers(name);
  }

  /** Ids of the containers with an endpoint on the network. */
  networkUsers(networkId: string): string[] {
    return this.table.networkUsers(networkId);
  }

  /** The container's root filesystem, mounted (a created container has none until asked). */
  async rootfs(reference: string): Promise<{ record: ContainerRecord; path: string }> {
    const record = this.get(reference);
    const image = this.images.resolve(record.imageId);
    return { record, path: await this.runtime.mountRootfs(record.id, this.images.layerDirs(image)) };
  }

  /** Input for the container's stdin (a stream into its FIFO), when it was created with OpenStdin and runs. */
  stdinOf(reference: string): NodeJS.WritableStream | undefined {
    return stdinStream(this.layout, this.get(reference));
  }

  /** Ends the container's input (attach with StdinOnce, when the client's stdin ends). */
  closeStdin(id: string): void {
    const record = this.table.byId(id);
    if (record) closeStdin(this.layout, record); // else removed meanwhile (run --rm): nothing to close
  }

  /** Resizes the container's terminal (a no-op without one). */
  resize(reference: string, rows: number, columns: number): void {
    resizeTerminal(this.layout, this.get(reference), rows, columns);
  }

  /** Pids of the container's processes (for top). */
  async pids(reference: string): Promise<number[]> {
    const record = this.get(reference);
    if (!isRunning(record)) throw conflict(`Container ${record.id} is not running`);
    return this.runtime.pids(record.id);
  }

  /** Records that a client attached to the container's streams (for `events`). */
  attached(reference: string): void {
    this.emit(this.get(reference), 'attach');
  }

  /** Records that a client detached with its detach keys (for `events`). */
  detached(id: string): void {
    const record = this.table.byId(id);
    if (record) this.emit(record, 'detach');
  }

  /** Registers a reader of the container's log until it is done; it is woken when the container stops. */
  holdLog(id: string, follower: LogFollower): void {
    this.logReaders.hold(id, follower);
  }

  /** `POST /wait`: not-running (now if stopped), next-exit, or removed; resolves with the exit code. */
  wait(reference: string, condition: string): Promise<number> {
    const record = this.get(reference);
    if (!['not-running', 'next-exit', 'removed', ''].includes(condition)) throw invalid(`invalid condition: "${condition}"`);
    if (condition === 'removed') return this.removeWaiters.next(record.id);
    if (condition !== 'next-exit' && !isRunning(record)) return Promise.resolve(record.state.exitCode);
    return this.exitWaiters.next(record.id);
  }

  /** Connects the container to a network (a running one at once); `docker network connect`. */
  async connect(reference: string, network: string, endpoint: EndpointRequest): Promise<void> {
    const record = this.get(reference);
    await this.networking.connect(record, network, endpoint);
    this.table.save(record);
  }

  async disconnect(reference: string, network: string): Promise<void> {
    const record = this.get(reference);
    await this.networking.disconnect(record, network);
    this.table.save(record);
  }

  /** A paused container is resumed before it is killed, so that it can act on the signal. */
  private async resumeToKill(record: ContainerRecord): Promise<void> {
    await this.runtime.resume(record.id).catch(logFailure(this.log, `container ${record.id.slice(0, 12)}: resume before the kill`, 'SIGKILL ends a frozen container too'));
  }

  private async destroy(record: ContainerRecord, removeVolumes = false): Promise<void> {
    if (!this.table.has(record.id)) return;
    // Whoever is reading the output (docker run --rm attached) gets all of it before the files go.
    await this.logReaders.drained(record.id, LOG_DRAIN_MS);
    if (!this.table.has(record.id)) return;
    this.logReaders.forget(record.id);
    this.table.forget(record.id);
    this.exits.stop(record.id);
    this.health.stop(record.id);
    this.restartDelays.delete(record.id);
    await this.runtime.deleteStale(record.id);
    await this.runtime.unmountRootfs(record.id);
    rmSync(this.layout.container(record.id), { recursive: true, force: true });
    if (removeVolumes) {
      for (const mount of record.mounts) {
        if (mount.type !== 'volume' || !this.volumes.has(mount.name!) || !this.volumes.isAnonymous(this.volumes.get(mount.name!))) continue;
        if (this.table.volumeUsers(mount.name!).length === 0) {
          await this.volumes.remove(mount.name!, []).catch(logFailure(this.log, `removing anonymous volume ${mount.name!} of container ${record.id.slice(0, 12)}`, 'the volume stays, as a dangling one'));
        }
      }
    }
    this.emit(record, 'destroy');
    this.removeWaiters.settle(record.id, record.state.exitCode);
  }

  private watchExit(record: ContainerRecord): void {
    this.exits.watch(record, () => this.table.has(record.id) && isRunning(record), () => this.finish(record));
  }

  /** The container stopped: its state recorded, waiters told, and --rm or its restart policy applied. */
  private finish(record: ContainerRecord): void {
    if (!isRunning(record)) return;
    this.exits.stop(record.id);
    this.health.stop(record.id);
    const { code, oomKilled } = this.runtime.exit(record.id) ?? { code: 255, oomKilled: false };
    void this.network
      .leave(record)
      .then(() => this.table.has(record.id) && this.table.save(record))
      .catch(logFailure(this.log, `container ${record.id.slice(0, 12)}: network teardown after exit`, 'the next start sets the network up afresh'));
    const ran = Date.now() - Date.parse(record.state.startedAt);
    record.state = { ...record.state, status: 'exited', pid: 0, exitCode: code, finishedAt: new Date().toISOString(), oomKilled };
    this.table.save(record);
    if (oomKilled) this.emit(record, 'oom');
    this.emit(record, 'die', { exitCode: String(code) });
    this.exitWaiters.settle(record.id, code);
    this.logReaders.wake(record.id);
    // --rm takes the container's anonymous volumes with it, as docker run --rm does.
    if (record.hostConfig.AutoRemove) void this.destroy(record, true).catch(logFailure(this.log, `auto-removing container ${record.id.slice(0, 12)}`, 'it stays, exited, for a manual rm'));
    else this.applyRestartPolicy(record, code, ran);
  }

  private applyRestartPolicy(record: ContainerRecord, code: number, ranMs: number): void {
    const decision = restartAfterExit({
      policy: record.hostConfig.RestartPolicy,
      exitCode: code,
      ranMs,
      restartCount: record.restartCount,
      manuallyStopped: Boolean(record.manuallyStopped),
      previousDelayMs: this.restartDelays.get(record.id),
    });
    if (!decision.restart) return;
    this.restartDelays.set(record.id, decision.delayMs);
    record.state = { ...record.state, status: 'restarting' };
    this.table.save(record);
    setTimeout(() => {
      const current = this.table.byId(record.id);
      if (!current || current.state.status !== 'restarting' || current.manuallyStopped) return;
      current.restartCount += 1;
      current.state = { ...current.state, status: 'exited' };
      void this.start(current.id)
        .then(() => {
          current.manuallyStopped = false;
          this.table.save(current);
        })
        .catch((error: Error) => {
          this.log(`container ${current.id.slice(0, 12)}: restart by its policy failed: ${error.message}`);
          current.state = { ...current.state, status: 'exited', error: error.message };
          this.table.save(current);
        });
    }, decision.delayMs).unref();
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
          const current = this.table.byId(record.id);
          if (!current || current.state.status !== 'running') return;
          current.state = { ...current.state, health: next };
          this.table.save(current);
          if (changed) this.emit(current, `health_status: ${next.Status}`);
        },
      },
      state,
    );
  }

  private emit(record: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.events.emit('container', action, record.id, { ...record.config.Labels, image: record.image, name: record.name, ...extra });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
