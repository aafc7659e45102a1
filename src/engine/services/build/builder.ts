// The classic builder: a Dockerfile's stages built step by step, each step an image (RUN in a container of the
// engine, committed; COPY and ADD as a layer made from the sources; the rest a config change), each step cached
// under a key of its parent, its instruction and (for COPY/ADD) the content it copies, so that an unchanged rebuild
// makes nothing new. Stages the target does not need are skipped; a failed build leaves no tagged image.
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join, posix } from 'node:path';
import { EngineError, invalid } from '../../errors.js';
import { extractUpload, isMountPoint, mustRun } from '../../runtime/tools.js';
import type { Tools } from '../../runtime/tools.js';
import { readJsonFile, writeJsonAtomic } from '../../store/files.js';
import type { Layout } from '../../store/layout.js';
import { containerLayer, tarLayer } from '../commit.js';
import type { CommitServices } from '../commit.js';
import type { ContainerService } from '../containers.js';
import { userFromFiles } from '../containers/users.js';
import type { ImageConfig, ImageRecord, ImageService } from '../images.js';
import type { RegistryCredentials } from '../registry/auth.js';
import { readLog } from '../logs.js';
import { applyConfigStep, CONFIG_INSTRUCTIONS, DEFAULT_SHELL } from './config-steps.js';
import type { BuildConfig } from './config-steps.js';
import { DockerfileError, expand, keyValues, parseDockerfile, splitWords } from './dockerfile.js';
import type { Dockerfile, Instruction, Stage } from './dockerfile.js';
import { readBuildContext } from './context.js';
import { writeCopyLayer } from './copy-layer.js';
import { imageFile, isDirectoryInImage, keepParentMetadata } from './image-files.js';
import { contentChecksum, resolveSources } from './sources.js';

export interface BuildRequest {
  readonly tags: readonly string[];
  readonly dockerfile: string;
  readonly buildArgs: Readonly<Record<string, string | null>>;
  readonly target?: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly noCache: boolean;
  readonly networkMode: string;
  readonly shmSize?: number;
  readonly extraHosts: readonly string[];
  readonly ulimits: ReadonlyArray<{ Name: string; Soft: number; Hard: number }>;
  /** `pull=1`: base images are pulled even when the engine has them. */
  readonly pull?: boolean;
  /** Credentials by registry (`X-Registry-Config`), for base images pulled from private registries. */
  readonly credentials?: ReadonlyMap<string, RegistryCredentials>;
}

/** How the builder gets a base image the engine lacks (or must refresh): a pull, its status lines streamed out. */
export interface ImagePuller {
  pullImage(name: string, credentials: ReadonlyMap<string, RegistryCredentials>, out: (text: string) => void): Promise<ImageRecord>;
}

export interface BuildOutput {
  /** Build output lines (`Step 2/5 : RUN ...`, the RUN's own output). */
  stream(text: string): void;
  /** The built image's id (the `aux` message). */
  result(id: string): void;
}

export interface BuilderServices extends CommitServices {
  readonly layout: Layout;
  readonly tools: Tools;
  readonly images: ImageService;
  readonly containers: ContainerService;
}

