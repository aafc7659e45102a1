// `berth stats [SERVICE]`: the resource use of the project's containers as `docker stats` shows it; `--no-stream`
// prints one table, else it is redrawn until Ctrl-C.
import type { Command } from 'commander';
import { setTimeout as delay } from 'node:timers/promises';
import { reportsOf } from '../engine-client/reports.js';
import { parseListFormat, renderList } from '../format/formatter.js';
import { computeStats, DEFAULT_STATS_TABLE, STATS_HEADER, statsContext } from '../format/stats.js';
import { LABEL } from '../model/labels.js';
import type { RunVerb, VerbContext } from './main.js';
import { projectOrName } from './project-ref.js';
import { connect } from './session.js';

interface StatsFlags {
  all: boolean;
  format: string;
  noStream: boolean;
  trunc: boolean;
}

export function registerStatsCommand(program: Command, run: RunVerb): void {
  program
    .command('stats')
    .description("display a live stream of container(s) resource usage statistics")
    .argument('[service]')
    .option('-a, --all', 'show all containers (default shows just running)', false)
    .option('--format <format>', 'format the output: table, json, "table TEMPLATE" or a Go template', '')
    .option('--no-stream', 'disable streaming stats and only pull the first result')
    .option('--no-trunc', 'do not truncate output')
    .action(run((ctx, cmd) => runStats(ctx, { ...cmd.opts<StatsFlags>(), noStream: cmd.opts<{ stream: boolean }>().stream === false }, cmd.args[0])));
}

async function runStats(ctx: VerbContext, flags: StatsFlags, service: string | undefined): Promise<number> {
  const format = parseListFormat(flags.format, DEFAULT_STATS_TABLE);
  const ref = await projectOrName(ctx);
  const engine = await connect(ctx);
  const reports = reportsOf(engine);
  const labels = [`${LABEL.project}=${ref.project.name}`, ...(service ? [`${LABEL.service}=${service}`] : [])];
  const table = async (): Promise<string> => {
    const containers = (await engine.containers.list({ label: labels }, flags.all)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const samples = await Promise.all(containers.map((container) => reports.stats(container.id)));
    return renderList(format, containers.map((container, index) => statsContext(container, computeStats(samples[index]!), flags.trunc)), STATS_HEADER);
  };
  if (flags.noStream) {
    ctx.stdout.write(await table());
    return 0;
  }
  let stopped = false;
  const release = ctx.onInterrupt?.(() => (stopped = true));
  try {
    const terminal = (ctx.stdout as { isTTY?: boolean }).isTTY === true;
    while (!stopped) {
      const text = await table();
      if (stopped) break;
      // As docker: on a terminal the table is redrawn in place; elsewhere each round follows the last.
      ctx.stdout.write(terminal ? `\x1b[2J\x1b[H${text}` : text);
      await delay(500);
    }
  } finally {
    release?.();
  }
  return 130;
}
