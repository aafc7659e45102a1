// `berth wait SERVICE...`: block until the services' running containers stop; each one's exit is printed as compose
// prints it, and berth exits with the status of the last to stop. `--down-project` then takes the project down.
import type { Command } from 'commander';
import { BerthError } from '../model/errors.js';
import { LABEL } from '../model/labels.js';
import { runDown } from './down.js';
import type { RunVerb, VerbContext } from './main.js';
import { projectOrName } from './project-ref.js';
import { connect } from './session.js';

export function registerWaitCommand(program: Command, run: RunVerb): void {
  program
    .command('wait')
    .description('block until containers of all (or specified) services stop')
    .argument('<services...>')
    .option('--down-project', 'drops project when the first container stops', false)
    .action(run((ctx, cmd) => runWait(ctx, cmd.opts<{ downProject: boolean }>(), cmd.args)));
}

async function runWait(ctx: VerbContext, flags: { downProject: boolean }, services: readonly string[]): Promise<number> {
  const ref = await projectOrName(ctx);
  const engine = await connect(ctx);
  const running = await engine.containers.list({ label: [`${LABEL.project}=${ref.project.name}`] }, false);
  const containers = running.filter((container) => services.includes(container.labels[LABEL.service] ?? ''));
  if (containers.length === 0) throw new BerthError(`no containers for project "${ref.project.name}"`, { kind: 'not-found' });
  const controller = new AbortController();
  const release = ctx.onInterrupt?.(() => controller.abort());
  let status = 0;
  try {
    await Promise.all(
      containers.map(async (container) => {
        const code = await engine.containers.wait(container.id, 'not-running', controller.signal);
        ctx.stdout.write(`container "${container.id}" exited with status code ${code}\n`);
        status = code;
      }),
    );
  } finally {
    release?.();
  }
  if (flags.downProject) await runDown(ctx, { volumes: false, removeOrphans: true }, []);
  return status;
}
