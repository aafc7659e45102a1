// `berth cp SERVICE:SRC DEST|-` and `berth cp SRC|- SERVICE:DEST`: files between a service's containers and this
// machine, as `docker compose cp` copies them. A copy out reads the service's first container (or `--index`); a
// copy in goes to every replica (stopped ones too), or to `--index`'s. `-` is a tar archive on stdout or stdin.
import type { Command } from 'commander';
import { lstatSync, realpathSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GO_MODE } from '../engine-api/archive.js';
import type { ContainerSummary, Engine, PathStat } from '../engine-client/index.js';
import { BerthError, isBerthError } from '../model/errors.js';
import { progressEvent } from '../progress/events.js';
import { extractLocal, packLocal } from './cp-host.js';
import { cleanPath, containerPath, followedLink, keepTrailing, placeCopy, splitCpArgument, splitDirEntry, topName } from './cp-paths.js';
import type { CopySource } from './cp-paths.js';
import type { RunVerb, VerbContext } from './main.js';
import { projectOrName } from './project-ref.js';
import { checkService, parseIndex, serviceContainer, serviceContainers } from './service-target.js';
import { connect, progressSink } from './session.js';

interface CpFlags {
  all: boolean;
  archive: boolean;
  followLink: boolean;
  index?: number;
}

export function registerCpCommand(program: Command, run: RunVerb): void {
  program
    .command('cp')
    .description('copy files/folders between a service container and the local filesystem')
    .usage('[options] SERVICE:SRC_PATH DEST_PATH|-\n       berth cp [options] SRC_PATH|- SERVICE:DEST_PATH')
    .argument('<source>')
    .argument('<destination>')
    .option('--all', 'include containers created by the run command', false)
    .option('-a, --archive', 'archive mode (copy all uid/gid information)', false)
    .option('-L, --follow-link', 'always follow symbol link in SRC_PATH', false)
    .option('--index <n>', 'index of the container if the service has several replicas', parseIndex)
    .action(run((ctx, cmd) => runCp(ctx, cmd.opts<CpFlags>(), cmd.args[0]!, cmd.args[1]!)));
}

async function runCp(ctx: VerbContext, flags: CpFlags, sourceArgument: string, destinationArgument: string): Promise<number> {
  const source = splitCpArgument(sourceArgument);
  const destination = splitCpArgument(destinationArgument);
  if (source.service !== undefined && destination.service !== undefined) throw new BerthError('copying between services is not supported');
  if (source.service === undefined && destination.service === undefined) {
    throw new BerthError('unknown copy direction: name the container side as SERVICE:PATH');
  }
  const service = (source.service ?? destination.service)!;
  if (service === '') throw new BerthError('no service named before ":"');
  const outward = source.service !== undefined;
  // Checked before any container is looked at: a bad path is the same mistake whatever runs.
  const inContainer = containerPath(outward ? source.path : destination.path);
  const local = outward ? destination.path : source.path;
  const localPath = local === '-' ? '-' : keepTrailing(resolve(ctx.cwd, local), local);
  if (outward && localPath !== '-') checkOutputPath(localPath);

  const ref = await projectOrName(ctx);
  checkService(ref, service);
  const engine = await connect(ctx);
  const targets = await copyTargets(engine, ref.project.name, service, flags, outward);
  const sink = progressSink(ctx);
  // Several containers read one stdin: it is read whole first.
  const input = !outward && localPath === '-' ? await stdinFor(ctx, targets.length) : undefined;
  try {
    await Promise.all(
      targets.map(async (container, position) => {
        const resource = `Container ${container.name}`;
        const detail = outward ? `${container.name}:${inContainer} to ${localPath}` : `${localPath} to ${container.name}:${inContainer}`;
        sink.event(progressEvent(resource, 'Copying', detail));
        if (!ctx.flags.dryRun) {
          if (outward) await copyOut(ctx, engine, container, inContainer, localPath, flags);
          else await copyIn(ctx, engine, container, localPath, inContainer, flags, input?.(position));
        }
        sink.event(progressEvent(resource, 'Copied', detail));
      }),
    );
  } finally {
    sink.close();
  }
  return 0;
}

/** compose's choice: `--index`'s container, else all of the service's (stopped too); a copy out reads the first. */
async function copyTargets(engine: Engine, project: string, service: string, flags: CpFlags, outward: boolean): Promise<ContainerSummary[]> {
  if (flags.index) return [await serviceContainer(engine, project, service, { index: flags.index, all: true })];
  const found = await serviceContainers(engine, project, service, { all: true, oneoffs: flags.all });
  if (found.length === 0) throw new BerthError(`no container found for service "${service}"`, { kind: 'not-found' });
  return outward ? found.slice(0, 1) : found;
}

async function copyOut(ctx: VerbContext, engine: Engine, container: ContainerSummary, path: string, localPath: string, flags: CpFlags): Promise<void> {
  let source: CopySource = { path, isDir: false };
  if (flags.followLink) {
    const stat = await engine.containers.statPath(container.id, path);
    if (stat && isSymlink(stat)) source = { ...followedLink(path, stat.linkTarget), isDir: false };
  }
  const { stat, content } = await inContainerFile(container, source.path, () => engine.containers.getArchive(container.id, source.path));
  if (localPath === '-') {
    await pipeline(content, ctx.stdout, { end: false });
    return;
  }
  source = { ...source, isDir: isDirectory(stat) };
  const placement = placeCopy(source, localDestination(localPath));
  await extractLocal(content, placement, (name) => ctx.warn(`${name} is not copied: berth copies files, directories and links only`));
}

