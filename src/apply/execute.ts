// Walks a plan: each operation one Engine API call, run by the handler for its kind, as many at once as the plan's
// graph and the parallelism limit allow (the one scheduler). No decisions here: the plan made them. One wrapper
// reports progress for every operation from the progress table, records what was done in the operation log, and,
// on a dry run, stops short of the engine: what a dry run shows is what a real run does.
import { statusOf } from '../engine-client/transport.js';
import { BerthError, isBerthError } from '../model/errors.js';
import { describeOperation, planSteps } from '../plan/render.js';
import type { OperationKind, Plan, PlanNode } from '../plan/types.js';
import { progressEvent } from '../progress/events.js';
import { HANDLERS } from './handlers.js';
import { progressOf } from './operation-progress.js';
import { runState } from './run.js';
import type { ApplyContext, Handler, Outcome, Run } from './run.js';
import { schedule } from './scheduler.js';

export type { ApplyContext, OperationRecord } from './run.js';

export interface ApplyFailure {
  readonly resource: string;
  /** The resource as compose names it on its progress line: `Container demo-web-1`, `Network demo_default`. */
  readonly subject: string;
  readonly message: string;
  readonly error: unknown;
}

export interface ApplyResult {
  /** Operations that failed, in the order they failed. */
  readonly failures: readonly ApplyFailure[];
  /** The run was stopped by the caller's signal. */
  readonly canceled: boolean;
}

/** Builds and pulls are heavy: without an explicit limit, four at a time (the rest of a plan is not limited). */
const IMAGE_PARALLELISM = 4;
const IMAGE_KINDS = new Set<OperationKind>(['build-image', 'pull-image', 'push-image']);

export async function executePlan(plan: Plan, ctx: ApplyContext): Promise<ApplyResult> {
  const state = runState(ctx);
  const steps = new Map<number, string>();
  for (const step of planSteps(plan)) for (const id of step.nodes) steps.set(id, step.text);
  const failures: ApplyFailure[] = [];
  const limit = ctx.parallel > 0 ? ctx.parallel : plan.nodes.some((node) => IMAGE_KINDS.has(node.operation.kind)) ? IMAGE_PARALLELISM : 0;
  const result = await schedule(
    plan.nodes,
    async (node, signal) => {
      try {
        await perform(node, { ctx, node, state, signal }, steps.get(node.id) ?? describeOperation(node.operation));
      } catch (error) {
        failures.push({ resource: node.operation.resource, subject: progressOf(node.operation, node).resource, message: error instanceof Error ? error.message : String(error), error });
        throw error;
      }
    },
    { limit, ...(ctx.signal ? { signal: ctx.signal } : {}), ...(ctx.stopOnFailure ? { stopOnFailure: true } : {}) },
  );
  return { failures, canceled: result.canceled };
}

/**
 * A run's failures as the one error a command ends with: the first failure's message (and how many more), as
 * compose words it. Berth's own messages already name what failed (`service web: pull failed: ...`); an engine's
 * answer does not say which of the project's resources it was about, so the resource's name comes first
 * (`Container demo-web-1: No such container: ...`). Never the plan's internal resource id.
 */
export function failureError(failures: readonly ApplyFailure[]): BerthError | undefined {
  const [first, ...others] = failures;
  if (!first) return undefined;
  const named = isBerthError(first.error) && statusOf(first.error) === undefined;
  const more = others.length > 0 ? ` (and ${others.length} more failures)` : '';
  const kind = isBerthError(first.error) ? first.error.kind : 'engine';
  return new BerthError(`${named ? '' : `${first.subject}: `}${first.message}${more}`, { kind, cause: first.error });
}

/** The one progress wrapper: doing, the handler (not on a dry run), done, or the error; and the log line. */
async function perform(node: PlanNode, run: Run, step: string): Promise<void> {
  const { ctx } = run;
  const { operation } = node;
  const progress = progressOf(operation, node);
  const record = (error?: string): void => {
    ctx.record?.({ step, operation: `${operation.kind}: ${describeOperation(operation)}`, dryRun: ctx.dryRun ?? false, ...(error !== undefined ? { error } : {}) });
  };
  if (progress.doing) ctx.sink.event(progressEvent(progress.resource, progress.doing));
  let outcome: Outcome | void;
  try {
    outcome = ctx.dryRun ? undefined : await (HANDLERS[operation.kind] as Handler<OperationKind>)(operation, run);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    record(message);
    ctx.sink.event(progressEvent(progress.resource, 'Error', message.split('\n')[0]));
    throw error;
  }
  record();
  const done = outcome ?? (progress.done ? { status: progress.done } : undefined);
  if (done) ctx.sink.event(progressEvent(progress.resource, done.status, done.detail));
}
