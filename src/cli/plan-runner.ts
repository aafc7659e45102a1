// How a verb carries out its plans: printed first on a dry run (one line per step, with its cause), then walked by
// the executor (which, on a dry run, reports each step as compose's dry run does without touching the engine), the
// failures turned into one error. BERTH_OPERATION_LOG names a file that gets one JSON line per operation carried out.
import { appendFileSync } from 'node:fs';
import { executePlan, failureError } from '../apply/execute.js';
import type { OperationRecord } from '../apply/execute.js';
import type { OneOffSession } from '../apply/run.js';
import type { Engine } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import type { Project } from '../model/types.js';
import type { ObservedState } from '../observe/observe.js';
import { renderPlanSteps } from '../plan/render.js';
import type { Plan } from '../plan/types.js';
import type { ProgressSink } from '../progress/events.js';
import type { VerbContext } from './main.js';
import { parallelLimit, VERSION } from './session.js';

export interface RunPlanOptions {
  /** What the plan was made from (the containers `service:` references resolve to, the images' ids). */
  readonly observed?: Pick<ObservedState, 'containers' | 'images'>;
  /** The first failure stops the rest and is thrown as it is (starting a project). */
  readonly stopOnFailure?: boolean;
  /** `run`'s one-off plan: its terminal session, which also takes Ctrl-C (passed on to the container). */
  readonly oneOff?: OneOffSession;
}

export class PlanRunner {
  private printed = 0;
  private readonly record: ((entry: OperationRecord) => void) | undefined;

  constructor(
    private readonly ctx: VerbContext,
    private readonly engine: Engine,
    private readonly project: Project,
    private readonly sink: ProgressSink,
  ) {
    const log = ctx.environment.BERTH_OPERATION_LOG;
    this.record = log ? (entry) => appendFileSync(log, `${JSON.stringify(entry)}\n`) : undefined;
  }

  get dryRun(): boolean {
    return this.ctx.flags.dryRun;
  }

  async run(plan: Plan, options: RunPlanOptions = {}): Promise<void> {
    if (this.dryRun) {
      for (const line of renderPlanSteps(plan)) this.ctx.stdout.write(`DRY-RUN MODE - ${line}\n`);
      this.printed += plan.nodes.length + Object.keys(plan.blocked).length;
    }
    for (const warning of plan.warnings) this.sink.note(`WARN[0000] ${warning}`);
    // Ctrl-C: nothing more starts, waits end, and the command exits 130 once what is under way has finished; a
    // second Ctrl-C is the process's own (it ends at once).
    const interrupted = new AbortController();
    let release: (() => void) | undefined;
    release = options.oneOff ? undefined : this.ctx.onInterrupt?.(() => {
      release?.();
      release = undefined;
      interrupted.abort();
    });
    const result = await executePlan(plan, {
      engine: this.engine,
      project: this.project,
      sink: this.sink,
      parallel: parallelLimit(this.ctx),
      version: VERSION,
      envFiles: this.ctx.flags.envFile,
      warn: (message) => this.sink.note(`WARN[0000] ${message}`),
      ...(options.observed ? { observed: options.observed } : {}),
      dryRun: this.dryRun,
      ...(options.stopOnFailure ? { stopOnFailure: true } : {}),
      ...(this.record ? { record: this.record } : {}),
      ...(options.oneOff ? { oneOff: options.oneOff } : {}),
      signal: interrupted.signal,
    }).finally(() => release?.());
    if (result.canceled) throw new BerthError('canceled', { kind: 'canceled' });
    const [first] = result.failures;
    if (!first) return;
    if (options.stopOnFailure) throw first.error;
    throw failureError(result.failures);
  }

  /** A dry run that had nothing to print says so. */
  finish(): void {
    if (this.dryRun && this.printed === 0) this.ctx.stdout.write('DRY-RUN MODE - nothing to do\n');
  }
}
