// How the library carries out a plan: the one executor (src/apply/execute.ts), silent unless the caller listens;
// failures become one error, as the CLI's PlanRunner makes them (no dry run, no operation log, no Ctrl-C here).
import { executePlan, failureError } from '../apply/execute.js';
import type { PlanRunning } from '../app/converge.js';
import { packageVersion } from '../app/package-version.js';
import type { Engine } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import type { Project } from '../model/types.js';
import type { ObservedState } from '../observe/observe.js';
import type { Plan } from '../plan/types.js';
import type { ProgressSink } from '../progress/events.js';

const VERSION = packageVersion();

export class LibraryPlanRunner implements PlanRunning {
  readonly dryRun = false;

  constructor(
    private readonly engine: Engine,
    private readonly project: Project,
    private readonly sink: ProgressSink,
  ) {}

  async run(plan: Plan, options: { readonly observed?: Pick<ObservedState, 'containers' | 'images'>; readonly stopOnFailure?: boolean } = {}): Promise<void> {
    for (const warning of plan.warnings) this.sink.note(warning);
    const result = await executePlan(plan, {
      engine: this.engine,
      project: this.project,
      sink: this.sink,
      parallel: 0,
      version: VERSION,
      warn: (message) => this.sink.note(message),
      ...(options.observed ? { observed: options.observed } : {}),
      ...(options.stopOnFailure ? { stopOnFailure: true } : {}),
    });
    if (result.canceled) throw new BerthError('canceled', { kind: 'canceled' });
    const [first] = result.failures;
    if (!first) return;
    if (options.stopOnFailure) throw first.error;
    throw failureError(result.failures);
  }
}
