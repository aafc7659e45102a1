// `berth deploy`: the project, as a stack, onto the swarm the engine manages. The compose file is converted as
// `docker stack deploy` converts it (src/swarm/convert.ts), images are pinned to their registry digests, and only
// what differs from what the swarm holds is sent (src/swarm/plan.ts): a second deploy of the same file updates
// nothing. `--dry-run` prints the specs it would send; `--wait` waits until every service converged; `--push` pushes
// the images built here first. A step that fails has what this deploy did before it rolled back.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { BerthError } from '../model/errors.js';
import { applyDeploy, describe } from '../swarm/apply.js';
import { toSwarmStack } from '../swarm/convert.js';
import { pinned, resolveDigests, withImage } from '../swarm/images.js';
import type { PushStep } from '../swarm/images.js';
import { observeStack } from '../swarm/observe.js';
import { planDeploy } from '../swarm/plan.js';
import type { DeployPlan } from '../swarm/plan.js';
import { waitForStack } from '../swarm/wait.js';
import type { Awaited } from '../swarm/wait.js';
import type { RunVerb, VerbContext } from './main.js';
import { loadProject, parseSeconds } from './session.js';
import { openManager } from './swarm-session.js';

interface DeployFlags {
  readonly dryRun?: boolean;
  readonly wait?: boolean;
  readonly waitTimeout: string;
  readonly prune?: boolean;
  readonly push?: boolean;
}

export function registerDeployCommand(program: Command, run: RunVerb): void {
  program
    .command('deploy')
    .description('deploy the project as a stack to a Docker Swarm (the engine must be a swarm manager)')
    .option('--dry-run', 'print the service specs that would be sent, change nothing')
    .option('--wait', 'wait until every service has converged (or report the tasks that failed)')
    .option('--wait-timeout <seconds>', 'how long --wait waits', '300')
    .option('--prune', "remove the stack's services that the compose file no longer has")
    .option('--push', 'push the images built here (and any that are on this engine but not in their registry) before deploying')
    .action(run((ctx, cmd) => runDeploy(ctx, cmd.opts<DeployFlags>())));
}

async function runDeploy(ctx: VerbContext, flags: DeployFlags): Promise<number> {
  const dryRun = flags.dryRun === true || ctx.flags.dryRun;
  const timeoutMs = parseSeconds(flags.waitTimeout) * 1000;
  const project = await loadProject(ctx);
  const { swarm, engine } = await openManager(ctx);

  const converted = toSwarmStack(project, { readFile: (path) => readFileSync(path) });
  for (const warning of converted.warnings) ctx.warn(warning);
  const push: PushStep | undefined = flags.push
    ? {
        built: new Set(Object.values(project.services).flatMap((service) => (service.build !== undefined && service.image ? [service.image] : []))),
        dryRun,
        push: async (image) => {
          ctx.stdout.write(`${dryRun ? 'DRY-RUN: ' : ''}Pushing image ${image}\n`);
          if (dryRun) return;
          await engine.images.push(image).catch((error: Error) => {
            throw new BerthError(`pushing image ${image} failed: ${error.message}\nnothing was deployed`, { kind: 'engine', cause: error });
          });
        },
      }
    : undefined;
  const digests = await resolveDigests(converted.services.map((service) => service.image), swarm, push);
  const stack = {
    ...converted,
    services: converted.services.map((service) => {
      // Only a dry run that would push the image leaves it without a digest (the push makes it).
      const digest = digests.get(service.image);
      return { ...service, spec: withImage(service.spec, digest ? pinned(service.image, digest) : service.image) };
    }),
  };
  const observed = await observeStack(swarm, stack);
  const plan = planDeploy(stack, observed, { prune: flags.prune === true });

  if (dryRun) {
    printDryRun(ctx, plan);
    return 0;
  }
  for (const key of plan.unchanged) ctx.stdout.write(`Service ${stack.services.find((service) => service.key === key)!.spec.Name} is up to date\n`);
  await applyDeploy(swarm, plan, observed, { step: (line) => ctx.stdout.write(`${line}\n`), warn: ctx.warn });
  if (!flags.wait) return 0;

  const startedAt = new Map(observed.services.map((service) => [service.spec.Name, service.updateStartedAt]));
  const awaited: Awaited[] = stack.services.map((service) => {
    const update = plan.operations.find((operation) => operation.kind === 'update-service' && operation.key === service.key);
    const rolls = update?.kind === 'update-service' && update.changed.some((path) => path.startsWith('TaskTemplate') || path.startsWith('EndpointSpec'));
    return { name: service.spec.Name, ...(rolls ? { rolledFrom: { startedAt: startedAt.get(service.spec.Name) } } : {}) };
  });
  const controller = new AbortController();
  const stop = ctx.onInterrupt?.(() => controller.abort());
  try {
    await waitForStack(swarm, stack.name, awaited, { timeoutMs, signal: controller.signal, progress: (line) => ctx.stdout.write(`${line}\n`) });
  } finally {
    stop?.();
  }
  return 0;
}

function printDryRun(ctx: VerbContext, plan: DeployPlan): void {
  for (const operation of plan.operations) {
    ctx.stdout.write(`DRY-RUN: ${describe(operation)}\n`);
    if (operation.kind === 'create-service' || operation.kind === 'update-service') ctx.stdout.write(`${JSON.stringify(operation.spec, null, 2)}\n`);
    if (operation.kind === 'create-network') ctx.stdout.write(`${JSON.stringify(operation.network.create, null, 2)}\n`);
  }
  for (const key of plan.unchanged) ctx.stdout.write(`DRY-RUN: service ${key} is up to date\n`);
}
