// A service container created as the plan says: its labels (the config hash, the image it runs, what it replaces),
// the create request from the converters, its environment/content secrets and configs written in, then its extra
// networks. `service:` references resolve to the containers
// the run knows now, including ones it has just created.
import { readFileSync } from 'node:fs';
import { serviceConfigHash } from '../model/hash.js';
import type { Dict } from '../model/tree.js';
import type { ServiceConfig } from '../model/types.js';
import { serviceImage } from '../observe/observe.js';
import { containerLabels, LABEL } from '../model/labels.js';
import type { ContainerCreateBody } from '../engine-api/index.js';
import { resolveServiceReferences } from '../plan/reconcile.js';
import type { CreateContainer, CreateOneOff } from '../plan/types.js';
import { buildContainerCreateRequest } from './convert/index.js';
import type { ContainerPlanContext } from './convert/index.js';
import { inlineObjectFiles } from './convert/secrets.js';
import { writeInlineFiles } from './inline-files.js';
import type { Run, RunState } from './run.js';

/** Returns the new container's id. */
export async function createContainer(operation: CreateContainer, run: Run): Promise<string> {
  const { ctx, state } = run;
  const service = resolveServiceReferences(ctx.project.services[operation.service]!, state.containersByService);
  const inherited = operation.inherited;
  const image = serviceImage(ctx.project.name, service);
  const id = await createServiceContainer(run, service, {
    name: operation.name,
    number: operation.number,
    ...(operation.replaces ? { replaces: operation.replaces.name } : {}),
    useNetworkAliases: true,
    ...(inherited ? { inherited: { mounts: inherited.mounts, imageVolumes: await imageVolumes(image, run) } } : {}),
  });
  (state.containersByService[service.name] ??= []).push({ id, name: operation.name });
  return id;
}

/**
 * `berth run`'s one-off: the service's configuration with the command line's overrides, compose's one-off labels
 * (oneoff=True, the slug), its stdin open for one attach, removed by the engine once it exits with --rm. It is not
 * one of the service's containers: `service:` references and links do not reach it.
 */
export async function createOneOff(operation: CreateOneOff, run: Run): Promise<string> {
  const service = resolveServiceReferences(operation.config, run.state.containersByService);
  // It links to its service's running containers only (as docker-compose 1.x did): on the default bridge a link to a
  // stopped one would refuse the start, and elsewhere it has no address to give.
  const running = new Set((run.ctx.observed?.containers ?? []).filter((container) => container.state === 'running').map((container) => container.id));
  const own = run.state.containersByService[service.name] ?? [];
  return createServiceContainer(run, service, {
    containersByService: { ...run.state.containersByService, [service.name]: own.filter((container) => running.has(container.id)) },
    name: operation.container.name,
    number: 1,
    extraLabels: { [LABEL.oneoff]: 'True', [LABEL.slug]: operation.slug },
    useNetworkAliases: operation.useAliases,
    adjust: (body) => {
      // As docker run: the input is attached once and closed with the client's; --rm is the engine's AutoRemove.
      if (operation.interactive) Object.assign(body, { OpenStdin: true, StdinOnce: true, AttachStdin: true });
      if (operation.autoRemove) body.HostConfig = { ...body.HostConfig, AutoRemove: true };
    },
  });
}

interface CreateSettings {
  /** What `service:` references and links reach (default: the run's containers by service). */
  readonly containersByService?: RunState['containersByService'];
  readonly name: string;
  readonly number: number;
  /** The container a recreate replaces (named in the labels). */
  readonly replaces?: string;
  readonly extraLabels?: Readonly<Record<string, string>>;
  readonly useNetworkAliases: boolean;
  readonly inherited?: ContainerPlanContext['inherited'];
  /** Last changes to the request body. */
  readonly adjust?: (body: ContainerCreateBody) => void;
}

/** The labels, the create request from the converters, the inline secrets and configs, the extra networks. */
async function createServiceContainer({ ctx, state }: Run, service: ServiceConfig, settings: CreateSettings): Promise<string> {
  const { engine, project } = ctx;
  const image = serviceImage(project.name, service);
  const labels = {
    ...containerLabels({
      project: project.name,
      service: service.name,
      number: settings.number,
      configHash: serviceConfigHash(service as unknown as Dict),
      imageDigest: ctx.observed?.images[image] ?? '',
      workingDir: project.workingDir,
      configFiles: project.configFiles,
      ...(ctx.envFiles ? { envFiles: ctx.envFiles } : {}),
      version: ctx.version,
      dependsOn: dependsOnLabel(service),
      ...(settings.replaces ? { replaces: settings.replaces } : {}),
      ...(service.labels ? { userLabels: service.labels } : {}),
    }),
    ...settings.extraLabels,
  };
  const request = buildContainerCreateRequest(service, {
    projectName: project.name,
    serviceName: service.name,
    containerName: settings.name,
    number: settings.number,
    labels,
    networkNames: Object.fromEntries(Object.entries(project.networks).map(([key, network]) => [key, network.name ?? `${project.name}_${key}`])),
    volumeNames: Object.fromEntries(Object.entries(project.volumes).map(([key, volume]) => [key, volume.name ?? `${project.name}_${key}`])),
    containersByService: settings.containersByService ?? state.containersByService,
    apiVersion: engine.apiVersion,
    image,
    useNetworkAliases: settings.useNetworkAliases,
    engineOs: engine.os,
    ...(settings.inherited ? { inherited: settings.inherited } : {}),
    readFile: (path) => readFileSync(path, 'utf8'),
    workingDir: project.workingDir,
    secrets: project.secrets,
    configs: project.configs,
  });
  for (const warning of request.warnings) ctx.warn(warning);
  // Checked before the create: a missing variable leaves no container behind.
  const inline = inlineObjectFiles(service, project);
  settings.adjust?.(request.body);
  const created = await engine.containers.create(request.name, request.body, request.platform);
  for (const warning of created.warnings) ctx.warn(warning);
  await writeInlineFiles(engine, created.id, inline);
  for (const extra of request.extraNetworks) await engine.networks.connect(extra.network, created.id, extra.endpointConfig);
  return created.id;
}

function imageVolumes(image: string, { ctx, state }: Pick<Run, 'ctx' | 'state'>): Promise<readonly string[]> {
  let found = state.imageVolumes.get(image);
  if (!found) {
    found = ctx.engine.images.inspect(image).then((details) => details?.volumes ?? []);
    state.imageVolumes.set(image, found);
  }
  return found;
}

/** `db:service_healthy:false,...`: compose records each dependency on the container. */
export function dependsOnLabel(service: ServiceConfig): string[] {
  return Object.entries(service.depends_on ?? {})
    .map(([name, dependency]) => `${name}:${dependency.condition}:${dependency.restart ?? false}`)
    .sort();
}
