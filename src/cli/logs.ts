// `berth logs`: the services' containers' output, prefixed by container, optionally followed.
import type { Command } from 'commander';
import { parseDuration } from '../model/duration.js';
import { BerthError } from '../model/errors.js';
import { LABEL } from '../model/labels.js';
import { displayName, LogPrinter, streamLogs } from './log-printer.js';
import type { RunVerb, VerbContext } from './main.js';
import { projectContainers, projectOrName } from './project-ref.js';
import { connect, useColor } from './session.js';

interface LogsFlags {
  follow: boolean;
  tail?: string;
  since?: string;
  until?: string;
  timestamps: boolean;
  color: boolean;
  logPrefix: boolean;
  index?: number;
}

export function registerLogsCommand(program: Command, run: RunVerb): void {
  program
    .command('logs')
    .description('view output from containers')
    .argument('[services...]')
    .option('-f, --follow', 'follow log output', false)
    .option('-n, --tail <lines>', 'number of lines to show from the end of the logs for each container ("all")')
    .option('--since <time>', 'show logs since a timestamp (2013-01-02T13:23:37Z) or relative time (42m)')
    .option('--until <time>', 'show logs before a timestamp or relative time')
    .option('-t, --timestamps', 'show timestamps', false)
    .option('--no-color', 'produce monochrome output')
    .option('--no-log-prefix', "don't print the prefix in logs")
    .option('--index <n>', 'index of the container if the service has several replicas', (value) => Number.parseInt(value, 10))
    .action(run((ctx, cmd) => runLogs(ctx, cmd.opts<LogsFlags>(), cmd.args)));
}

async function runLogs(ctx: VerbContext, flags: LogsFlags, services: string[]): Promise<number> {
  if (flags.index !== undefined && services.length !== 1) throw new BerthError('--index needs exactly one service');
  const ref = await projectOrName(ctx);
  const engine = await connect(ctx);
  const containers = (await projectContainers(engine, ref.project.name)).filter((container) => {
    const service = container.labels[LABEL.service] ?? '';
    if (services.length > 0 && !services.includes(service)) return false;
    if (flags.index !== undefined && container.labels[LABEL.number] !== String(flags.index)) return false;
    return true;
  });
  const printer = new LogPrinter({ out: ctx.stdout, color: flags.color !== false && useColor(ctx), prefix: flags.logPrefix !== false });
  for (const container of containers) printer.register(displayName(ref.project.name, container.name));
  const controller = new AbortController();
  const release = ctx.onInterrupt?.(() => controller.abort());
  try {
    await Promise.all(
      containers.map(async (container) => {
        const tty = (await engine.containers.inspect(container.id))?.tty ?? false;
        await streamLogs(
          engine,
          container.id,
          {
            follow: flags.follow,
            tty,
            timestamps: flags.timestamps,
            signal: controller.signal,
            ...(flags.tail !== undefined ? { tail: flags.tail } : {}),
            ...(flags.since !== undefined ? { since: toUnix(flags.since) } : {}),
            ...(flags.until !== undefined ? { until: toUnix(flags.until) } : {}),
          },
          (line) => printer.line(displayName(ref.project.name, container.name), line),
        );
      }),
    );
  } finally {
    release?.();
  }
  return 0;
}

/** A duration ago (`42m`, `1h30m`, `1.5s`, read by the model's duration parser), or a timestamp, as the unix seconds the engine reads. */
export function toUnix(value: string, now = Date.now()): string {
  if (/^\d+(\.\d+)?$/.test(value)) return value;
  if (/^[-+]?[\d.]+[a-zµμ]/.test(value)) return String(Math.floor((now - parseDuration(value) / 1e6) / 1000));
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new BerthError(`invalid time "${value}"`);
  return String(Math.floor(time / 1000));
}
