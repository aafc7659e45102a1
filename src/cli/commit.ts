// `berth commit SERVICE [REPOSITORY[:TAG]]`: a new image from a service container's changes, with docker's
// --message, --author, --change and --pause.
import type { Command } from 'commander';
import { snapshotsOf } from '../engine-client/snapshots.js';
import { BerthError } from '../model/errors.js';
import { progressEvent } from '../progress/events.js';
import type { RunVerb, VerbContext } from './main.js';
import { pickContainer } from './picked-container.js';
import { parseIndex } from './service-target.js';
import { progressSink } from './session.js';

interface CommitFlags {
  index?: number;
  pause: boolean;
  message?: string;
  author?: string;
  change: string[];
}

const collect = (value: string, previous: string[]): string[] => [...previous, value];

/** Go's bool flag value: `--pause=false`. */
function parseBool(value: string): boolean {
  if (/^(1|t|true)$/i.test(value)) return true;
  if (/^(0|f|false)$/i.test(value)) return false;
  throw new BerthError(`invalid boolean "${value}"`);
}

export function registerCommitCommand(program: Command, run: RunVerb): void {
  program
    .command('commit')
    .description("create a new image from a service container's changes")
    .argument('<service>')
    .argument('[reference]', 'REPOSITORY[:TAG]')
    .option('--index <n>', 'index of the container if the service has several replicas', parseIndex)
    .option('-p, --pause [bool]', 'pause container during commit', parseBool, true)
    .option('-m, --message <message>', 'commit message')
    .option('-a, --author <author>', 'author (e.g., "John Hannibal Smith <hannibal@a-team.com>")')
    .option('-c, --change <instruction>', 'apply Dockerfile instruction to the created image (repeatable)', collect, [])
    .action(run((ctx, cmd) => runCommit(ctx, cmd.opts<CommitFlags>(), cmd.args[0]!, cmd.args[1])));
}

async function runCommit(ctx: VerbContext, flags: CommitFlags, service: string, reference: string | undefined): Promise<number> {
  const { engine, container } = await pickContainer(ctx, service, flags.index);
  const sink = progressSink(ctx);
  const resource = `Container ${container.name}`;
  try {
    sink.event(progressEvent(resource, 'Committing'));
    if (ctx.flags.dryRun) {
      sink.event(progressEvent(resource, 'Committed'));
      return 0;
    }
    const id = await snapshotsOf(engine).commit(container.id, {
      pause: flags.pause,
      changes: flags.change,
      ...(reference ? { reference } : {}),
      ...(flags.message ? { comment: flags.message } : {}),
      ...(flags.author ? { author: flags.author } : {}),
    });
    sink.event(progressEvent(resource, 'Committed', `as ${id}`));
  } finally {
    sink.close();
  }
  return 0;
}
