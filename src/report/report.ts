// The CI report of `up --wait --report FILE`: per service and replica, what the engine says of each container and
// how its wait ended, and the last log lines of those that failed. Built here from plain facts (pure); the facts
// are read from the engine in collect.ts. Its shape is schemas/report.schema.json: change both together.
import type { ContainerDetails, ContainerSummary } from '../engine-client/index.js';
import type { ContainerWait, WaitCondition, WaitOutcome } from '../apply/start.js';
import { LABEL } from '../model/labels.js';

/** How many of its last log lines a failed or unhealthy container brings into the report. */
export const LOG_LINES = 50;

export interface UpReport {
  readonly schemaVersion: 1;
  readonly project: string;
  /** ready: up (and its wait) succeeded; failed: it did not, and `error` says why. */
  readonly result: 'ready' | 'failed';
  /** What `berth up` exits with (compose's exit code). */
  readonly exitCode: number;
  readonly error?: string;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly services: Record<string, ServiceReport>;
  /** Every container whose wait failed (or had not succeeded when the time ran out), and which condition. */
  readonly failures: FailureReport[];
}

export interface ServiceReport {
  /** Why the plan did not start the service (a dependency that failed), when it did not. */
  readonly notStarted?: string;
  readonly replicas: ReplicaReport[];
}

export interface ReplicaReport {
  readonly number: number;
  readonly container: string;
  readonly id: string;
  /** The engine's state: created, running, exited, ... */
  readonly state: string;
  /** The healthcheck's status; null without a healthcheck. */
  readonly health: string | null;
  /** Its exit code once it has exited; null while it runs or has never run. */
  readonly exitCode: number | null;
  readonly ports: PortReport[];
  readonly startedAt: string | null;
  /** From its start to the moment the wait saw it ready; null when this up did not start it or it never got ready. */
  readonly startDurationMs: number | null;
  readonly wait: WaitReport | null;
  /** Its last LOG_LINES lines (stdout and stderr), only when it failed or is unhealthy. */
  readonly logs?: string[];
}

export interface PortReport {
  readonly target: number;
  readonly protocol: string;
  readonly hostIp: string | null;
  readonly published: number | null;
}

export interface WaitReport {
  readonly condition: WaitCondition;
  readonly outcome: WaitOutcome;
  readonly reason?: string;
  readonly lastSeen: string;
}

export interface FailureReport {
  readonly service: string;
  readonly container: string;
  readonly condition: WaitCondition;
  readonly reason: string;
  readonly lastSeen: string;
}

/** What the report is made from: one entry per container of the project's services, as read after up. */
export interface ContainerFacts {
  readonly summary: ContainerSummary;
  readonly details: ContainerDetails | undefined;
  readonly wait?: ContainerWait;
  readonly logs?: readonly string[];
}

export interface ReportFacts {
  readonly project: string;
  readonly services: readonly string[];
  readonly notStarted: Readonly<Record<string, string>>;
  readonly containers: readonly ContainerFacts[];
  /** When up began and ended (ms since the epoch). */
  readonly startedAt: number;
  readonly finishedAt: number;
  readonly exitCode: number;
  readonly error?: string;
}

const NEVER = '0001-01-01T00:00:00Z';

/** A container needs its logs in the report when its wait failed, or it is unhealthy, or it exited non-zero. */
export function needsLogs(facts: Pick<ContainerFacts, 'details' | 'wait'>): boolean {
  const state = facts.details?.state;
  if (facts.wait && (facts.wait.outcome === 'failed' || facts.wait.outcome === 'pending') && facts.wait.reason !== undefined) return true;
  if (!state) return false;
  return state.health === 'unhealthy' || (!state.running && state.status === 'exited' && state.exitCode !== 0);
}

export function buildReport(facts: ReportFacts): UpReport {
  const services: Record<string, ServiceReport> = {};
  for (const service of [...facts.services].sort()) {
    const replicas = facts.containers
      .filter((container) => container.summary.labels[LABEL.service] === service)
      .map((container) => replica(container, facts.startedAt))
      .sort((a, b) => a.number - b.number || a.container.localeCompare(b.container));
    const notStarted = facts.notStarted[service];
    services[service] = { ...(notStarted !== undefined ? { notStarted } : {}), replicas };
  }
  const failures = facts.containers
    .flatMap(({ wait }) => (wait && wait.reason !== undefined && (wait.outcome === 'failed' || wait.outcome === 'pending') ? [wait] : []))
    .map((wait) => ({ service: wait.service, container: wait.container, condition: wait.condition, reason: wait.reason!, lastSeen: wait.lastSeen }))
    .sort((a, b) => a.container.localeCompare(b.container));
  return {
    schemaVersion: 1,
    project: facts.project,
    result: facts.exitCode === 0 ? 'ready' : 'failed',
    exitCode: facts.exitCode,
    ...(facts.error !== undefined ? { error: facts.error } : {}),
    startedAt: new Date(facts.startedAt).toISOString(),
    finishedAt: new Date(facts.finishedAt).toISOString(),
    services,
    failures,
  };
}

function replica(facts: ContainerFacts, upStartedAt: number): ReplicaReport {
  const { summary, details, wait } = facts;
  const state = details?.state;
  const startedAt = state && state.startedAt && state.startedAt !== NEVER ? Date.parse(state.startedAt) : undefined;
  // A container already running before this up was not started by it: how long its start took is not known here.
  const startedByUp = startedAt !== undefined && startedAt >= upStartedAt - 1000;
  const exited = state !== undefined && !state.running && (state.status === 'exited' || state.status === 'dead');
  return {
    number: Number(summary.labels[LABEL.number] ?? 0),
    container: summary.name,
    id: summary.id,
    state: state?.status ?? summary.state,
    health: state?.health ?? null,
    exitCode: exited ? state.exitCode : null,
    ports: summary.ports
      .map((port) => ({ target: port.privatePort, protocol: port.type, hostIp: port.ip ?? null, published: port.publicPort ?? null }))
      .sort((a, b) => a.target - b.target || a.protocol.localeCompare(b.protocol) || (a.hostIp ?? '').localeCompare(b.hostIp ?? '')),
    startedAt: startedAt !== undefined && !Number.isNaN(startedAt) ? new Date(startedAt).toISOString() : null,
    startDurationMs: startedByUp && wait?.readyAt !== undefined ? Math.max(0, wait.readyAt - startedAt) : null,
    wait: wait ? { condition: wait.condition, outcome: wait.outcome, ...(wait.reason !== undefined ? { reason: wait.reason } : {}), lastSeen: wait.lastSeen } : null,
    ...(facts.logs !== undefined ? { logs: [...facts.logs] } : {}),
  };
}
