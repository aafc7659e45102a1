// The one scheduler: runs a graph of tasks, each once those it depends on have succeeded, as many at once as the
// graph and the parallelism limit allow, in the order given among those ready. A failed task stops what depends on
// it; with `stopOnFailure` it also stops everything not yet started and aborts the signal the running ones got. An
// aborted outer signal does the same.

export interface Task {
  readonly id: number;
  readonly dependsOn: readonly number[];
}

export interface ScheduleOptions {
  /** Tasks in flight at most; unlimited when absent or below 1. */
  readonly limit?: number;
  readonly signal?: AbortSignal;
  /** The first failure stops everything (compose's start); otherwise only what depends on it (convergence). */
  readonly stopOnFailure?: boolean;
}

export interface ScheduleResult {
  /** Failed tasks, in the order they failed, with their error. */
  readonly failures: ReadonlyArray<{ readonly id: number; readonly error: unknown }>;
  /** Tasks not run: a dependency failed, or the run was stopped. */
  readonly skipped: ReadonlySet<number>;
  /** The outer signal was aborted. */
  readonly canceled: boolean;
}

export type RunTask<T extends Task> = (task: T, signal: AbortSignal) => Promise<void>;

export function schedule<T extends Task>(tasks: readonly T[], run: RunTask<T>, options: ScheduleOptions = {}): Promise<ScheduleResult> {
  const limit = options.limit !== undefined && options.limit >= 1 ? options.limit : Number.POSITIVE_INFINITY;
  const known = new Set(tasks.map((task) => task.id));
  for (const task of tasks) {
    const unknown = task.dependsOn.find((id) => !known.has(id));
    if (unknown !== undefined) return Promise.reject(new Error(`internal: task ${task.id} depends on ${unknown}, which is not in the graph`));
  }
  const controller = new AbortController();
  const pending = [...tasks];
  const done = new Set<number>();
  const failed = new Set<number>();
  const skipped = new Set<number>();
  const failures: Array<{ id: number; error: unknown }> = [];
  let running = 0;
  let stopped = false;
  let canceled = false;

  return new Promise<ScheduleResult>((resolve, reject) => {
    const onAbort = (): void => {
      canceled = true;
      stop();
    };
    const stop = (): void => {
      stopped = true;
      controller.abort();
      pump();
    };
    const finish = (): void => {
      options.signal?.removeEventListener('abort', onAbort);
      resolve({ failures, skipped, canceled });
    };
    const pump = (): void => {
      for (let index = 0; index < pending.length; ) {
        const task = pending[index]!;
        if (stopped || task.dependsOn.some((id) => failed.has(id) || skipped.has(id))) {
          pending.splice(index, 1);
          skipped.add(task.id);
          continue;
        }
        if (running >= limit || !task.dependsOn.every((id) => done.has(id))) {
          index++;
          continue;
        }
        pending.splice(index, 1);
        running++;
        run(task, controller.signal).then(
          () => {
            running--;
            done.add(task.id);
            pump();
          },
          (error: unknown) => {
            running--;
            failed.add(task.id);
            failures.push({ id: task.id, error });
            if (options.stopOnFailure) stop();
            else pump();
          },
        );
      }
      if (running > 0) return;
      if (pending.length === 0) finish();
      else reject(new Error(`internal: tasks ${pending.map((task) => task.id).join(', ')} wait on one another`));
    };
    if (options.signal?.aborted) {
      onAbort();
      return;
    }
    options.signal?.addEventListener('abort', onAbort, { once: true });
    pump();
  });
}
