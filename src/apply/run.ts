// What a handler gets: the context of the whole run (engine, project, progress, the observed state), the node it
// carries out, and the state the run builds up as it goes (ids of containers it created, each service's containers).
import type { Engine } from '../engine-client/index.js';
import type { Project } from '../model/types.js';
import type { ObservedState } from '../observe/observe.js';
import type { OperationKind, OperationOf, PlanNode } from '../plan/types.js';
import type { ProgressSink, Status } from '../progress/events.js';
import type { ContainerRef } from './convert/context.js';

export interface ApplyContext {
  readonly engine: Engine;
  readonly project: Project;
  readonly sink: ProgressSink;
  /** How many operations at once (`--parallel`, COMPOSE_PARALLEL_LIMIT); 0 or less: no limit. */
  readonly parallel: number;
  readonly version: string;
  readonly envFiles?: readonly string[];
  readonly warn: (message: string) => void;
  readonly signal?: AbortSignal;
  /** What the plan was made from: the containers `service:` references resolve to, the images' ids. */
  readonly observed?: Pick<ObservedState, 'containers' | 'images'>;
  /** Report every operation as done without calling the engine. */
  readonly dryRun?: boolean;
  /** The first failure stops the rest (starting a project), instead of only what depends on it. */
  readonly stopOnFailure?: boolean;
  /** Told of every operation carried out (or, on a dry run, that would be). */
  readonly record?: (entry: OperationRecord) => void;
  /** `run`: how a one-off reaches the user's terminal (absent: a plan with an attached one-off cannot run). */
  readonly oneOff?: OneOffSession;
}

/**
 * The terminal side of `berth run`, which the CLI provides: the handlers create, start and remove the one-off; the
 * session wires its streams, signals and terminal size, and keeps its id and exit code for the command.
 */
export interface OneOffSession {
  /** The one-off has been created (-d prints its id). */
  created(id: string): void;
  /** Before the start: attached, and its exit asked for, so that neither its first output nor a quick exit is lost. */
  attach(id: string): Promise<void>;
  /** After the start: followed until it exits (its exit code) or the user detaches (undefined). */
  follow(id: string): Promise<number | undefined>;
}

/** One line of the operation log. */
export interface OperationRecord {
  /** The plan step the operation belongs to, as `--dry-run` prints it. */
  readonly step: string;
  /** `create-container: create container demo-web-1`. */
  readonly operation: string;
  readonly dryRun: boolean;
  /** Set when it failed. */
  readonly error?: string;
}

export interface RunState {
  /** Create node -> the id of the container it created. */
  readonly createdIds: Map<number, string>;
  /** Each service's containers as they are now, for `service:` references and links. */
  readonly containersByService: Record<string, ContainerRef[]>;
  /** Image reference -> the paths its image declares as VOLUME. */
  readonly imageVolumes: Map<string, Promise<readonly string[]>>;
}

export interface Run {
  readonly ctx: ApplyContext;
  readonly node: PlanNode;
  readonly state: RunState;
  /** Aborted when the run is stopped. */
  readonly signal: AbortSignal;
}

/** How an operation ended when it is not the kind's usual `done` (a pull that failed but kept the old image). */
export interface Outcome {
  readonly status: Status;
  readonly detail?: string;
}

export type Handler<K extends OperationKind> = (operation: OperationOf<K>, run: Run) => Promise<Outcome | void>;

export function runState(ctx: Pick<ApplyContext, 'observed'>): RunState {
  const containersByService: Record<string, ContainerRef[]> = {};
  for (const container of ctx.observed?.containers ?? []) {
    if (!container.oneoff) (containersByService[container.service] ??= []).push({ id: container.id, name: container.name });
  }
  return { createdIds: new Map(), containersByService, imageVolumes: new Map() };
}
