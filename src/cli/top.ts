// `berth top [SERVICE...]`: the processes of the project's running containers, in one table with compose's SERVICE
// and # (replica) columns first and CMD last.
import type { Command } from 'commander';
import { reportsOf } from '../engine-client/reports.js';
import { tabwrite } from '../format/tabwriter.js';
import { LABEL } from '../model/labels.js';
import type { RunVerb, VerbContext } from './main.js';
import { projectOrName } from './project-ref.js';
import { connect } from './session.js';

export function registerTopCommand(program: Command, run: RunVerb): void {
  program
    .command('top')
    .description('display the running processes')
    .argument('[services...]')
    .action(run((ctx, cmd) => runTop(ctx, cmd.args)));
}

async function runTop(ctx: VerbContext, services: readonly string[]): Promise<number> {
  const ref = await projectOrName(ctx);
  const engine = await connect(ctx);
  const reports = reportsOf(engine);
  const running = await engine.containers.list({ label: [`${LABEL.project}=${ref.project.name}`] }, false);
  const chosen = running
    .filter((container) => services.length === 0 || services.includes(container.labels[LABEL.service] ?? ''))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const tops = await Promise.all(chosen.map(async (container) => ({ container, top: await reports.top(container.id) })));
  const rows = tops.flatMap(({ container, top }) =>
    top.processes.map((process) => {
      const row = new Map<string, string>([
        ['SERVICE', container.labels[LABEL.service] ?? container.name],
        ['#', container.labels[LABEL.number] ?? ''],
      ]);
      top.titles.forEach((title, index) => row.set(title, process[index] ?? ''));
      return row;
    }),
  );
  ctx.stdout.write(processTable(tops.map(({ top }) => top.titles), rows));
  return 0;
}

/** Columns in the order first seen (engines may differ in their titles), CMD last; a missing value is `-`. */
export function processTable(titles: ReadonlyArray<readonly string[]>, rows: ReadonlyArray<ReadonlyMap<string, string>>): string {
  if (rows.length === 0) return '';
  const columns = ['SERVICE', '#'];
  for (const title of titles.flat()) if (!columns.includes(title)) columns.push(title);
  if (columns.includes('CMD')) columns.push(...columns.splice(columns.indexOf('CMD'), 1));
  const lines = [columns, ...rows.map((row) => columns.map((column) => row.get(column) ?? '-'))].map((cells) => `${cells.join('\t')}\n`);
  return tabwrite(lines.join(''), { minWidth: 4, padding: 2 });
}
