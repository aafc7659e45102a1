// Attached `up`: every attached container's output, prefixed, until all of them have stopped. Ctrl-C stops the
// project gracefully (a second Ctrl-C kills it); --abort-on-container-exit/-failure stop it when one container stops.
import { serviceContainers } from '../apply/start.js';
import type { ContainerSummary, Engine } from '../engine-client/index.js';
import type { Project } from '../model/types.js';
import { observeContainers } from '../observe/observe.js';
import { LABEL } from '../model/labels.js';
import { planContainerAction } from '../plan/lifecycle.js';
import { createSink } from '../progress/sinks.js';
import { displayName, LogPrinter, streamLogs } from './log-printer.js';
import type { VerbContext } from './main.js';
import { PlanRunner } from './plan-runner.js';
import { progressSink, useColor } from './session.js';

export interface FollowProjectOptions {
  readonly attach: readonly string[];
  readonly abortOnExit: boolean;
  readonly abortOnFailure: boolean;
  readonly exitCodeFrom?: string;
  readonly timeout?: number;
  readonly color: boolean;
  readonly prefix: boolean;
  readonly timestamps: boolean;
  /** Output before this time (unix seconds) was already shown, or belongs to an earlier run. */
  readonly since?: number;
}

export const INTERRUPTED = 130;

export async function followProject(ctx: VerbContext, engine: Engine, project: Project, options: FollowProjectOptions): Promise<number> {
  const printer = new LogPrinter({ out: ctx.stdout, color: options.color && useColor(ctx), prefix: options.prefix });
  const byService = await serviceContainers(engine, project.name);
  const attached: ContainerSummary[] = options.attach.flatMap((service) => byService.get(service) ?? []);
  for (const container of attached) printer.register(displayName(project.name, container.name));
  const controller = new AbortController();
  const exitCodes = new Map<string, number>();
  let outcome: number | undefined;
  let stopping: Promise<void> | undefined;

  // The project's containers as they are when the user asks (some may have exited since), stopped or killed.
  const stopAll = async (kill: boolean): Promise<void> => {
    const sink = kill ? createSink({ mode: 'quiet', stream: ctx.stderr, color: false }) : progressSink(ctx, 'Stopping');
    try {
      const containers = await observeContainers(engine, project.name);
      const plan = planContainerAction(project, containers, kill ? 'kill' : 'stop', options.timeout !== undefined ? { timeout: options.timeout } : {});
      await new PlanRunner(ctx, engine, project, sink).run(plan);
    } catch {
      // Stopping is best effort: what could not be stopped is left as it is.
    } finally {
      sink.close();
    }
  };
  const abort = (code: number, message: string): void => {
    if (stopping) return;
    outcome = code;
    ctx.stderr.write(`${message}\n`);
    stopping = stopAll(false);
  };
  let interrupts = 0;
  const release = ctx.onInterrupt?.(() => {
    interrupts++;
    if (interrupts === 1) {
      outcome = INTERRUPTED;
      ctx.stderr.write('Gracefully stopping... (press Ctrl+C again to force)\n');
      stopping = stopAll(false);
    } else {
      ctx.stderr.write('Killing...\n');
      void stopAll(true);
      controller.abort();
    }
  });
  try {
    await Promise.all(
      attached.map(async (container) => {
        const name = displayName(project.name, container.name);
        const tty = (await engine.containers.inspect(container.id))?.tty ?? false;
        await streamLogs(
          engine,
          container.id,
          { follow: true, tty, timestamps: options.timestamps, signal: controller.signal, ...(options.since ? { since: String(options.since) } : {}) },
          (line) => printer.line(name, line),
        );
        if (controller.signal.aborted) return;
        const code = await engine.containers.wait(container.id, 'not-running', controller.signal).catch(() => -1);
        exitCodes.set(container.labels[LABEL.service] ?? '', code);
        printer.status(name, `exited with code ${code}`);
        if (options.abortOnExit) abort(exitCodeOf(options, exitCodes, code), 'Aborting on container exit...');
        else if (options.abortOnFailure && code !== 0) abort(code, 'Aborting on container failure...');
      }),
    );
    if (stopping) await stopping;
  } finally {
    release?.();
  }
  if (outcome === INTERRUPTED) return INTERRUPTED;
  if (options.exitCodeFrom) return exitCodes.get(options.exitCodeFrom) ?? outcome ?? 0;
  return outcome ?? 0;
}

/** With --exit-code-from, the code is that service's, whichever container stopped first. */
function exitCodeOf(options: FollowProjectOptions, codes: ReadonlyMap<string, number>, code: number): number {
  if (!options.exitCodeFrom) return code;
  return codes.get(options.exitCodeFrom) ?? code;
}
