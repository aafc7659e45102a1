// A service container created as the plan says: its labels (the config hash, the image it runs, what it replaces),
// the create request from the converters, its environment/content secrets and configs written in, then its extra
// networks. `service:` references resolve to the containers
// the run knows now, including ones it has just created.
import { readFileSync } from 'node:fs';
import { serviceConfigHash } from '../model/hash.js';
import type { Dict } from '../model/tree.js';
import type { ServiceConfig } from '../model/types.js';
import { serviceImage } from '../observe/observe.js';
import { containerLabels } from '../model/labels.js';
import { resolveServiceReferences } from '../plan/reconcile.js';
import type { CreateContainer } from '../plan/types.js';
import { buildContainerCreateRequest } from './convert/index.js';
import { inlineObjectFiles } from './convert/secrets.js';
import { writeInlineFiles } from './inline-files.js';
import type { Run } from './run.js';

/** Returns the new container's id. */
export async function createContainer(operation: CreateContainer, { ctx, state }: Run): Promise<string> {
  const { engine, project } = ctx;
  const service = resolveServiceReferences(project.services[operation.service]!, state.containersByService);
  const image = serviceImage(project.name, service);
  const inherited = operation.inherited;
  const labels = containerLabels({
    project: project.name,
    service: service.name,
    number: operation.number,
    configHash: serviceConfigHash(service as unknown as Dict),
    imageDigest: ctx.observed?.images[image] ?? '',
    workingDir: project.workingDir,
    configFiles: project.configFiles,
    ...(ctx.envFiles ? { envFiles: ctx.envFiles } : {}),
    version: ctx.version,
    dependsOn: dependsOnLabel(service),
    ...(operation.replaces ? { replaces: operation.replaces.name } : {}),
    ...(service.labels ? { userLabels: service.labels } : {}),
  });
  const request = buildContainerCreateRequest(service, {
    projectName: project.name,
    serviceName: service.name,
    containerName: operation.name,
    number: operation.number,
    labels,
    networkNames: Object.fromEntries(Object.entries(project.networks).map(([key, network]) => [key, network.name ?? `${project.name}_${key}`])),
    volumeNames: Object.fromEntries(Object.entries(project.volumes).map(([key, volume]) => [key, volume.name ?? `${project.name}_${key}`])),
    containersByService: state.containersByService,
    apiVersion: engine.apiVersion,
    image,
    useNetworkAliases: true,
    engineOs: engine.os,
    ...(inherited ? { inherited: { mounts: inherited.mounts, imageVolumes: await imageVolumes(image, { ctx, state }) } } : {}),
    readFile: (path) => readFileSync(path, 'utf8'),
    workingDir: project.workingDir,
    secrets: project.secrets,
    configs: project.configs,
  });
  for (const warning of request.warnings) ctx.warn(warning);
  // Checked before the create: a missing variable leaves no container behind.
  const inline = inlineObjectFiles(service, project);
  const created = await engine.containers.create(request.name, request.body, request.platform);
  for (const warning of created.warnings) ctx.warn(warning);
  await writeInlineFiles(engine, created.id, inline);
  for (const extra of request.extraNetworks) await engine.networks.connect(extra.network, created.id, extra.endpointConfig);
  (state.containersByService[service.name] ??= []).push({ id: created.id, name: request.name });
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
