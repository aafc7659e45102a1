// What the engine runs for a project, read in one pass before any decision: the project's service containers (and
// its one-offs, for `down`), networks and volumes found by label, the external ones and the images found by name.
import type { ContainerSummary, Engine, MountSummary } from '../engine-client/index.js';
import type { Project } from '../model/types.js';
import { LABEL, projectFilter, serviceContainersFilter } from '../model/labels.js';

export interface ObservedContainer {
  readonly id: string;
  readonly name: string;
  readonly service: string;
  readonly number: number;
  readonly oneoff: boolean;
  readonly state: string;
  readonly created: number;
  readonly configHash: string;
  readonly imageDigest: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Network name -> id. */
  readonly networks: Readonly<Record<string, string>>;
  readonly mounts: readonly MountSummary[];
  readonly image: string;
}

export interface ObservedResource {
  /** The key in the compose file (from the label), or the name for unlabelled ones. */
  readonly key: string;
  readonly id: string;
  readonly name: string;
  readonly configHash: string;
  /** The project that created it ("" when not created by compose). */
  readonly project: string;
}

export interface ObservedState {
  readonly project: string;
  readonly containers: readonly ObservedContainer[];
  /** By compose key. */
  readonly networks: Readonly<Record<string, ObservedResource>>;
  readonly volumes: Readonly<Record<string, ObservedResource>>;
  /** Image reference -> image id, for the images the services run (absent: not on the engine). */
  readonly images: Readonly<Record<string, string>>;
  /** Image reference -> when the engine last tagged it (ms), where it says: pull_policy daily/weekly/every_ need it. */
  readonly imagesTagged?: Readonly<Record<string, number>>;
}

export function toObservedContainer(summary: ContainerSummary): ObservedContainer {
  const labels = summary.labels;
  return {
    id: summary.id,
    name: summary.name,
    service: labels[LABEL.service] ?? '',
    number: Number(labels[LABEL.number] ?? 0) || 0,
    oneoff: (labels[LABEL.oneoff] ?? '').toLowerCase() === 'true',
    state: summary.state,
    created: summary.created,
    configHash: labels[LABEL.configHash] ?? '',
    imageDigest: labels[LABEL.image] ?? '',
    labels,
    networks: summary.networks,
    mounts: summary.mounts,
    image: summary.image,
  };
}

/** The image a service runs: its `image`, else the one berth builds for it. */
export function serviceImage(project: string, service: { readonly name: string; readonly image?: string }): string {
  return service.image && service.image !== '' ? service.image : `${project}-${service.name}`;
}

export interface ObserveOptions {
  /** List one-off containers (`run`) too: `down` removes them. */
  readonly oneoffs?: boolean;
}

/** The project's containers (service containers, and one-offs when asked), sorted by name. */
export async function observeContainers(engine: Engine, project: string, options: ObserveOptions = {}): Promise<ObservedContainer[]> {
  const found = await engine.containers.list(options.oneoffs ? projectFilter(project) : serviceContainersFilter(project), true);
  return found.map(toObservedContainer).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

export async function observeProject(engine: Engine, project: Project, options: ObserveOptions = {}): Promise<ObservedState> {
  const filter = projectFilter(project.name);
  // The images are asked for beside the lists: nothing about them depends on what the lists say.
  const references = new Set(Object.values(project.services).map((service) => serviceImage(project.name, service)));
  const [containers, networks, volumes, { images, tagged }] = await Promise.all([
    observeContainers(engine, project.name, options),
    engine.networks.list(filter),
    engine.volumes.list(filter),
    inspectImages(engine, [...references]),
  ]);
  const observedNetworks: Record<string, ObservedResource> = {};
  for (const network of networks) {
    const key = network.labels[LABEL.network];
    if (key) observedNetworks[key] = resource(key, network.id, network.name, network.labels);
  }
  const observedVolumes: Record<string, ObservedResource> = {};
  for (const volume of volumes) {
    const key = volume.labels[LABEL.volume];
    if (key) observedVolumes[key] = resource(key, volume.name, volume.name, volume.labels);
  }
  // Declared resources not found by label: external ones, and ones created by hand or by another project.
  const lookups: Array<Promise<void>> = [];
  for (const [key, network] of Object.entries(project.networks)) {
    if (key in observedNetworks) continue;
    const name = network.name ?? `${project.name}_${key}`;
    lookups.push(
      engine.networks.inspect(name).then((found) => {
        if (found) observedNetworks[key] = resource(key, found.id, found.name, found.labels);
      }),
    );
  }
  for (const [key, volume] of Object.entries(project.volumes)) {
    if (key in observedVolumes) continue;
    const name = volume.name ?? `${project.name}_${key}`;
    lookups.push(
      engine.volumes.inspect(name).then((found) => {
        if (found) observedVolumes[key] = resource(key, found.name, found.name, found.labels);
      }),
    );
  }
  await Promise.all(lookups);
  return {
    project: project.name,
    containers,
    networks: observedNetworks,
    volumes: observedVolumes,
    images,
    imagesTagged: tagged,
  };
}

function resource(key: string, id: string, name: string, labels: Readonly<Record<string, string>>): ObservedResource {
  return { key, id, name, configHash: labels[LABEL.configHash] ?? '', project: labels[LABEL.project] ?? '' };
}

/** Image reference -> id, for the references the engine has an image by. */
export async function observeImages(engine: Engine, references: readonly string[]): Promise<Record<string, string>> {
  return (await inspectImages(engine, references)).images;
}

/** Ids, and when the engine last tagged each (where it says), of the references it has an image by. */
async function inspectImages(engine: Engine, references: readonly string[]): Promise<{ images: Record<string, string>; tagged: Record<string, number> }> {
  const images: Record<string, string> = {};
  const tagged: Record<string, number> = {};
  await Promise.all(
    references.map(async (reference) => {
      const found = await engine.images.inspect(reference);
      if (found) images[reference] = found.id;
      if (found?.lastTagTime !== undefined) tagged[reference] = found.lastTagTime;
    }),
  );
  return { images, tagged };
}
