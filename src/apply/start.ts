// Waiting on containers: for a dependency to be healthy or to have completed (the plan's wait operations), and, for
// `--wait`, for every service to be running (and healthy when it has a check).
import type { ContainerSummary, Engine } from '../engine-client/index.js';
import { formatGoDuration } from '../model/duration.js';
import { BerthError } from '../model/errors.js';
import type { Project } from '../model/types.js';
import { LABEL, serviceContainersFilter } from '../model/labels.js';
import { progressEvent } from '../progress/events.js';
import type { ProgressSink } from '../progress/events.js';

export interface StartContext {
  readonly engine: Engine;
  readonly project: Project;
  readonly sink: ProgressSink;
  readonly signal?: AbortSignal;
}

const POLL_MS = 250;

/** Containers of the project's services by service (one-offs left out), fresh from the engine. */
export async function serviceContainers(engine: Engine, project: string): Promise<Map<string, ContainerSummary[]>> {
  const byService = new Map<string, ContainerSummary[]>();
  for (const container of await engine.containers.list(serviceContainersFilter(project), true)) {
    if ((container.labels[LABEL.oneoff] ?? '').toLowerCase() === 'true') continue;
    const service = container.labels[LABEL.service] ?? '';
    byService.set(service, [...(byService.get(service) ?? []), container]);
  }
  for (const list of byService.values()) list.sort((a, b) => Number(a.labels[LABEL.number] ?? 0) - Number(b.labels[LABEL.number] ?? 0));
  return byService;
}

/** Until the container has exited 0 (depends_on: service_completed_successfully); another exit code is an error. */
export async function waitCompleted(engine: Engine, container: { id: string; service: string }, signal?: AbortSignal): Promise<void> {
  const code = await engine.containers.wait(container.id, 'not-running', signal);
  if (code !== 0) throw new BerthError(`service "${container.service}" didn't complete successfully: exit ${code}`, { kind: 'engine' });
}

/** Until the container's healthcheck says healthy; an unhealthy, exited or check-less container is an error. */
export async function waitHealthy(engine: Engine, container: { id: string; name: string }, signal?: AbortSignal): Promise<void> {
  for (;;) {
    if (signal?.aborted) throw new BerthError('canceled', { kind: 'canceled' });
    const details = await engine.containers.inspect(container.id);
    if (!details) throw new BerthError(`container ${container.name} has disappeared`, { kind: 'engine' });
    const { state } = details;
    if (state.health === undefined) {
      throw new BerthError(`container ${container.name} has no healthcheck configured`, { kind: 'engine' });
    }
    if (state.health === 'healthy') return;
    if (state.health === 'unhealthy') throw new BerthError(`dependency failed to start: container ${container.name} is unhealthy`, { kind: 'engine' });
    if (!state.running && state.status !== 'created') {
      throw new BerthError(`container ${container.name} exited (${state.exitCode})`, { kind: 'engine' });
    }
    await sleep(POLL_MS, signal);
  }
}

/** What `--wait` waited for on one container: running, or healthy when the container has a healthcheck. */
export type WaitCondition = 'running' | 'healthy';

/**
 * How one container's wait ended: ready; completed (exited 0, and another service depends on it with
 * service_completed_successfully); failed (exited, unhealthy, gone); pending (still waiting when the wait ended).
 */
export type WaitOutcome = 'ready' | 'completed' | 'failed' | 'pending';

export interface ContainerWait {
  readonly service: string;
  readonly container: string;
  readonly id: string;
  condition: WaitCondition;
  outcome: WaitOutcome;
  /** Why it failed (or, pending, that the time ran out). */
  reason?: string;
  /** The state the wait saw last: `state "running", health "starting"`. */
  lastSeen: string;
  /** When the wait saw it ready or completed (ms since the epoch). */
  readyAt?: number;
}

/** A `--wait` that failed: its message is compose's, `waits` says which container failed which condition. */
export class ServicesWaitError extends BerthError {
  constructor(
    message: string,
    readonly waits: readonly ContainerWait[],
    kind: 'engine' | 'canceled',
  ) {
    super(message, { kind });
    this.name = 'ServicesWaitError';
  }

  /** The containers that failed, or (after a timeout) were still not ready. */
  get failures(): ContainerWait[] {
    return this.waits.filter((wait) => wait.outcome === 'failed' || wait.outcome === 'pending');
  }
}

/** `service db (container demo-db-1) is not healthy: timed out; last seen state "running", health "starting"` */
export function describeWait(wait: ContainerWait): string {
  const what = wait.condition === 'healthy' ? 'healthy' : 'running';
  return `service ${wait.service} (container ${wait.container}) is not ${what}: ${wait.reason ?? 'still waiting'}; last seen ${wait.lastSeen}`;
}

