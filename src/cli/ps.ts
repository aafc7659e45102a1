// `berth ps` and `berth ls`: the project's containers, and the projects on the engine, as compose lists them.
import type { Command } from 'commander';
import { containerContext, DEFAULT_PS_TABLE, PS_HEADER } from '../format/container.js';
import { printFormat } from '../format/compose-print.js';
import { parseListFormat, renderList } from '../format/formatter.js';
import { BerthError } from '../model/errors.js';
import { LABEL } from '../model/labels.js';
import type { RunVerb, VerbContext } from './main.js';
import { projectContainers, projectOrName } from './project-ref.js';
import { connect } from './session.js';
import { formatTable } from './table.js';

interface PsFlags {
  all: boolean;
  quiet: boolean;
  services: boolean;
  status: string[];
  filter?: string;
  format: string;
  orphans: boolean;
  trunc: boolean;
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];
const STATES = ['paused', 'restarting', 'removing', 'running', 'dead', 'created', 'exited'];

export function registerPsCommands(program: Command, run: RunVerb): void {
  program
    .command('ps')
    .description('list containers')
    .argument('[services...]')
    .option('-a, --all', 'show all stopped containers (including those created by the run command)', false)
    .option('-q, --quiet', 'only display ids', false)
    .option('--services', 'display services', false)
    .option('--status <status>', 'filter by status: paused, restarting, removing, running, dead, created, exited (repeatable)', collect, [])
    .option('--filter <filter>', 'filter by a property (status=<status>)')
    .option('--format <format>', 'format the output: table, json, or a Go template ("table {{.Name}}\\t{{.State}}")', 'table')
    .option('--no-trunc', "don't truncate output")
    .option('--no-orphans', "don't include orphaned services")
    .action(run((ctx, cmd) => runPs(ctx, cmd.opts<PsFlags>(), cmd.args)));
  program
    .command('ls')
    .description('list running compose projects')
    .option('-a, --all', 'show all stopped compose projects', false)
    .option('-q, --quiet', 'only display project names', false)
    .option('--filter <filter>', 'filter output (name=<name>)')
    .option('--format <format>', 'format the output: table or json', 'table')
    .action(run((ctx, cmd) => runLs(ctx, cmd.opts<{ all: boolean; quiet: boolean; filter?: string; format: string }>())));
}

async function runPs(ctx: VerbContext, flags: PsFlags, services: string[]): Promise<number> {
  const format = parseListFormat(flags.format, DEFAULT_PS_TABLE);
  const statuses = [...flags.status];
  if (flags.filter) {
    const match = /^status=(.+)$/.exec(flags.filter);
    if (!match) throw new BerthError(`invalid filter "${flags.filter}": only status=<status> is supported`);
    statuses.push(match[1]!);
  }
  for (const status of statuses) if (!STATES.includes(status)) throw new BerthError(`invalid status "${status}": use ${STATES.join(', ')}`);
  const ref = await projectOrName(ctx);
  const engine = await connect(ctx);
  let containers = await projectContainers(engine, ref.project.name);
  const known = new Set([...Object.keys(ref.project.services), ...ref.project.disabledServices]);
  containers = containers.filter((container) => {
    const service = container.labels[LABEL.service] ?? '';
    if (services.length > 0 && !services.includes(service)) return false;
    if (ref.fromFiles && flags.orphans === false && !known.has(service)) return false;
    if ((container.labels[LABEL.oneoff] ?? '') === 'True' && !flags.all) return false;
    if (statuses.length > 0) return statuses.includes(container.state);
    return flags.all || container.state === 'running' || container.state === 'restarting' || container.state === 'paused';
  });
  if (flags.quiet) return lines(ctx, containers.map((container) => container.id));
  if (flags.services) return lines(ctx, [...new Set(containers.map((container) => container.labels[LABEL.service] ?? ''))]);
  const now = Date.now();
  const items = containers.map((container) => containerContext(container, { project: ref.project.name, trunc: flags.trunc, now }));
  ctx.stdout.write(renderList(format, items, PS_HEADER));
  return 0;
}

function lines(ctx: VerbContext, items: readonly string[]): number {
  for (const item of items) ctx.stdout.write(`${item}\n`);
  return 0;
}

async function runLs(ctx: VerbContext, flags: { all: boolean; quiet: boolean; filter?: string; format: string }): Promise<number> {
  const format = printFormat(flags.format);
  let nameFilter: string | undefined;
  if (flags.filter) {
    const match = /^name=(.+)$/.exec(flags.filter);
    if (!match) throw new BerthError(`invalid filter "${flags.filter}": only name=<name> is supported`);
    nameFilter = match[1];
  }
  const engine = await connect(ctx);
  const containers = await engine.containers.list({ label: [LABEL.project] }, true);
  const projects = new Map<string, { states: Map<string, number>; files: Set<string> }>();
  for (const container of containers) {
    const name = container.labels[LABEL.project]!;
    const entry = projects.get(name) ?? { states: new Map(), files: new Set() };
    entry.states.set(container.state, (entry.states.get(container.state) ?? 0) + 1);
    const files = container.labels[LABEL.configFiles];
    if (files) entry.files.add(files);
    projects.set(name, entry);
  }
  const rows = [...projects.entries()]
    .filter(([name, entry]) => (flags.all || entry.states.has('running')) && (nameFilter === undefined || name.includes(nameFilter)))
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([name, entry]) => ({
      Name: name,
      Status: [...entry.states.entries()].sort().map(([state, count]) => `${state}(${count})`).join(', '),
      ConfigFiles: [...entry.files].join(','),
    }));
  if (flags.quiet) return lines(ctx, rows.map((row) => row.Name));
  if (format === 'json') {
    ctx.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  ctx.stdout.write(formatTable([['NAME', 'STATUS', 'CONFIG FILES'], ...rows.map((row) => [row.Name, row.Status, row.ConfigFiles])]));
  return 0;
}
