// What verbs that act on a project share: loading it from the files, opening the engine, the progress display,
// the parallelism limit and the version stamped on what berth creates.
import type { Engine } from '../engine-client/index.js';
import { openEngine } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import { useColor as colorFor } from '../progress/color.js';
import { createSink } from '../progress/sinks.js';
import type { ProgressMode } from '../progress/sinks.js';
import type { ProgressSink } from '../progress/events.js';
import type { VerbContext } from './main.js';
import { packageVersion } from './package-version.js';

export { loadOptionsFrom, loadProject } from './project-loading.js';

/** `-t 10`: whole seconds. */
export function parseSeconds(value: string): number {
  const parsed = Number.parseInt(value, 10);
  if (!Number.isInteger(parsed) || parsed < 0 || String(parsed) !== value.trim()) throw new BerthError(`invalid number of seconds "${value}"`);
  return parsed;
}

export function connect(ctx: VerbContext): Promise<Engine> {
  return openEngine({
    ...(ctx.flags.host ? { host: ctx.flags.host } : {}),
    environment: ctx.environment,
    notify: (line) => ctx.stderr.write(`${line}\n`),
  });
}

export function progressSink(ctx: VerbContext, title?: string): ProgressSink {
  const requested = ctx.flags.progress ?? ctx.environment.COMPOSE_PROGRESS ?? 'auto';
  if (!['auto', 'tty', 'plain', 'json', 'quiet'].includes(requested)) throw new BerthError(`invalid progress mode "${requested}"`);
  const stream = ctx.stderr as NodeJS.WritableStream & { isTTY?: boolean };
  let mode = requested as ProgressMode;
  if (mode === 'auto' && ctx.flags.ansi === 'never') mode = 'plain';
  if (mode === 'auto' && ctx.flags.ansi === 'always') mode = 'tty';
  return createSink({ mode, stream, color: useColor(ctx, ctx.stderr), ...(title ? { title } : {}), ...(ctx.flags.dryRun ? { dryRun: true } : {}) });
}

/** Colours on `stream` (stdout for logs, stderr for progress): each stream is a terminal or not on its own. */
export function useColor(ctx: VerbContext, stream: NodeJS.WritableStream = ctx.stdout): boolean {
  return colorFor({ ansi: ctx.flags.ansi, environment: ctx.environment, stream: stream as { isTTY?: boolean } });
}

/** `--parallel`, else COMPOSE_PARALLEL_LIMIT; unlimited (0) when neither says. */
export function parallelLimit(ctx: VerbContext): number {
  if (ctx.flags.parallel !== undefined) return ctx.flags.parallel;
  const fromEnv = ctx.environment.COMPOSE_PARALLEL_LIMIT;
  if (fromEnv === undefined || fromEnv === '') return 0;
  const parsed = Number.parseInt(fromEnv, 10);
  if (!Number.isInteger(parsed)) throw new BerthError(`invalid COMPOSE_PARALLEL_LIMIT "${fromEnv}"`);
  return parsed;
}

export const VERSION = packageVersion();

export function envBoolean(value: string | undefined): boolean {
  return value !== undefined && ['1', 't', 'true', 'y', 'yes', 'on'].includes(value.trim().toLowerCase());
}
