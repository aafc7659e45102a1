// `berth stack ls | ps STACK | rm STACK...`: the stacks on the swarm the engine manages, as `docker stack` shows
// them (both tools find a stack by the com.docker.stack.namespace label, so each sees the other's stacks).
import type { Command } from 'commander';
import type { Swarm, SwarmTask } from '../engine-client/swarm.js';
import { humanDuration } from '../format/units.js';
import { BerthError } from '../model/errors.js';
import { NAMESPACE_LABEL, stackFilter } from '../swarm/names.js';
import { removeStack } from '../swarm/remove.js';
import type { RunVerb, VerbContext } from './main.js';
import { openSwarm } from './swarm-session.js';
import { formatTable } from './table.js';

export function registerStackCommand(program: Command, run: RunVerb): void {
  const stack = program.command('stack').description('list, inspect and remove the stacks deployed to a Docker Swarm (berth deploy)');
  stack
    .command('ls')
    .alias('list')
    .description('list the stacks on the swarm')
    .action(run(async (ctx) => listStacks(ctx, await openSwarm(ctx))));
  stack
    .command('ps')
    .description("list a stack's tasks, with their states and errors")
    .argument('<stack>', 'the stack (the project name it was deployed with)')
    .option('--no-trunc', 'do not truncate errors and ids')
    .action(run(async (ctx, cmd) => listTasks(ctx, await openSwarm(ctx), cmd.args[0]!, cmd.opts<{ trunc: boolean }>().trunc)));
  stack
    .command('rm')
    .alias('remove')
    .description("remove stacks: their services, networks, secrets and configs")
    .argument('<stacks...>', 'the stacks to remove')
    .action(run(async (ctx, cmd) => removeStacks(ctx, await openSwarm(ctx), cmd.args)));
}

async function listStacks(ctx: VerbContext, swarm: Swarm): Promise<number> {
  const counts = new Map<string, number>();
  for (const service of await swarm.services({ label: [NAMESPACE_LABEL] })) {
    const name = service.spec.Labels?.[NAMESPACE_LABEL];
    if (name) counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  const rows = [...counts].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([name, count]) => [name, String(count)]);
  ctx.stdout.write(formatTable([['NAME', 'SERVICES'], ...rows]));
  return 0;
}

async function listTasks(ctx: VerbContext, swarm: Swarm, stack: string, truncate: boolean): Promise<number> {
  const services = await swarm.services(stackFilter(stack));
  if (services.length === 0) throw new BerthError(`nothing found in stack: ${stack}`, { kind: 'not-found' });
  const [tasks, nodes] = await Promise.all([swarm.tasks({ service: services.map((service) => service.id) }), swarm.nodeNames()]);
  const serviceNames = new Map(services.map((service) => [service.id, service.spec.Name]));
  const now = Date.now();
  const sorted = [...tasks].sort((a, b) => taskName(a, serviceNames).localeCompare(taskName(b, serviceNames)) || ((b.createdAt ?? '') < (a.createdAt ?? '') ? -1 : 1));
  const rows = sorted.map((task) => {
    const since = task.timestamp ? Date.parse(task.timestamp) : Number.NaN;
    const state = `${capitalised(task.state)}${Number.isNaN(since) ? '' : ` ${humanDuration(Math.max(0, now - since))} ago`}`;
    const error = task.error ?? '';
    return [
      truncate ? task.id.slice(0, 12) : task.id,
      taskName(task, serviceNames),
      truncate ? (task.image ?? '').replace(/@sha256:[0-9a-f]+$/, '') : (task.image ?? ''),
      task.nodeId ? (nodes.get(task.nodeId) ?? task.nodeId) : '',
      capitalised(task.desiredState),
      state,
      truncate && error.length > 30 ? `"${error.slice(0, 29)}…"` : error ? `"${error}"` : '',
    ];
  });
  ctx.stdout.write(formatTable([['ID', 'NAME', 'IMAGE', 'NODE', 'DESIRED STATE', 'CURRENT STATE', 'ERROR'], ...rows]));
  return 0;
}

/** `<service>.<slot>` for replicated tasks, `<service>.<node id>` for global ones, as docker names them. */
function taskName(task: SwarmTask, services: ReadonlyMap<string, string>): string {
  const service = services.get(task.serviceId) ?? task.serviceId;
  return task.slot ? `${service}.${task.slot}` : `${service}.${task.nodeId ?? task.id}`;
}

function capitalised(text: string): string {
  return text === '' ? '' : `${text[0]!.toUpperCase()}${text.slice(1)}`;
}

async function removeStacks(ctx: VerbContext, swarm: Swarm, stacks: readonly string[]): Promise<number> {
  for (const stack of stacks) {
    // As docker: a stack that is not there is said, and is not an error.
    const found = await removeStack(swarm, stack, { step: (line) => ctx.stdout.write(`${line}\n`) });
    if (!found) ctx.stderr.write(`Nothing found in stack: ${stack}\n`);
  }
  return 0;
}