/**
 * `--wait`: every container of the given services running, and healthy when it has a healthcheck. A container that
 * exits fails the wait, unless another service waits for it to complete and it exited 0 (compose#10596 fails
 * there). Resolves with how each container's wait ended; a failure is a ServicesWaitError carrying the same.
 */
export async function waitForServices(ctx: StartContext, services: readonly string[], timeoutSeconds: number | undefined): Promise<ContainerWait[]> {
  const { engine, project, sink } = ctx;
  const completedBy = new Set<string>();
  for (const service of Object.values(project.services)) {
    for (const [name, dependency] of Object.entries(service.depends_on ?? {})) {
      if (dependency.condition === 'service_completed_successfully') completedBy.add(name);
    }
  }
  const controller = new AbortController();
  const onAbort = (): void => controller.abort();
  ctx.signal?.addEventListener('abort', onAbort, { once: true });
  const timer = timeoutSeconds && timeoutSeconds > 0 ? setTimeout(() => controller.abort(new Error('timeout')), timeoutSeconds * 1000) : undefined;
  const waits: ContainerWait[] = [];
  const timedOut = (): boolean => controller.signal.reason instanceof Error && controller.signal.reason.message === 'timeout';
  function failed(wait: ContainerWait, reason: string, message: string): never {
    wait.outcome = 'failed';
    wait.reason = reason;
    throw new BerthError(message, { kind: 'engine' });
  }
  try {
    const containers = await serviceContainers(engine, project.name);
    for (const service of services) {
      for (const container of containers.get(service) ?? []) {
        waits.push({ service, container: container.name, id: container.id, condition: 'running', outcome: 'pending', lastSeen: 'nothing yet' });
      }
    }
    await Promise.all(
      waits.map(async (wait) => {
        const resource = `Container ${wait.container}`;
        sink.event(progressEvent(resource, 'Waiting'));
        for (;;) {
          if (controller.signal.aborted) {
            throw new BerthError(timedOut() ? `application not healthy after ${formatGoDuration((timeoutSeconds ?? 0) * 1e9)}` : 'canceled', {
              kind: timedOut() ? 'engine' : 'canceled',
            });
          }
          const details = await engine.containers.inspect(wait.id);
          const state = details?.state;
          if (!state) failed(wait, 'disappeared', `container ${wait.container} has disappeared`);
          if (state.health !== undefined) wait.condition = 'healthy';
          wait.lastSeen = `state "${state.status}"${state.status === 'exited' || state.status === 'dead' ? ` (exit code ${state.exitCode})` : ''}${state.health !== undefined ? `, health "${state.health}"` : ''}`;
          if (completedBy.has(wait.service) && !state.running && state.status === 'exited') {
            if (state.exitCode !== 0) failed(wait, `exited (${state.exitCode})`, `container ${wait.container} exited (${state.exitCode})`);
            wait.outcome = 'completed';
            wait.readyAt = Date.now();
            sink.event(progressEvent(resource, 'Exited'));
            return;
          }
          if (state.status === 'exited' || state.status === 'dead') {
            sink.event(progressEvent(resource, 'Error', `exited (${state.exitCode})`));
            failed(wait, `exited (${state.exitCode})`, `container ${wait.container} exited (${state.exitCode})`);
          }
          if (state.health === 'unhealthy') {
            sink.event(progressEvent(resource, 'Error', 'unhealthy'));
            failed(wait, 'unhealthy', `container ${wait.container} is unhealthy`);
          }
          if (state.running && (state.health === undefined || state.health === 'healthy')) {
            wait.outcome = 'ready';
            wait.readyAt = Date.now();
            sink.event(progressEvent(resource, state.health === 'healthy' ? 'Healthy' : 'Running'));
            return;
          }
          await sleep(POLL_MS, controller.signal).catch(() => {});
        }
      }),
    );
    return waits;
  } catch (error) {
    // The first failure ends the wait: the other containers' waits stop where they are (pending).
    controller.abort(error);
    if (!(error instanceof BerthError) || error.kind === 'internal') throw error;
    if (timedOut()) for (const wait of waits) if (wait.outcome === 'pending') wait.reason = `not ready after ${formatGoDuration((timeoutSeconds ?? 0) * 1e9)}`;
    const failed = new ServicesWaitError(error.message, waits, error.kind === 'canceled' ? 'canceled' : 'engine');
    // compose's message first, then which service failed which condition and what the wait saw of it last.
    if (failed.failures.length > 0) failed.message = `${error.message}: ${failed.failures.map(describeWait).join('; ')}`;
    throw failed;
  } finally {
    controller.abort();
    if (timer) clearTimeout(timer);
    ctx.signal?.removeEventListener('abort', onAbort);
  }
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new BerthError('canceled', { kind: 'canceled' }));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
