// `berth ps` and `berth ls`: the project's containers, and the projects on the engine, as compose lists them.
import type { Command } from 'commander';
import type { ContainerSummary } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import { LABEL } from '../plan/labels.js';
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
    .option('--format <format>', 'format the output: table or json', 'table')
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
  if (!['table', 'json'].includes(flags.format)) throw new BerthError(`unsupported format "${flags.format}": use table or json`);
  const statuses = [...flags.status];
  if (flags.filter) {
    const match = /^status=(.+)$/.exec(flags.filter);
    if (!match) throw new BerthError(`invalid filter "${flags.filter}": only status=<status> is supported`);
    statuses.push(match[1]!);
  }
  for (const status of statuses) if (!STATES.includes(status)) throw new BerthError(`invalid status "${status}": use ${STATES.join(', ')}`);
  const ref = projectOrName(ctx);
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
  if (flags.format === 'json') return lines(ctx, containers.map((container) => JSON.stringify(psJson(ref.project.name, container))));
  const rows = [['NAME', 'IMAGE', 'COMMAND', 'SERVICE', 'CREATED', 'STATUS', 'PORTS']];
  for (const container of containers) {
    rows.push([
      container.name,
      container.image,
      JSON.stringify(truncate(container.command, 20)),
      container.labels[LABEL.service] ?? '',
      ago(container.created),
      container.status,
      ports(container),
    ]);
  }
  ctx.stdout.write(formatTable(rows));
  return 0;
}

function lines(ctx: VerbContext, items: readonly string[]): number {
  for (const item of items) ctx.stdout.write(`${item}\n`);
  return 0;
}

function truncate(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

function ago(created: number): string {
  const seconds = Math.max(0, Math.floor(Date.now() / 1000 - created));
  if (seconds < 60) return `${seconds} seconds ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} minutes ago`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)} hours ago`;
  return `${Math.floor(seconds / 86400)} days ago`;
}

function ports(container: ContainerSummary): string {
  return container.ports
    .map((port) => (port.publicPort ? `${port.ip ?? '0.0.0.0'}:${port.publicPort}->${port.privatePort}/${port.type}` : `${port.privatePort}/${port.type}`))
    .join(', ');
}

function psJson(project: string, container: ContainerSummary): Record<string, unknown> {
  return {
    Command: JSON.stringify(container.command),
    CreatedAt: new Date(container.created * 1000).toISOString(),
    ExitCode: Number(/Exited \((\d+)\)/.exec(container.status)?.[1] ?? 0),
    Health: /\((healthy|unhealthy|health: starting)\)/.exec(container.status)?.[1]?.replace('health: ', '') ?? '',
    ID: container.id,
    Image: container.image,
    Labels: Object.entries(container.labels).map(([key, value]) => `${key}=${value}`).sort().join(','),
    Name: container.name,
    Names: container.name,
    Networks: Object.keys(container.networks).join(','),
    Ports: ports(container),
    Project: project,
    Publishers: container.ports.map((port) => ({ URL: port.ip ?? '', TargetPort: port.privatePort, PublishedPort: port.publicPort ?? 0, Protocol: port.type })),
    RunningFor: ago(container.created),
    Service: container.labels[LABEL.service] ?? '',
    State: container.state,
    Status: container.status,
  };
}

async function runLs(ctx: VerbContext, flags: { all: boolean; quiet: boolean; filter?: string; format: string }): Promise<number> {
  if (!['table', 'json'].includes(flags.format)) throw new BerthError(`unsupported format "${flags.format}": use table or json`);
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
  if (flags.format === 'json') {
    ctx.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  ctx.stdout.write(formatTable([['NAME', 'STATUS', 'CONFIG FILES'], ...rows.map((row) => [row.Name, row.Status, row.ConfigFiles])]));
  return 0;
}
