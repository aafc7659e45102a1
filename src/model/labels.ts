// The labels compose puts on what it creates, and the names it gives: berth uses the same, so that either tool can
// pick up where the other left off.
export const LABEL = {
  project: 'com.docker.compose.project',
  service: 'com.docker.compose.service',
  number: 'com.docker.compose.container-number',
  oneoff: 'com.docker.compose.oneoff',
  configHash: 'com.docker.compose.config-hash',
  dependsOn: 'com.docker.compose.depends_on',
  image: 'com.docker.compose.image',
  workingDir: 'com.docker.compose.project.working_dir',
  configFiles: 'com.docker.compose.project.config_files',
  environmentFile: 'com.docker.compose.project.environment_file',
  version: 'com.docker.compose.version',
  network: 'com.docker.compose.network',
  volume: 'com.docker.compose.volume',
  replace: 'com.docker.compose.replace',
  slug: 'com.docker.compose.slug',
  imageBuilder: 'com.docker.compose.image.builder',
} as const;

/** `<project>-<service>-<n>`, or with `_` as docker-compose 1.x named them (`--compatibility`). */
export function containerName(project: string, service: string, number: number, options: { containerName?: string; compatibility?: boolean } = {}): string {
  if (options.containerName) return options.containerName;
  const separator = options.compatibility ? '_' : '-';
  return [project, service, String(number)].join(separator);
}

export function projectFilter(project: string): Record<string, string[]> {
  return { label: [`${LABEL.project}=${project}`] };
}

/**
 * The project's service containers, as compose's convergence lists them (oneoff=False): not a container that merely
 * inherited the project's labels from a built image (a classic builder's RUN step, a `docker run` of the image).
 */
export function serviceContainersFilter(project: string, service?: string): Record<string, string[]> {
  return { label: [`${LABEL.project}=${project}`, `${LABEL.oneoff}=False`, ...(service ? [`${LABEL.service}=${service}`] : [])] };
}

export interface ContainerLabelInputs {
  readonly project: string;
  readonly service: string;
  readonly number: number;
  readonly configHash: string;
  readonly imageDigest: string;
  readonly workingDir: string;
  readonly configFiles: readonly string[];
  readonly envFiles?: readonly string[];
  readonly version: string;
  /** `name:condition:restart` per dependency. */
  readonly dependsOn: readonly string[];
  /** On recreate: the name of the container replaced. */
  readonly replaces?: string;
  readonly userLabels?: Readonly<Record<string, string>>;
}

/** The labels of a service container, as compose writes them. */
export function containerLabels(inputs: ContainerLabelInputs): Record<string, string> {
  return {
    ...inputs.userLabels,
    [LABEL.project]: inputs.project,
    [LABEL.service]: inputs.service,
    [LABEL.version]: inputs.version,
    [LABEL.workingDir]: inputs.workingDir,
    [LABEL.configFiles]: inputs.configFiles.join(','),
    [LABEL.oneoff]: 'False',
    ...(inputs.envFiles && inputs.envFiles.length > 0 ? { [LABEL.environmentFile]: inputs.envFiles.join(',') } : {}),
    [LABEL.configHash]: inputs.configHash,
    [LABEL.number]: String(inputs.number),
    [LABEL.dependsOn]: inputs.dependsOn.join(','),
    ...(inputs.imageDigest ? { [LABEL.image]: inputs.imageDigest } : {}),
    ...(inputs.replaces ? { [LABEL.replace]: inputs.replaces } : {}),
  };
}
