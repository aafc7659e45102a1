// `deploy --wait`: whether each service of the stack has converged, judged from one read of its services and tasks
// (pure), and the bounded loop that reads again until all have, one has failed, or the time is up.
import type { Swarm, SwarmService, SwarmTask } from '../engine-client/swarm.js';
import { BerthError } from '../model/errors.js';
import { stackFilter } from './names.js';
import { sameTaskTemplate } from './plan.js';

/** What deploy did to a service, so that convergence means "of the new spec". */
export interface Awaited {
  readonly name: string;
  /** Set when deploy sent a change that rolls the tasks: the update status must be a new one, and completed. */
  readonly rolledFrom?: { readonly startedAt: string | undefined };
}

export type Verdict = { readonly state: 'converged' } | { readonly state: 'pending'; readonly why: string } | { readonly state: 'failed'; readonly why: string };

const FAILED_TASK_STATES = new Set(['failed', 'rejected']);

export function assess(awaited: Awaited, service: SwarmService | undefined, tasks: readonly SwarmTask[]): Verdict {
  if (service === undefined) return { state: 'failed', why: 'the service is gone' };
  const own = tasks.filter((task) => task.serviceId === service.id);
  const mode = service.spec.Mode ?? {};
  // The update status speaks of this deploy only when deploy started a new rolling update.
  if (awaited.rolledFrom !== undefined && service.updateStartedAt !== awaited.rolledFrom.startedAt) {
    if (service.updateState === 'rollback_completed' || service.updateState === 'paused' || service.updateState === 'rollback_paused') {
      return { state: 'failed', why: `update ${service.updateState.replace('_', ' ')}: ${service.updateMessage ?? 'no reason given'}${lastError(own)}` };
    }
    if (service.updateState === 'updating' || service.updateState === 'rollback_started') return { state: 'pending', why: `update ${service.updateState.replace('_', ' ')}` };
  }
  if ('ReplicatedJob' in mode || 'GlobalJob' in mode) {
    const active = own.filter((task) => task.desiredState === 'complete' || task.desiredState === 'running');
    const unfinished = active.filter((task) => task.state !== 'complete' && !FAILED_TASK_STATES.has(task.state));
    const failed = active.filter((task) => FAILED_TASK_STATES.has(task.state));
    const total = (mode.ReplicatedJob as { TotalCompletions?: number } | undefined)?.TotalCompletions;
    const complete = own.filter((task) => task.state === 'complete').length;
    if (unfinished.length > 0 || active.length === 0) return { state: 'pending', why: `${complete} of ${total ?? 'all'} completed` };
    if (total !== undefined ? complete >= total : failed.length === 0) return { state: 'converged' };
    return { state: 'pending', why: `${complete} of ${total ?? 'all'} completed${lastError(own)}` };
  }
  // Tasks of the current template only: right after an update the old ones still run, and do not count.
  const wanted = own.filter((task) => task.desiredState === 'running');
  const current = wanted.filter((task) => task.spec === undefined || sameTaskTemplate(task.spec, service.spec.TaskTemplate));
  const running = current.filter((task) => task.state === 'running').length;
  const replicas = (mode.Replicated as { Replicas?: number } | undefined)?.Replicas;
  const desired = replicas ?? service.desired ?? wanted.length;
  if (running === desired && wanted.length === desired && (replicas !== undefined || desired > 0)) return { state: 'converged' };
  // Tasks that failed under `restart_policy: none` (or `restart: "no"`) are not replaced: waiting longer shows nothing new.
  const condition = (service.spec.TaskTemplate.RestartPolicy as { Condition?: string } | undefined)?.Condition;
  const failed = own.filter((task) => FAILED_TASK_STATES.has(task.state) && (task.spec === undefined || sameTaskTemplate(task.spec, service.spec.TaskTemplate)));
  if (condition === 'none' && failed.length > 0 && running + failed.length >= desired) return { state: 'failed', why: `${running}/${desired} running${lastError(own)}` };
  return { state: 'pending', why: `${running}/${desired} running${lastError(own)}` };
}

/** The newest failed task's error: what a person needs to see when a service does not come up. */
function lastError(tasks: readonly SwarmTask[]): string {
  const failed = tasks.filter((task) => FAILED_TASK_STATES.has(task.state) || (task.error !== undefined && task.state !== 'running')).sort((a, b) => ((a.timestamp ?? '') < (b.timestamp ?? '') ? 1 : -1));
  const newest = failed[0];
  if (newest === undefined) return '';
  const detail = newest.error ?? newest.message ?? newest.state;
  return `; last failed task ${newest.id.slice(0, 12)}: ${newest.state}: ${detail}${newest.exitCode ? ` (exit code ${newest.exitCode})` : ''}`;
}

export interface WaitOptions {
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** How long a service must stay converged to count: a task that runs and then crashes at once is caught. */
  readonly stableMs?: number;
  readonly signal?: AbortSignal;
  readonly progress?: (line: string) => void;
}

/** Until every awaited service converged and stayed so; a failure or the timeout is one error naming each service and why. */
export async function waitForStack(swarm: Swarm, stack: string, awaited: readonly Awaited[], options: WaitOptions): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  const stableMs = options.stableMs ?? 3000;
  const convergedSince = new Map<string, number>();
  const reported = new Set<string>();
  for (;;) {
    const services = await swarm.services(stackFilter(stack));
    const tasks = services.length > 0 ? await swarm.tasks({ service: services.map((service) => service.id) }) : [];
    const byName = new Map(services.map((service) => [service.spec.Name, service]));
    const now = Date.now();
    const verdicts = new Map(awaited.map((item) => [item.name, assess(item, byName.get(item.name), tasks)] as const));
    for (const [name, verdict] of verdicts) {
      if (verdict.state !== 'converged') convergedSince.delete(name);
      else if (!convergedSince.has(name)) convergedSince.set(name, now);
    }
    const stable = (name: string) => now - (convergedSince.get(name) ?? now) >= stableMs;
    for (const name of convergedSince.keys()) {
      if (stable(name) && !reported.has(name)) {
        reported.add(name);
        options.progress?.(`Service ${name} converged`);
      }
    }
    const failed = [...verdicts].filter(([, verdict]) => verdict.state === 'failed');
    if (failed.length > 0) throw new BerthError(`the stack ${stack} did not converge:\n${failed.map(([name, verdict]) => `  ${name}: ${(verdict as { why: string }).why}`).join('\n')}`, { kind: 'engine' });
    if (awaited.every((item) => convergedSince.has(item.name) && stable(item.name))) return;
    if (now >= deadline || options.signal?.aborted) {
      const open = [...verdicts].filter(([name]) => !(convergedSince.has(name) && stable(name)));
      const said = options.signal?.aborted ? 'waiting was cancelled' : `not converged after ${Math.round(options.timeoutMs / 1000)}s`;
      const why = (verdict: Verdict) => (verdict.state === 'converged' ? 'converged only just now' : verdict.why);
      throw new BerthError(`the stack ${stack} is ${said}:\n${open.map(([name, verdict]) => `  ${name}: ${why(verdict)}`).join('\n')}`, { kind: 'engine' });
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.intervalMs ?? 1000, Math.max(0, deadline - Date.now()))));
  }
}
