// Healthchecks run by the engine, as Docker counts them: a probe every interval (every start interval during the
// start period), a timeout per probe, failures during the start period not counted, unhealthy after `retries`
// failures in a row. The state is in inspect; a change of status is a `health_status` event.
import { runcProbe } from '../runtime/exec-process.js';
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeJsonAtomic } from '../store/files.js';
import type { Layout } from '../store/layout.js';
import type { Tools } from '../runtime/tools.js';

export interface HealthConfig {
  readonly Test?: readonly string[] | null;
  /** Nanoseconds, as the API gives them; 0 means Docker's default. */
  readonly Interval?: number;
  readonly Timeout?: number;
  readonly Retries?: number;
  readonly StartPeriod?: number;
  readonly StartInterval?: number;
}

export interface HealthState {
  Status: 'starting' | 'healthy' | 'unhealthy';
  FailingStreak: number;
  Log: Array<{ Start: string; End: string; ExitCode: number; Output: string }>;
}

const SECOND = 1e9;
const DEFAULTS = { interval: 30 * SECOND, timeout: 30 * SECOND, retries: 3, startInterval: 5 * SECOND };
const MAX_OUTPUT = 4096;
const KEPT_RESULTS = 5;

/** The command a healthcheck runs, or undefined when there is none (absent, empty, or NONE). */
export function probeCommand(config: HealthConfig | null | undefined): string[] | undefined {
  const test = config?.Test ?? [];
  if (test.length === 0 || test[0] === 'NONE') return undefined;
  if (test[0] === 'CMD') return [...test.slice(1)];
  if (test[0] === 'CMD-SHELL') return ['/bin/sh', '-c', test.slice(1).join(' ')];
  return [...test];
}

export interface HealthTarget {
  readonly id: string;
  readonly config: HealthConfig;
  readonly startedAt: number;
  /** Called with the new state after every probe; `changed` when the status moved. */
  readonly onResult: (state: HealthState, changed: boolean) => void;
}

export class HealthChecker {
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(
    private readonly layout: Layout,
    private readonly tools: Tools,
  ) {}

  start(target: HealthTarget, state: HealthState): void {
    this.stop(target.id);
    const command = probeCommand(target.config);
    if (!command) return;
    const interval = target.config.Interval || DEFAULTS.interval;
    const timeout = target.config.Timeout || DEFAULTS.timeout;
    const retries = target.config.Retries || DEFAULTS.retries;
    const startPeriod = target.config.StartPeriod ?? 0;
    const startInterval = target.config.StartInterval || DEFAULTS.startInterval;
    const inStartPeriod = (): boolean => Date.now() - target.startedAt < startPeriod / 1e6;
    const schedule = (): void => {
      const delay = (inStartPeriod() && state.Status === 'starting' ? startInterval : interval) / 1e6;
      this.timers.set(target.id, setTimeout(probe, delay));
    };
    const probe = async (): Promise<void> => {
      const began = new Date();
      const result = await this.run(target.id, command, timeout / 1e6);
      if (!this.timers.has(target.id)) return;
      const previous = state.Status;
      state.Log = [...state.Log, { Start: began.toISOString(), End: new Date().toISOString(), ExitCode: result.code, Output: result.output }].slice(-KEPT_RESULTS);
      if (result.code === 0) {
        state.FailingStreak = 0;
        state.Status = 'healthy';
      } else if (!(inStartPeriod() && state.Status === 'starting')) {
        // Failures while the container is still starting up do not count.
        state.FailingStreak += 1;
        if (state.FailingStreak >= retries) state.Status = 'unhealthy';
      }
      target.onResult(state, state.Status !== previous);
      schedule();
    };
    schedule();
  }

  stop(id: string): void {
    const timer = this.timers.get(id);
    if (timer) clearTimeout(timer);
    this.timers.delete(id);
  }

  /** One probe: the command run in the container with its own settings, killed after `timeoutMs`. */
  private async run(id: string, command: readonly string[], timeoutMs: number): Promise<{ code: number; output: string }> {
    let base: Record<string, unknown>;
    try {
      base = (JSON.parse(readFileSync(join(this.layout.bundle(id), 'config.json'), 'utf8')) as { process: Record<string, unknown> }).process;
    } catch {
      return { code: -1, output: 'the container has no runtime configuration' };
    }
    const file = join(this.layout.container(id), `health-${process.pid}-${Date.now()}.json`);
    writeJsonAtomic(file, { ...base, terminal: false, args: command }, { durable: false }); // read at once, then removed
    try {
      const { code, output, timedOut } = await runcProbe(this.tools, id, file, timeoutMs);
      if (timedOut) return { code: -1, output: `Health check exceeded timeout (${timeoutMs / 1000}s)` };
      return { code, output: output.slice(0, MAX_OUTPUT) };
    } catch {
      return { code: -1, output: 'cannot run the probe' };
    } finally {
      rmSync(file, { force: true });
    }
  }
}
