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

/**
 * `--wait`: every container of the given services running, and healthy when it has a healthcheck. A container that
 * exits fails the wait, unless another service waits for it to complete.
 */
export async function waitForServices(ctx: StartContext, services: readonly string[], timeoutSeconds: number | undefined): Promise<void> {
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
  try {
    const containers = await serviceContainers(engine, project.name);
    await Promise.all(
      services.flatMap((service) =>
        (containers.get(service) ?? []).map(async (container) => {
          const resource = `Container ${container.name}`;
          sink.event(progressEvent(resource, 'Waiting'));
          for (;;) {
            if (controller.signal.aborted) {
              const timedOut = controller.signal.reason instanceof Error && controller.signal.reason.message === 'timeout';
              throw new BerthError(timedOut ? `application not healthy after ${formatGoDuration((timeoutSeconds ?? 0) * 1e9)}` : 'canceled', {
                kind: timedOut ? 'engine' : 'canceled',
              });
            }
            const details = await engine.containers.inspect(container.id);
            const state = details?.state;
            if (!state) throw new BerthError(`container ${container.name} has disappeared`, { kind: 'engine' });
            if (completedBy.has(service) && !state.running && state.status === 'exited') {
              if (state.exitCode !== 0) throw new BerthError(`container ${container.name} exited (${state.exitCode})`, { kind: 'engine' });
              sink.event(progressEvent(resource, 'Exited'));
              return;
            }
            if (state.status === 'exited' || state.status === 'dead') {
              sink.event(progressEvent(resource, 'Error', `exited (${state.exitCode})`));
              throw new BerthError(`container ${container.name} exited (${state.exitCode})`, { kind: 'engine' });
            }
            if (state.health === 'unhealthy') {
              sink.event(progressEvent(resource, 'Error', 'unhealthy'));
              throw new BerthError(`container ${container.name} is unhealthy`, { kind: 'engine' });
            }
            if (state.running && (state.health === undefined || state.health === 'healthy')) {
              sink.event(progressEvent(resource, state.health === 'healthy' ? 'Healthy' : 'Running'));
              return;
            }
            await sleep(POLL_MS, controller.signal).catch(() => {});
          }
        }),
      ),
    );
  } finally {
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