async function copyIn(
  ctx: VerbContext,
  engine: Engine,
  container: ContainerSummary,
  localPath: string,
  path: string,
  flags: CpFlags,
  stdin: Readable | undefined,
): Promise<void> {
  // The destination is followed when it is a link, once, as docker does.
  let target = path;
  let stat = await engine.containers.statPath(container.id, target);
  if (stat && isSymlink(stat)) {
    target = followedLink(path, stat.linkTarget).path;
    stat = await engine.containers.statPath(container.id, target);
  }
  if (stat && !isDirectory(stat) && !isRegular(stat)) throw new BerthError(`destination "${container.name}:${path}" must be a directory or a regular file`);
  const destination = { path: target, exists: stat !== undefined, isDir: stat !== undefined && isDirectory(stat) };
  const options = { copyUIDGID: flags.archive, noOverwriteDirNonDir: true };
  if (stdin) {
    if (!destination.isDir) throw new BerthError(`destination "${container.name}:${path}" must be a directory`);
    await inContainerFile(container, target, () => engine.containers.putArchive(container.id, cleanPath(target), stdin, options));
    return;
  }
  const source = localSource(localPath, flags.followLink);
  const placement = placeCopy(source, destination);
  const archive = packLocal(source.path, topName(source, placement), (skipped) => ctx.warn(`${skipped} is not copied: berth copies files, directories and links only`));
  await inContainerFile(container, placement.dir, () => engine.containers.putArchive(container.id, placement.dir, archive, options));
}

/** The engine's 404 for a path, said the same way by any engine. */
async function inContainerFile<T>(container: ContainerSummary, path: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (isBerthError(error) && error.kind === 'not-found') {
      throw new BerthError(`no such file or directory in container ${container.name}: ${path}`, { kind: 'not-found', cause: error });
    }
    throw error;
  }
}

/** A local source, its parent's links resolved; with -L the source's own link too (the copy keeps the link's name). */
function localSource(path: string, followLink: boolean): CopySource {
  const exists = (candidate: string): void => {
    if (!lstatOrUndefined(candidate)) throw new BerthError(`no such file or directory: ${cleanPath(candidate)}`, { kind: 'not-found' });
  };
  exists(path);
  if (followLink) {
    const resolved = realpathSync(path);
    const followed = followedLink(path, resolved);
    return { path: followed.path, isDir: statSync(resolved).isDirectory(), ...(followed.rebaseName ? { rebaseName: followed.rebaseName } : {}) };
  }
  const { dir, base } = splitDirEntry(path);
  const resolved = base === '.' ? `${realpathSync(dir)}/.` : `${realpathSync(dir)}/${base}`.replace(/^\/\//, '/');
  const info = lstatSync(resolved);
  return { path: resolved, isDir: info.isDirectory() };
}

/** A local destination: followed when it is a link (it is the user's own machine). */
function localDestination(path: string): { path: string; exists: boolean; isDir: boolean } {
  const info = statOrUndefined(path);
  if (!info) return { path, exists: false, isDir: false };
  if (lstatOrUndefined(path)?.isSymbolicLink()) return { path: keepTrailing(realpathSync(path), path), exists: true, isDir: info.isDirectory() };
  return { path, exists: true, isDir: info.isDirectory() };
}

/** As docker: the destination's directory must exist, and the destination be a directory or a regular file. */
function checkOutputPath(path: string): void {
  const parent = dirname(cleanPath(path));
  if (!statOrUndefined(parent)?.isDirectory()) throw new BerthError(`invalid output path: directory "${parent}" does not exist`);
  const info = statOrUndefined(path);
  if (info && !info.isDirectory() && !info.isFile()) throw new BerthError(`invalid output path: "${path}" must be a directory or a regular file`);
}

/** stdin for each container: the stream itself for one, else the bytes read once, replayed for each. */
async function stdinFor(ctx: VerbContext, count: number): Promise<(position: number) => Readable> {
  if (!ctx.stdin) throw new BerthError('cp - needs a tar archive on stdin');
  const stdin = ctx.stdin as unknown as Readable;
  if (count === 1) return () => stdin;
  const chunks: Buffer[] = [];
  for await (const chunk of stdin) chunks.push(Buffer.from(chunk as Buffer));
  const whole = Buffer.concat(chunks);
  return () => {
    const replay = new PassThrough();
    replay.end(whole);
    return replay;
  };
}

const hasBit = (mode: number, bit: number): boolean => Math.floor(mode / bit) % 2 === 1;
const isDirectory = (stat: PathStat): boolean => hasBit(stat.mode, GO_MODE.directory);
const isSymlink = (stat: PathStat): boolean => hasBit(stat.mode, GO_MODE.symlink);
const isRegular = (stat: PathStat): boolean =>
  ![GO_MODE.directory, GO_MODE.symlink, GO_MODE.device, GO_MODE.namedPipe, GO_MODE.socket, GO_MODE.charDevice].some((bit) => hasBit(stat.mode, bit));

function statOrUndefined(path: string): ReturnType<typeof statSync> | undefined {
  return statSync(path, { throwIfNoEntry: false });
}

function lstatOrUndefined(path: string): ReturnType<typeof lstatSync> | undefined {
  return lstatSync(path, { throwIfNoEntry: false });
}
