// `berth export SERVICE`: a service container's filesystem as a tar archive, on stdout (never onto a terminal) or
// written whole to `-o FILE` (a partial archive is never left under that name).
import type { Command } from 'commander';
import { createWriteStream, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { snapshotsOf } from '../engine-client/snapshots.js';
import { BerthError } from '../model/errors.js';
import { progressEvent } from '../progress/events.js';
import type { RunVerb, VerbContext } from './main.js';
import { pickContainer } from './picked-container.js';
import { parseIndex } from './service-target.js';
import { progressSink } from './session.js';

export function registerExportCommand(program: Command, run: RunVerb): void {
  program
    .command('export')
    .description("export a service container's filesystem as a tar archive")
    .argument('<service>')
    .option('--index <n>', 'index of the container if the service has several replicas', parseIndex)
    .option('-o, --output <file>', 'write to a file, instead of STDOUT')
    .action(run((ctx, cmd) => runExport(ctx, cmd.opts<{ index?: number; output?: string }>(), cmd.args[0]!)));
}

async function runExport(ctx: VerbContext, flags: { index?: number; output?: string }, service: string): Promise<number> {
  const output = flags.output === undefined ? undefined : resolve(ctx.cwd, flags.output);
  if (output === undefined && (ctx.stdout as { isTTY?: boolean }).isTTY) throw new BerthError('output option is required when exporting to terminal');
  if (output !== undefined) checkOutputPath(output);
  const { engine, container } = await pickContainer(ctx, service, flags.index);
  const sink = progressSink(ctx);
  const resource = `Container ${container.name}`;
  try {
    sink.event(progressEvent(resource, 'Exporting'));
    const archive = await snapshotsOf(engine).export(container.id);
    if (ctx.flags.dryRun) archive.destroy();
    else if (output === undefined) await pipeline(archive, ctx.stdout, { end: false });
    else await writeWhole(archive, output);
    sink.event(progressEvent(resource, 'Exported'));
  } finally {
    sink.close();
  }
  return 0;
}

/** As docker: the file's directory must exist, and the path must not be a directory. */
function checkOutputPath(path: string): void {
  const directory = statSync(dirname(path), { throwIfNoEntry: false });
  if (!directory?.isDirectory()) throw new BerthError(`failed to export container: invalid output path: directory "${dirname(path)}" does not exist`);
  if (statSync(path, { throwIfNoEntry: false })?.isDirectory()) throw new BerthError(`failed to export container: invalid output path: "${path}" is a directory`);
}

async function writeWhole(archive: NodeJS.ReadableStream, path: string): Promise<void> {
  const partial = join(dirname(path), `.${basename(path)}.${process.pid}.partial`);
  try {
    await pipeline(archive, createWriteStream(partial, { mode: 0o600 }));
    renameSync(partial, path);
  } catch (error) {
    rmSync(partial, { force: true });
    throw error;
  }
}