/** Build args Docker accepts without an ARG: the proxy settings. */
const PREDEFINED_ARGS = new Set(['HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'FTP_PROXY', 'ftp_proxy', 'NO_PROXY', 'no_proxy', 'ALL_PROXY', 'all_proxy']);

interface StageState {
  imageId: string;
  image: ImageConfig;
  config: BuildConfig;
  /** The stage's declared ARGs and their values. */
  args: Record<string, string>;
  cmdSetHere: boolean;
  author?: string;
}

export class Builder {
  constructor(
    private readonly services: BuilderServices,
    private readonly puller?: ImagePuller,
  ) {}

  /** An image FROM or COPY --from names: the engine's own, or pulled (always, with `pull=1`). */
  private async baseImage(name: string, request: BuildRequest, out: BuildOutput): Promise<ImageRecord | undefined> {
    const found = request.pull ? undefined : this.services.images.tryResolve(name);
    if (found || !this.puller) return found;
    return this.puller.pullImage(name, request.credentials ?? new Map(), (text) => out.stream(text));
  }

  async build(context: NodeJS.ReadableStream, request: BuildRequest, out: BuildOutput): Promise<string> {
    const work = join(this.services.layout.tmp, `build-${randomBytes(6).toString('hex')}`);
    const root = join(work, 'context');
    mkdirSync(root, { recursive: true });
    try {
      await extractUpload(['-x', '--no-same-owner', '-C', root], context);
      const dockerfile = parseDockerfile(readBuildContext(root, request.dockerfile || 'Dockerfile'));
      return await this.run(dockerfile, root, work, request, out);
    } catch (error) {
      if (error instanceof DockerfileError) throw new EngineError('invalid', error.message);
      throw error;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  private async run(dockerfile: Dockerfile, root: string, work: string, request: BuildRequest, out: BuildOutput): Promise<string> {
    const consumed = new Set<string>();
    const globals: Record<string, string> = {};
    for (const arg of dockerfile.globalArgs) {
      const [name, value] = declareArg(arg, request.buildArgs, {});
      consumed.add(name);
      if (value !== undefined) globals[name] = value;
    }
    const stages = neededStages(dockerfile, request.target, globals);
    const total = stages.reduce((sum, stage) => sum + 1 + stage.instructions.length, 0);
    let step = 0;
    const results = new Map<number, StageState>();
    for (const stage of stages) {
      out.stream(`Step ${++step}/${total} : ${stage.from.original}\n`);
      const state = await this.fromStage(stage, dockerfile, results, globals, request, out);
      out.stream(` ---> ${short(state.imageId)}\n`);
      for (const trigger of state.config.OnBuild ?? []) {
        out.stream(`# Executing 1 build trigger: ${trigger}\n`);
        const parsed = parseDockerfile(`FROM scratch\n${trigger}\n`).stages[0]!.instructions[0]!;
        await this.step(parsed, state, root, work, request, consumed, dockerfile, results, out);
      }
      if (state.config.OnBuild?.length) state.config = { ...state.config, OnBuild: [] };
      for (const instruction of stage.instructions) {
        out.stream(`Step ${++step}/${total} : ${instruction.original}\n`);
        await this.step(instruction, state, root, work, request, consumed, dockerfile, results, out);
        out.stream(` ---> ${short(state.imageId)}\n`);
      }
      results.set(stage.index, state);
    }
    const final = results.get(stages[stages.length - 1]!.index)!;
    if (!final.imageId) throw invalid('No image was generated. Is your Dockerfile empty? (FROM scratch with nothing after it)');
    if (Object.keys(request.labels).length > 0) {
      await this.commitConfig(final, { ...final.config, Labels: { ...final.config.Labels, ...request.labels } }, `LABEL ${Object.entries(request.labels).map(([key, value]) => `${key}=${value}`).join(' ')}`, request.noCache);
    }
    const unused = Object.keys(request.buildArgs).filter((name) => !consumed.has(name) && !PREDEFINED_ARGS.has(name));
    if (unused.length > 0) out.stream(`[Warning] One or more build-args [${unused.join(' ')}] were not consumed\n`);
    out.result(final.imageId);
    out.stream(`Successfully built ${short(final.imageId)}\n`);
    for (const tag of request.tags) {
      const colon = tag.lastIndexOf(':');
      const hasTag = colon > tag.lastIndexOf('/');
      this.services.images.tag(final.imageId, hasTag ? tag.slice(0, colon) : tag, hasTag ? tag.slice(colon + 1) : 'latest');
      out.stream(`Successfully tagged ${hasTag ? tag : `${tag}:latest`}\n`);
    }
    return final.imageId;
  }

  /** The state a stage starts from: an earlier stage's result, an image of the engine, or scratch. */
  private async fromStage(stage: Stage, dockerfile: Dockerfile, results: Map<number, StageState>, globals: Record<string, string>, request: BuildRequest, out: BuildOutput): Promise<StageState> {
    const name = expand(stage.from.text.split(/\s+/)[0]!, globals);
    const earlier = stageReference(dockerfile, name, stage.index);
    if (earlier !== undefined) {
      const base = results.get(earlier)!;
      return { ...base, args: {}, cmdSetHere: false, config: { ...base.config } };
    }
    if (stage.from.flags.platform && !/^linux(\/amd64)?$/.test(expand(stage.from.flags.platform, globals))) {
      throw new DockerfileError(`platform ${stage.from.flags.platform} is not this engine's (linux/amd64)`, stage.from.line);
    }
    if (name === 'scratch') {
      const image: ImageConfig = { architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [] }, history: [] };
      return { imageId: '', image, config: { Env: [], Labels: {} }, args: {}, cmdSetHere: false };
    }
    const found = await this.baseImage(name, request, out);
    if (!found) throw new DockerfileError(`image "${name}" is not in berth's engine`, stage.from.line);
    return stateOf(found);
  }

  private async step(
    instruction: Instruction,
    state: StageState,
    root: string,
    work: string,
    request: BuildRequest,
    consumed: Set<string>,
    dockerfile: Dockerfile,
    results: Map<number, StageState>,
    out: BuildOutput,
  ): Promise<void> {
    const variables = { ...state.args, ...envMap(state.config.Env) };
    if (instruction.name === 'ARG') {
      const [name, value] = declareArg(instruction, request.buildArgs, state.args);
      consumed.add(name);
      if (value !== undefined) state.args[name] = value;
      return;
    }
    if (CONFIG_INSTRUCTIONS.has(instruction.name)) {
      const context = { variables, cmdSetHere: state.cmdSetHere, ...(state.author ? { author: state.author } : {}) };
      const config = applyConfigStep(state.config, instruction, context);
      if (instruction.name === 'CMD') state.cmdSetHere = true;
      if (context.author) state.author = context.author;
      if (await this.commitConfig(state, config, instruction.original, request.noCache)) out.stream(' ---> Using cache\n');
      return;
    }
    if (instruction.name === 'RUN') return this.runStep(instruction, state, request, out);
    if (instruction.name === 'COPY' || instruction.name === 'ADD') return this.copyStep(instruction, state, root, work, request, variables, dockerfile, results, out);
    throw new DockerfileError(`unknown instruction: ${instruction.name}`, instruction.line);
  }

  /** A config-only step as an image without a new layer; true when the cache had it. */
  private async commitConfig(state: StageState, config: BuildConfig, createdBy: string, noCache: boolean): Promise<boolean> {
    const key = cacheKey(state.imageId, `config ${createdBy}`, JSON.stringify(config));
    const cached = noCache ? undefined : this.cached(key);
    if (cached) {
      useCached(state, cached);
      return true;
    }
    await this.store(state, config, [], `/bin/sh -c #(nop) ${createdBy}`, key);
    return false;
  }

  private async runStep(instruction: Instruction, state: StageState, request: BuildRequest, out: BuildOutput): Promise<void> {
    if (instruction.flags.mount || instruction.flags.network || instruction.flags.security) {
      throw new DockerfileError(`RUN --${Object.keys(instruction.flags)[0]} needs BuildKit, which berth's engine does not have`, instruction.line);
    }
    const shell = state.config.Shell ?? DEFAULT_SHELL;
    let command: string[];
    if (instruction.heredocs.length > 0) command = [...shell, instruction.heredocs.map((heredoc) => heredoc.body).join('')];
    else command = instruction.json ? [...instruction.json] : [...shell, instruction.text];
    // Build args reach the command as environment variables (ENV wins over an ARG of the same name).
    const argEnv = Object.entries(state.args).filter(([name]) => !(name in envMap(state.config.Env))).map(([name, value]) => `${name}=${value}`);
    // The limits a RUN step ran under can change what it made: they are part of its key.
    const key = cacheKey(state.imageId, `run ${JSON.stringify(command)} ${JSON.stringify(request.ulimits)}`, argEnv.join('\n'));
    const cached = request.noCache ? undefined : this.cached(key);
    if (cached) {
      out.stream(' ---> Using cache\n');
      useCached(state, cached);
      return;
    }
    if (!state.imageId) throw new DockerfileError('RUN needs a shell or a program in the image, and scratch has none', instruction.line);
    const { containers } = this.services;
    const container = await containers.create(
      {
        Image: state.imageId,
        Cmd: command,
        Entrypoint: [],
        Env: [...state.config.Env, ...argEnv],
        WorkingDir: state.config.WorkingDir ?? '',
        User: state.config.User ?? '',
        Labels: {},
        HostConfig: {
          NetworkMode: request.networkMode || 'default',
          ...(request.shmSize ? { ShmSize: request.shmSize } : {}),
          ...(request.extraHosts.length > 0 ? { ExtraHosts: [...request.extraHosts] } : {}),
          ...(request.ulimits.length > 0 ? { Ulimits: [...request.ulimits] } : {}),
        },
      },
      null,
    );
    out.stream(` ---> Running in ${short(container.id)}\n`);
    try {
      const exited = containers.wait(container.id, 'next-exit');
      let running = true;
      const follower = readLog(this.services.layout.log(container.id), { stdout: true, stderr: true }, (entry) => out.stream(entry.log), true, () => running);
      await containers.start(container.id);
      const code = await exited;
      running = false;
      follower.wake();
      await follower.done;
      if (code !== 0) throw new EngineError('invalid', `The command '${command.join(' ')}' returned a non-zero code: ${code}`);
      const layer = await containerLayer(this.services, container.id, false);
      try {
        await this.store(state, state.config, [layer], command.join(' '), key);
      } finally {
        layer.remove();
      }
    } finally {
      const failure = await removeIntermediate(containers, container.id);
      out.stream(failure ? `Could not remove intermediate container ${short(container.id)}: ${failure}\n` : `Removing intermediate container ${short(container.id)}\n`);
    }
  }

  private async copyStep(
    instruction: Instruction,
    state: StageState,
    root: string,
    work: string,
    request: BuildRequest,
    variables: Record<string, string>,
    dockerfile: Dockerfile,
    results: Map<number, StageState>,
    out: BuildOutput,
  ): Promise<void> {
    const isAdd = instruction.name === 'ADD';
    for (const flag of Object.keys(instruction.flags)) {
      if (!['from', 'chown', 'chmod', 'link'].includes(flag)) throw new DockerfileError(`unknown flag: --${flag}`, instruction.line);
    }
    const words = (instruction.json ?? splitWords(instruction.text)).map((word) => expand(word, variables));
    if (words.length < 2) throw new DockerfileError(`${instruction.name} requires at least two arguments`, instruction.line);
    const destination = words[words.length - 1]!;
    const names = words.slice(0, -1);
    const heredocs = new Map(instruction.heredocs.map((heredoc) => [`<<${heredoc.name}`, heredoc.body]));
    if (isAdd && names.some((name) => /^[a-z]+:\/\//i.test(name))) {
      throw new DockerfileError('ADD from a URL needs the engine to fetch from the network, which berth\'s engine does not do: download the file into the build context', instruction.line);
    }
    // The files come from the context, another stage, or an image (--from).
    const from = instruction.flags.from ? expand(instruction.flags.from, variables) : undefined;
    const mounted = from ? await this.mountSource(from, dockerfile, results, work, instruction, request, out) : undefined;
    try {
      const sourceRoot = mounted ?? root;
      const heredocNames = names.filter((name) => heredocs.has(name));
      const sources = resolveSources(sourceRoot, names.filter((name) => !heredocs.has(name)), instruction.name, instruction.line);
      // The destination in the image's terms: `..` cannot climb above its root (nor out of the layer made below).
      const target = posix.resolve(state.config.WorkingDir || '/', destination);
      const intoDirectory = destination.endsWith('/') || names.length > 1 || sources.some((source) => source.isDirectory) || isDirectoryInImage(this.layers(state), target);
      const checksum = contentChecksum(sources) + [...heredocNames].map((name) => heredocs.get(name)).join('\0');
      const key = cacheKey(state.imageId, `${instruction.name} ${JSON.stringify(instruction.flags)} ${JSON.stringify(words)} ${target}`, checksum);
      const cached = request.noCache ? undefined : this.cached(key);
      if (cached) {
        out.stream(' ---> Using cache\n');
        useCached(state, cached);
        return;
      }
      const layerDir = join(work, `layer-${randomBytes(4).toString('hex')}`);
      mkdirSync(layerDir);
      // Owner root unless --chown says otherwise (names looked up in the image's own files); modes per --chmod.
      const chmod = instruction.flags.chmod;
      if (chmod !== undefined && !/^[0-7]{3,4}$/.test(chmod)) throw new DockerfileError(`invalid --chmod: ${chmod}`, instruction.line);
      await writeCopyLayer(layerDir, {
        sources,
        target,
        intoDirectory,
        unpackArchives: isAdd,
        heredocs: heredocNames.map((name) => ({ name: name.slice(2), body: heredocs.get(name)! })),
        owner: instruction.flags.chown ? this.owner(state, expand(instruction.flags.chown, variables), instruction) : { uid: 0, gid: 0 },
        ...(chmod !== undefined ? { mode: parseInt(chmod, 8) } : {}),
      });
      keepParentMetadata(this.layers(state), layerDir, target);
      const layer = await tarLayer(layerDir, `${layerDir}.tar`);
      rmSync(layerDir, { recursive: true, force: true });
      await this.store(state, state.config, [layer], `/bin/sh -c #(nop) ${instruction.original}`, key);
    } finally {
      if (mounted && isMountPoint(mounted)) await mustRun('umount', [mounted]);
    }
  }

  /** COPY --from: a stage's or an image's files, mounted read-only (overlay of its layers). */
  private async mountSource(from: string, dockerfile: Dockerfile, results: Map<number, StageState>, work: string, instruction: Instruction, request: BuildRequest, out: BuildOutput): Promise<string> {
    const index = stageReference(dockerfile, from, Number.POSITIVE_INFINITY);
    let image: ImageConfig;
    if (index !== undefined) {
      const result = results.get(index);
      if (!result) throw new DockerfileError(`COPY --from=${from}: that stage comes later, or refers to this one (a cycle)`, instruction.line);
      image = result.image;
    } else {
      const found = await this.baseImage(from, request, out);
      if (!found) throw new DockerfileError(`COPY --from=${from}: no stage or image of that name in berth's engine`, instruction.line);
      image = found.config;
    }
    const layers = image.rootfs.diff_ids.map((diffId) => this.services.layout.layer(diffId.slice(7)));
    if (layers.length === 1) return layers[0]!;
    const target = join(work, `from-${randomBytes(4).toString('hex')}`);
    mkdirSync(target, { recursive: true });
    if (layers.length === 0) return target;
    await mustRun('mount', ['-t', 'overlay', 'overlay', '-o', `ro,lowerdir=${[...layers].reverse().join(':')}`, target]);
    return target;
  }

  /** `user[:group]` for --chown: numbers as they are, names from the image's /etc/passwd and /etc/group. */
  private owner(state: StageState, spec: string, instruction: Instruction): { uid: number; gid: number } {
    const [user = '', group] = spec.split(':');
    if (/^\d+$/.test(user) && (group === undefined || /^\d+$/.test(group))) return { uid: Number(user), gid: Number(group ?? user) };
    try {
      const layers = this.layers(state);
      const { uid, gid } = userFromFiles(imageFile(layers, 'etc/passwd'), imageFile(layers, 'etc/group'), spec);
      return { uid, gid };
    } catch (error) {
      throw new DockerfileError(`--chown=${spec}: ${(error as Error).message}`, instruction.line);
    }
  }

  private layers(state: StageState): string[] {
    return state.image.rootfs.diff_ids.map((diffId) => this.services.layout.layer(diffId.slice(7)));
  }

  private cached(key: string): ImageRecord | undefined {
    const id = this.cache()[key];
    return id ? this.services.images.tryResolve(id) : undefined;
  }

  private cache(): Record<string, string> {
    return readJsonFile<Record<string, string>>(this.cacheFile()) ?? {};
  }

  private cacheFile(): string {
    return join(this.services.layout.root, 'image', 'build-cache.json');
  }

  /** Stores the step's image (its config, history and any new layer) and records it in the cache. */
  private async store(state: StageState, config: BuildConfig, layers: ReadonlyArray<{ tar: string; diffId: string }>, createdBy: string, key: string): Promise<void> {
    const created = new Date().toISOString();
    const image: ImageConfig = {
      ...state.image,
      architecture: 'amd64',
      os: 'linux',
      created,
      ...(state.author ? { author: state.author } : {}),
      config: config as ImageConfig['config'],
      rootfs: { type: 'layers', diff_ids: [...state.image.rootfs.diff_ids, ...layers.map((layer) => layer.diffId)] },
      history: [...(state.image.history ?? []), { created, created_by: createdBy, ...(layers.length === 0 ? { empty_layer: true } : {}) }],
    };
    const id = await this.services.images.storeIntermediate(Buffer.from(JSON.stringify(image)), layers.map((layer) => layer.tar));
    writeJsonAtomic(this.cacheFile(), { ...this.cache(), [key]: id });
    Object.assign(state, { imageId: id, image, config });
  }
}

function stateOf(record: ImageRecord): StageState {
  const defaults = record.config.config ?? {};
  return {
    imageId: record.id,
    image: record.config,
    config: { ...(defaults as BuildConfig), Env: [...(defaults.Env ?? [])], Labels: { ...(defaults.Labels ?? {}) } },
    args: {},
    cmdSetHere: false,
  };
}

/** A cache hit: the stage goes on from the cached image; what the stage itself declared (ARGs, CMD, author) stays. */
function useCached(state: StageState, cached: ImageRecord): void {
  const { imageId, image, config } = stateOf(cached);
  Object.assign(state, { imageId, image, config });
}

/** ARG name[=default]: its value from the build args, else the default, else (a global redeclared) the global's. */
function declareArg(instruction: Instruction, buildArgs: Readonly<Record<string, string | null>>, inherited: Record<string, string>): [string, string | undefined] {
  const text = instruction.text.trim();
  const equals = text.indexOf('=');
  const name = equals < 0 ? text : text.slice(0, equals);
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new DockerfileError(`invalid ARG name: ${name}`, instruction.line);
  const fallback = equals < 0 ? inherited[name] : keyValues(text, false, instruction.line)[0]![1];
  const given = buildArgs[name];
  return [name, given !== undefined && given !== null ? given : fallback];
}

/** The stage an earlier FROM or a --from names (by name or number), if any. */
function stageReference(dockerfile: Dockerfile, reference: string, before: number): number | undefined {
  const lower = reference.toLowerCase();
  const byName = dockerfile.stages.find((stage) => stage.name === lower && stage.index < before);
  if (byName) return byName.index;
  if (/^\d+$/.test(reference) && Number(reference) < Math.min(before, dockerfile.stages.length)) return Number(reference);
  return undefined;
}

/** The target stage and the stages it needs (its FROM chain and COPY --from), in Dockerfile order. */
function neededStages(dockerfile: Dockerfile, target: string | undefined, globals: Record<string, string>): Stage[] {
  let last = dockerfile.stages[dockerfile.stages.length - 1]!;
  if (target) {
    const found = dockerfile.stages.find((stage) => stage.name === target.toLowerCase());
    if (!found) throw new EngineError('invalid', `failed to reach build target ${target} in Dockerfile`);
    last = found;
  }
  const needed = new Set<number>();
  const visit = (stage: Stage): void => {
    if (needed.has(stage.index)) return;
    needed.add(stage.index);
    const base = stageReference(dockerfile, expand(stage.from.text.split(/\s+/)[0]!, globals), stage.index);
    if (base !== undefined) visit(dockerfile.stages[base]!);
    for (const instruction of stage.instructions) {
      const from = instruction.flags.from;
      if (!from || (instruction.name !== 'COPY' && instruction.name !== 'ADD')) continue;
      const index = stageReference(dockerfile, from, Number.POSITIVE_INFINITY);
      if (index === stage.index) throw new DockerfileError(`COPY --from=${from} refers to its own stage (a cycle)`, instruction.line);
      if (index !== undefined && index > stage.index) throw new DockerfileError(`COPY --from=${from} refers to a later stage (a cycle)`, instruction.line);
      if (index !== undefined) visit(dockerfile.stages[index]!);
    }
  };
  visit(last);
  return dockerfile.stages.filter((stage) => needed.has(stage.index));
}

function envMap(env: readonly string[]): Record<string, string> {
  return Object.fromEntries(env.map((entry) => [entry.slice(0, entry.indexOf('=') < 0 ? entry.length : entry.indexOf('=')), entry.includes('=') ? entry.slice(entry.indexOf('=') + 1) : '']));
}

function cacheKey(parent: string, instruction: string, content: string): string {
  return createHash('sha256').update(`${parent}\n${instruction}\n${content}`).digest('hex');
}

function short(id: string): string {
  return id.replace(/^sha256:/, '').slice(0, 12) || 'scratch';
}

/**
 * Removes a RUN step's container, trying again a few times: just after its exit the container's mounts can still be
 * busy for a moment on a loaded machine, and a build must not leave its containers behind. Says why when it cannot.
 */
async function removeIntermediate(containers: ContainerService, id: string): Promise<string | undefined> {
  let why = '';
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      await containers.remove(id, true, true);
      return undefined;
    } catch (error) {
      if (error instanceof EngineError && error.kind === 'not-found') return undefined;
      // Not an engine error: its text may name host paths, which a build's output never shows.
      why = error instanceof EngineError ? error.message : 'the engine could not remove it';
      await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
    }
  }
  return why;
}
