// Containers' lifecycle, in one place: create from an image, start through the runtime, stop, kill, pause,
// rename, remove, wait, restart on policy; state kept on disk and brought back when the engine starts again
// (containers outlive the engine: their monitors hold them). The decisions and the details live in containers/.
//
// Crash safety: every step that changes the host is recorded on disk before it is acknowledged, so that an engine
// killed at any point finds, at its next start, either the step done or nothing of it (see `adopt`): a create
// reserves its name durably (with a marker removed once it is complete), a start records its network before runc
// runs and its pid after, a removal moves the directory out in one rename. Operations on one container are queued.
import { randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { NO_CRASH_POINTS } from '../crash-points.js';
import type { CrashPoints } from '../crash-points.js';
import { conflict, invalid, notFound } from '../errors.js';
import { processAlive } from '../runtime/runc.js';
import type { RuncDriver } from '../runtime/runc.js';
import { buildSpec } from '../runtime/spec.js';
import { overlayEnvironment } from './link-env.js';
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
import { finishRemovals, removeContainerDirectory } from './containers/directories.js';
import { writeEtcFiles } from './containers/etc-files.js';
import { ExitWatch } from './containers/exit-watch.js';
import { hostNofile, initProgram } from './containers/host.js';
import { attachVolumes, copyUp, copyUpNeeded, emptyDirectory, mountsFrom, readyMounts } from './containers/mounts.js';
import { generatedName, nameInUse, validName } from './containers/names.js';
import { NetworkSteps } from './containers/network-steps.js';
import { PerKeyQueue } from './containers/queue.js';
import { recoveryOf } from './containers/recovery.js';
import { restartAfterExit, restartsWithEngine } from './containers/restart-policy.js';
import { signalNumber } from './containers/signals.js';
import { Slots } from './containers/slots.js';
import type { Slot } from './containers/slots.js';
import { closeStdin, LogReaders, resizeTerminal, stdinStream } from './containers/stdio.js';
import { ContainerTable } from './containers/table.js';
import { needsImageFiles, resolveUser } from './containers/users.js';
import { Waiters } from './containers/waiters.js';

const DEFAULT_STOP_TIMEOUT = 10;
/** How long a removal waits for readers of the log (docker run --rm attached) to get all of it. */
const LOG_DRAIN_MS = 5000;

/** How long a start waits for the monitor of a container's previous run to let go of its root filesystem. */
const MONITOR_GONE_MS = 5000;

/**
 * Starts that fork a monitor and runc at once, per core; the others wait their turn (see containers/slots.ts). On
 * two cores, 40 starts asked at once finish sooner four at a time than all together (bench/README.md, "scale").
 */
const STARTS_PER_CORE = 2;
/** A start that holds its place longer than this (runc not answering) stops counting against the bound. */
const START_SLOT_MS = 20_000;

const isRunning = (record: ContainerRecord): boolean => record.state.status === 'running' || record.state.status === 'paused';
const short = (id: string): string => id.slice(0, 12);

export interface ContainerServiceDeps {
  readonly layout: Layout;
  readonly images: ImageService;
  readonly runtime: RuncDriver;
  readonly events: EventBus;
  readonly health: HealthChecker;
  readonly volumes: VolumeService;
  readonly networking: ContainerNetworking;
  readonly log: Logger;
  /** Test-only points where the engine kills itself (see crash-points.ts). */
  readonly crash?: CrashPoints;
}

export class ContainerService {
  private readonly layout: Layout;
  private readonly images: ImageService;
  private readonly runtime: RuncDriver;
  private readonly events: EventBus;
  private readonly health: HealthChecker;
  private readonly volumes: VolumeService;
  private readonly networking: ContainerNetworking;
  private readonly log: Logger;
  private readonly crash: CrashPoints;
  private readonly table: ContainerTable;
  private readonly exits: ExitWatch;
  private readonly network: NetworkSteps;
  /** Lifecycle operations, one at a time per container. */
  private readonly queue = new PerKeyQueue();
  /** Starts under way in the runtime (a monitor and runc each), a few per core. */
  private readonly starts = new Slots(STARTS_PER_CORE * availableParallelism(), START_SLOT_MS);
  private readonly exitWaiters = new Waiters<number>();
  private readonly removeWaiters = new Waiters<number>();
  private readonly logReaders = new LogReaders();
  /** The delay before the last restart of each container, for the backoff. */
  private readonly restartDelays = new Map<string, number>();

  constructor(deps: ContainerServiceDeps) {
    ({ layout: this.layout, images: this.images, runtime: this.runtime, events: this.events, health: this.health, volumes: this.volumes, networking: this.networking, log: this.log } = deps);
    this.crash = deps.crash ?? NO_CRASH_POINTS;
    this.table = new ContainerTable(this.layout, this.log);
    this.exits = new ExitWatch(this.layout, this.runtime, this.log);
    this.network = new NetworkSteps(this.networking, (reference) => this.get(reference));
  }

  /**
   * Brings every container back after the engine (re)starts, reconciling each record with what runs (see
   * containers/recovery.ts): running ones are watched again with their pid, a start the engine died in the middle
   * of is recorded, half-made creates and removals are finished off, stopped containers lose what an interrupted
   * start left (namespaces), and restart policies bring back what they should.
   */
  async adopt(): Promise<void> {
    const finished = await finishRemovals(this.layout);
    if (finished > 0) this.log(`finished ${finished} container removal(s) an earlier engine left half done`);
    const { records, withoutRecord, unreadable } = this.table.load();
    for (const id of withoutRecord) await this.removeUnrecorded(id);
    for (const id of unreadable) this.log(`container directory ${this.layout.container(id)} has no readable record (it was moved aside as container.json.corrupt-*); left alone`);
    await Promise.all(records.map((record) => this.recover(record).catch(logFailure(this.log, `container ${short(record.id)}: recovery at engine start`, 'it is listed as recorded; a start or rm sets it straight'))));
  }

  private async recover(record: ContainerRecord): Promise<void> {
    const exitRecorded = this.runtime.exit(record.id) !== undefined;
    // The common case costs no process: a recorded run whose process is still there, and whose runc state exists.
    const trusted = isRunning(record) && !exitRecorded && processAlive(record.state.pid) && this.runtime.hasState(record.id);
    const runtime = trusted ? { status: record.state.status, pid: record.state.pid } : await this.runtime.state(record.id);
    const action = recoveryOf({ recorded: record.state.status, halfCreated: record.creating !== undefined, runtime, exitRecorded });
    switch (action.kind) {
      case 'remove-half-created':
        this.log(`container ${short(record.id)} (${record.name}): its create never completed; removed`);
        await this.abandonCreate(record);
        return;
      case 'finish':
        this.finish(record);
        return;
      case 'adopt':
      case 'complete-start': {
        if (action.kind === 'complete-start') {
          this.log(`container ${short(record.id)} (${record.name}): started by runc before the engine stopped; recorded as running (pid ${action.pid})`);
          record.state = { ...record.state, status: action.status, pid: action.pid, exitCode: 0, error: '', startedAt: new Date().toISOString(), finishedAt: '0001-01-01T00:00:00Z' };
          delete record.state.health;
          if (probeCommand(record.config.Healthcheck)) record.state.health = { Status: 'starting', FailingStreak: 0, Log: [] };
          record.manuallyStopped = false;
          await this.table.save(record);
          await this.network.publishPorts(record);
          await this.table.save(record);
        } else if (record.state.status !== action.status || record.state.pid !== action.pid) {
          record.state = { ...record.state, status: action.status, pid: action.pid };
          await this.table.save(record);
        }
        this.checkRootfs(record);
        this.watchExit(record);
        this.watchHealth(record);
        await this.networking.resume(record).catch(logFailure(this.log, `container ${short(record.id)}: restoring its network state`, 'it keeps running; a restart sets it up again'));
        return;
      }
      case 'stopped': {
        if (action.exitedWhileAway) {
          const { code, oomKilled } = this.runtime.exit(record.id)!;
          record.state = { ...record.state, status: 'exited', pid: 0, exitCode: code, oomKilled, finishedAt: new Date().toISOString() };
          await this.table.save(record);
        }
        // An interrupted start may have left the container's namespace and addresses behind.
        const hadAddresses = Object.values(record.networks ?? {}).some((endpoint) => endpoint.ipAddress);
        await this.network.leave(record);
        if (hadAddresses || record.state.pid !== 0) {
          record.state = { ...record.state, pid: 0 };
          await this.table.save(record);
        }
        if ((record.state.status === 'exited' || record.state.status === 'restarting') && restartsWithEngine(record.hostConfig.RestartPolicy, Boolean(record.manuallyStopped))) {
          void this.start(record.id).catch(logFailure(this.log, `container ${short(record.id)}: restart by its policy on engine start`, 'it stays stopped'));
        }
        return;
      }
    }
  }

  /**
   * An adopted container's root filesystem, as the engine sees it on the host. When that mount was lost (another
   * mount namespace, an unmount by hand), a second overlay on the same upper dir would be undefined behaviour for
   * the kernel while the container writes through its own: the engine reaches it through /proc/PID/root instead
   * (see `rootfs`), and a restart mounts it again.
   */
  private checkRootfs(record: ContainerRecord): void {
    if (this.runtime.rootfsMounted(record.id)) return;
    this.log(`container ${short(record.id)}: its root filesystem is not mounted on the host any more; reached through /proc/${record.state.pid}/root until it restarts`);
  }

  /** A container directory without a record: a create that died before its first write, unless runc runs it. */
  private async removeUnrecorded(id: string): Promise<void> {
    if (await this.runtime.state(id)) {
      this.log(`container directory ${this.layout.container(id)} has no record but runc runs it; left alone`);
      return;
    }
    this.log(`container ${short(id)}: its create never completed; removed`);
    await this.runtime.unmountRootfs(id);
    await (await removeContainerDirectory(this.layout, id)).deleted;
  }

  /** Removes what a create that never completed made: its files, and what it put in volumes. */
  private async abandonCreate(record: ContainerRecord): Promise<void> {
    this.table.forget(record.id);
    await this.runtime.deleteStale(record.id);
    await this.runtime.unmountRootfs(record.id);
    await (await removeContainerDirectory(this.layout, record.id)).deleted;
    const undo = record.creating ?? { copyUps: [], anonymous: [] };
    for (const volume of new Set([...undo.copyUps, ...undo.anonymous])) {
      // Anyone else using the volume now may have written to it since: it stays as it is.
      if (!this.volumes.has(volume) || this.table.volumeUsers(volume).length > 0) continue;
      if (undo.anonymous.includes(volume)) await this.volumes.remove(volume, []).catch(logFailure(this.log, `removing anonymous volume ${volume} of an abandoned create`, 'it stays, as a dangling volume'));
      else emptyDirectory(this.volumes.mountpoint(volume)); // it was empty before the copy-up began
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
    const record: ContainerRecord = buildRecord({
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
    // Only volumes that are empty now are filled, and only they are emptied again if the create is abandoned.
    const copies = volumes.copies.filter((copy) => copyUpNeeded(image.id, copy, { images: this.images, volumes: this.volumes }));
    mkdirSync(this.layout.bundle(id), { recursive: true });
    // The name is reserved in memory at once (the record is in the table from the first save on, before any await).
    // A create that changes volumes (fills them, makes anonymous ones) also reserves it durably, marked as being
    // created, so that a restart after a crash undoes those changes; one that does not writes its record once: a
    // crash before that write leaves a directory without a record, removed at the next start (see adopt).
    const undoable = copies.length > 0 || volumes.anonymous.length > 0;
    if (undoable) {
      record.creating = { copyUps: copies.map((copy) => copy.volume), anonymous: volumes.anonymous };
      await this.table.save(record);
    }
    this.crash.reach('create:reserved');
    try {
      for (const copy of copies) await copyUp(record, copy, { images: this.images, volumes: this.volumes, runtime: this.runtime });
    } catch (error) {
      await this.destroy(record);
      throw error;
    }
    this.crash.reach('create:copied-up');
    delete record.creating;
    await this.table.save(record);
    this.crash.reach('create:done');
    this.emit(record, 'create');
    return record;
  }

  start(reference: string): Promise<'started' | 'already'> {
    return this.queued(reference, (record) => this.startNow(record));
  }

  private async startNow(record: ContainerRecord): Promise<'started' | 'already'> {
    if (isRunning(record)) return 'already';
    // runc may run it although the record says otherwise (a start the engine died in): it is adopted, never killed.
    const running = await this.runtime.state(record.id);
    if (running && ['running', 'paused', 'created'].includes(running.status) && running.pid > 0 && this.runtime.exit(record.id) === undefined) {
      this.log(`container ${short(record.id)}: already run by runc (pid ${running.pid}); recorded as running`);
      await this.recover(record);
      return 'already';
    }
    await this.network.settled(record.id);
    await this.runtime.deleteStale(record.id);
    // The monitor of the previous run detaches the root filesystem as it ends: whether it is mounted is asked after.
    if (!(await this.runtime.monitorGone(record.id, MONITOR_GONE_MS))) this.log(`container ${short(record.id)}: the monitor of its previous run is still there after ${MONITOR_GONE_MS} ms; starting anyway`);
    rmSync(this.layout.exitFile(record.id), { force: true });
    // A few starts at a time go through the runtime; the others wait here for a place (see STARTS_PER_CORE).
    const slot = await this.starts.take();
    let pid: number;
    try {
      pid = await this.launch(record, slot);
    } finally {
      slot.release();
    }
    record.state = { ...record.state, status: 'running', pid, exitCode: 0, error: '', ports: record.state.ports, startedAt: new Date().toISOString(), finishedAt: '0001-01-01T00:00:00Z' };
    delete record.state.health;
    if (probeCommand(record.config.Healthcheck)) record.state.health = { Status: 'starting', FailingStreak: 0, Log: [] };
    record.manuallyStopped = false;
    await this.table.save(record);
    this.crash.reach('start:recorded');
    this.emit(record, 'start');
    this.watchExit(record);
    this.watchHealth(record);
    return 'started';
  }

  /**
   * The container's process started through the runtime: its root filesystem, mounts, network and spec made, its
   * monitor and runc run, its ports published; resolves with its pid. The place is given back once runc has run it
   * (or failed to), before the slower cleanup of a failure.
   */
  private async launch(record: ContainerRecord, slot: Slot): Promise<number> {
    const layers = this.images.layerDirs(this.images.resolve(record.imageId));
    // A named user is looked up in the image's files, which needs the root filesystem now; otherwise the monitor
    // mounts it, which saves a process.
    const user = record.config.User ?? '';
    const groupAdd = record.hostConfig.GroupAdd ?? [];
    const mount = needsImageFiles(user, groupAdd) ? undefined : await this.runtime.overlay(record.id, layers);
    const rootfs = mount ? mount.rootfs : await this.runtime.mountRootfs(record.id, layers);
    // Volume subpaths stay pinned until runc has mounted them.
    const { mounts, release } = await readyMounts(record, this.volumes);
    try {
      // From here on a failure takes down what was set up (the namespace, its endpoints, published ports).
      const network = await this.network.join(record);
      // Its addresses are recorded before anything runs in them, so that no other container is given them.
      if (Object.values(record.networks).some((endpoint) => endpoint.ipAddress)) await this.table.save(record);
      this.crash.reach('start:network-ready');
      // Legacy links on the default bridge give the linked containers' addresses as variables, under its own.
      const linkEnv = this.networking.linkEnvironment(record);
      const spec = buildSpec({
        record: linkEnv.length > 0 ? { ...record, config: { ...record.config, Env: overlayEnvironment(linkEnv, record.config.Env ?? []) } } : record,
        rootfs,
        mounts,
        user: resolveUser(rootfs, user, groupAdd),
        etcFiles: writeEtcFiles(record, { layout: this.layout, networking: this.networking, idOf: (other) => this.get(other).id }),
        ...(network ? { networkNamespace: network.path } : {}),
        hostRlimitNofile: hostNofile(),
        ...(record.hostConfig.Init ? { init: initProgram() } : {}),
      });
      const pid = await this.runtime.start(record.id, spec, { tty: Boolean(record.config.Tty), stdin: Boolean(record.config.OpenStdin) }, { ...(mount ? { mount } : {}), ...(network ? { network } : {}) });
      slot.release();
      this.crash.reach('start:runtime-started');
      await this.network.publishPorts(record);
      return pid;
    } catch (error) {
      slot.release();
      await this.network.leave(record);
      record.state = { ...record.state, status: 'created', error: (error as Error).message };
      await this.table.save(record);
      // As dockerd: a --rm container that cannot start is removed (docker run waits for that).
      if (record.hostConfig.AutoRemove) await this.destroy(record, true);
      throw error;
    } finally {
      await release();
    }
  }

  /** Signal, then SIGKILL after the timeout; resolves once the container has stopped. */
  stop(reference: string, timeoutSeconds?: number, signal?: string): Promise<'stopped' | 'already'> {
    return this.queued(reference, (record) => this.stopNow(record, timeoutSeconds, signal));
  }

  private async stopNow(record: ContainerRecord, timeoutSeconds?: number, signal?: string): Promise<'stopped' | 'already'> {
    record.manuallyStopped = true;
    if (record.state.status === 'restarting') {
      record.state = { ...record.state, status: 'exited' };
      await this.table.save(record);
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

  /** Not queued: a kill must reach a container whose stop is waiting out its timeout. */
  async kill(reference: string, signal = 'SIGKILL'): Promise<void> {
    const record = this.get(reference);
    record.manuallyStopped = true;
    if (!isRunning(record)) throw conflict(`Container ${record.id} is not running`);
    await this.runtime.kill(record.id, signal);
    this.emit(record, 'kill', { signal: String(signalNumber(signal)) });
  }

  async restart(reference: string, timeoutSeconds?: number): Promise<void> {
    await this.queued(reference, async (record) => {
      await this.stopNow(record, timeoutSeconds);
      await this.startNow(record);
      this.emit(record, 'restart');
    });
  }

  pause(reference: string): Promise<void> {
    return this.queued(reference, async (record) => {
      if (record.state.status !== 'running') throw conflict(`Container ${record.id} is not running`);
      await this.runtime.pause(record.id);
      record.state = { ...record.state, status: 'paused' };
      await this.table.save(record);
      this.emit(record, 'pause');
    });
  }

  unpause(reference: string): Promise<void> {
    return this.queued(reference, async (record) => {
      if (record.state.status !== 'paused') throw conflict(`Container ${record.id} is not paused`);
      await this.runtime.resume(record.id);
      record.state = { ...record.state, status: 'running' };
      await this.table.save(record);
      this.emit(record, 'unpause');
    });
  }

  rename(reference: string, name: string): void {
    const record = this.get(reference);
    const target = validName(name);
    const holder = this.table.named(target);
    if (holder && holder.id !== record.id) throw nameInUse(target, holder.id);
    const old = record.name;
    record.name = target;
    this.persist(record);
    this.emit(record, 'rename', { oldName: `/${old}` });
  }

  /** Removes the container; with `removeVolumes`, its anonymous volumes too (named ones stay). */
  async remove(reference: string, force: boolean, removeVolumes = false): Promise<void> {
    const record = this.get(reference);
    if (isRunning(record) && !force) {
      throw conflict(`You cannot remove a running container ${record.id}. Stop the container before attempting removal or force remove`);
    }
    // The kill goes out at once, not after whatever is queued (a stop waiting out its timeout).
    if (isRunning(record)) await this.runtime.kill(record.id, 'SIGKILL');
    await this.queued(reference, async (current) => {
      if (isRunning(current)) {
        if (!force) throw conflict(`You cannot remove a running container ${current.id}. Stop the container before attempting removal or force remove`);
        const exited = this.exitWaiters.next(current.id);
        if (current.state.status === 'paused') await this.resumeToKill(current);
        await this.runtime.kill(current.id, 'SIGKILL');
        await exited;
      }
      this.crash.reach('remove:killed');
      await this.destroy(current, removeVolumes);
    });
  }

  /** Runs a lifecycle operation on the container once the ones queued before it are done. */
  private queued<T>(reference: string, operation: (record: ContainerRecord) => Promise<T>): Promise<T> {
    const record = this.get(reference);
    return this.queue.run(record.id, () => {
      if (!this.table.has(record.id)) throw notFound(`No such container: ${reference}`);
      return operation(record);
    });
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
  rootfs(reference: string): Promise<{ record: ContainerRecord; path: string }> {
    return this.queued(reference, async (record) => {
      // A running container's root is mounted: the overlay on the host, or (its host-side mount gone) its own root
      // as its processes see it (see checkRootfs). One look at the mount table, no image lookup: an archive PUT
      // into a running container (every watch sync) comes here.
      if (isRunning(record) && record.state.pid > 0) {
        return { record, path: this.runtime.rootfsMounted(record.id) ? this.layout.rootfs(record.id) : `/proc/${record.state.pid}/root` };
      }
      const image = this.images.resolve(record.imageId);
      return { record, path: await this.runtime.mountRootfs(record.id, this.images.layerDirs(image)) };
    });
  }

  /** Input for the container's stdin (a stream into its FIFO), when it was created with OpenStdin and runs. */
  stdinOf(reference: string): NodeJS.WritableStream | undefined {
    return stdinStream(this.layout, this.get(reference));
  }

  /** Ends the container's input (attach with StdinOnce, when the client's stdin ends). */
  closeStdin(id: string): void {
    const record = this.table.byId(id);
    if (!record) return; // removed meanwhile (run --rm): nothing to close
    const result = closeStdin(this.layout, record);
    if (result.reason) this.log(`container ${id.slice(0, 12)}: cannot end its input (${result.reason})`);
  }

  /** Resizes the container's terminal (a no-op without one). */
  resize(reference: string, rows: number, columns: number): void {
    const record = this.get(reference);
    const result = resizeTerminal(this.layout, record, rows, columns);
    if (result.reason) this.log(`container ${record.id.slice(0, 12)}: cannot resize its terminal (${result.reason})`);
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
  connect(reference: string, network: string, endpoint: EndpointRequest): Promise<void> {
    return this.queued(reference, async (record) => {
      await this.networking.connect(record, network, endpoint);
      await this.table.save(record);
    });
  }

  disconnect(reference: string, network: string): Promise<void> {
    return this.queued(reference, async (record) => {
      await this.networking.disconnect(record, network);
      await this.table.save(record);
    });
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
    await this.table.settled(record.id); // a write still under way would fail in a directory moved out
    // The network namespace goes before the directory: a teardown still under way after the exit (a --rm container)
    // would otherwise outlive the record that lets a restarted engine, or a cleanup, find the namespace again; and a
    // namespace an interrupted start left behind goes too.
    await this.network.settled(record.id);
    await this.network.leave(record).catch(logFailure(this.log, `container ${short(record.id)}: network teardown at removal`, 'its namespace may be left under /run/netns'));
    await this.runtime.deleteStale(record.id);
    await this.runtime.unmountRootfs(record.id);
    // Gone from the listing (durably) now; its files are deleted while the client is answered.
    const { deleted } = await removeContainerDirectory(this.layout, record.id);
    void deleted.catch(logFailure(this.log, `container ${short(record.id)}: deleting its files`, `they stay under ${this.layout.removedContainers} until the next engine start`));
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
    // A --rm container's record is not written again: it goes in a moment, and should the engine die first, the exit
    // file makes the next start finish (and remove) it the same way (see recover).
    const kept = !record.hostConfig.AutoRemove;
    void this.network
      .leave(record)
      .then((tookDown) => tookDown && kept && this.table.has(record.id) && this.persist(record))
      .catch(logFailure(this.log, `container ${record.id.slice(0, 12)}: network teardown after exit`, 'the next start sets the network up afresh'));
    const ran = Date.now() - Date.parse(record.state.startedAt);
    record.state = { ...record.state, status: 'exited', pid: 0, exitCode: code, finishedAt: new Date().toISOString(), oomKilled };
    if (kept) this.persist(record);
    if (oomKilled) this.emit(record, 'oom');
    this.emit(record, 'die', { exitCode: String(code) });
    this.exitWaiters.settle(record.id, code);
    this.logReaders.wake(record.id);
    // --rm takes the container's anonymous volumes with it, as docker run --rm does.
    if (record.hostConfig.AutoRemove) void this.queue.run(record.id, () => this.destroy(record, true)).catch(logFailure(this.log, `auto-removing container ${record.id.slice(0, 12)}`, 'it stays, exited, for a manual rm'));
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
    this.persist(record);
    setTimeout(() => {
      const current = this.table.byId(record.id);
      if (!current || current.state.status !== 'restarting' || current.manuallyStopped) return;
      // It stays `restarting` until the start makes it `running` (or fails), as dockerd shows it.
      current.restartCount += 1;
      void this.start(current.id)
        .then(() => {
          current.manuallyStopped = false;
          this.persist(current);
        })
        .catch((error: Error) => {
          this.log(`container ${current.id.slice(0, 12)}: restart by its policy failed: ${error.message}`);
          current.state = { ...current.state, status: 'exited', error: error.message };
          this.persist(current);
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
          this.persist(current);
          if (changed) this.emit(current, `health_status: ${next.Status}`);
        },
      },
      state,
    );
  }

  /**
   * Writes the record without waiting (where the caller cannot wait: an exit noticed, a probe's result); a write
   * that a crash loses is put right by `adopt`, which asks the runtime.
   */
  private persist(record: ContainerRecord): void {
    void this.table.save(record).catch(logFailure(this.log, `container ${short(record.id)}: writing its record`, 'the state in memory is right; the next write or the next start sets the file straight'));
  }

  private emit(record: ContainerRecord, action: string, extra: Record<string, string> = {}): void {
    this.events.emit('container', action, record.id, { ...record.config.Labels, image: record.image, name: record.name, ...extra });
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
