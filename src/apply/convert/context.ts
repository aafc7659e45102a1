// What a converter needs besides the service: names and ids the planner has already settled. Converters never ask
// the engine anything; everything that depends on engine state arrives here.
import type { ContainerCreateBody, EndpointSettingsBody } from '../../engine-api/index.js';
import type { Dict } from '../../model/tree.js';

/** A container of another service, as the planner observed (or has just created) it. */
export interface ContainerRef {
  readonly id: string;
  /** Without the leading slash the engine puts on names. */
  readonly name: string;
}

/** A mount of the container being replaced, as `docker inspect` lists it (`Mounts[]`). */
export interface InheritedMount {
  readonly type: string;
  /** The volume name, for `type: volume`. */
  readonly name?: string;
  readonly source: string;
  readonly destination: string;
  readonly rw: boolean;
}

export interface ContainerPlanContext {
  readonly projectName: string;
  readonly serviceName: string;
  /** The name the container is created with (container_name or `<project>-<service>-<number>`). */
  readonly containerName: string;
  readonly number: number;
  /** The full label set, computed by the planner (service labels plus com.docker.compose.*); sent as is. */
  readonly labels: Readonly<Record<string, string>>;
  /** Compose network key -> engine network name. */
  readonly networkNames: Readonly<Record<string, string>>;
  /** Compose volume key -> engine volume name. */
  readonly volumeNames: Readonly<Record<string, string>>;
  /**
   * Containers of other services, in the order compose would pick them (the first one is used for `service:x`
   * references; all are linked for `links`).
   */
  readonly containersByService?: Readonly<Record<string, readonly ContainerRef[]>>;
  /** Overrides the network chosen by priority as the one the container is created on. */
  readonly primaryNetwork?: string;
  /** The negotiated Engine API version, e.g. "1.47". */
  readonly apiVersion: string;
  /** The image reference to create from; defaults to `image`, else `<project>-<service>`. */
  readonly image?: string;
  /** Network aliases besides the container name (service name + configured aliases); compose `run` turns it off. */
  readonly useNetworkAliases?: boolean;
  /** The engine's OS; keys that only Windows engines honour are warned about elsewhere. Defaults to linux. */
  readonly engineOs?: string;
  /** On recreate: the replaced container's mounts, so that anonymous volumes keep their data. */
  readonly inherited?: {
    readonly mounts: readonly InheritedMount[];
    /** Targets the image declares as VOLUME. */
    readonly imageVolumes?: readonly string[];
  };
  /** Reads a seccomp profile named by `security_opt` (an absolute path); without it the option is sent as written. */
  readonly readFile?: (path: string) => string;
  /** The project directory, to resolve a relative seccomp profile path. */
  readonly workingDir?: string;
  /** The project's top-level `secrets` and `configs` definitions (file secrets are bind-mounted). */
  readonly secrets?: Readonly<Record<string, Dict>>;
  readonly configs?: Readonly<Record<string, Dict>>;
}

export interface ExtraNetwork {
  /** Engine network name. */
  readonly network: string;
  readonly endpointConfig: EndpointSettingsBody;
}

export interface ContainerCreateRequest {
  readonly name: string;
  readonly body: ContainerCreateBody;
  /** `platform` query parameter of `POST /containers/create`, when the service sets one. */
  readonly platform?: string;
  readonly warnings: readonly string[];
  /** Networks to connect after create: engines before API 1.44 take a single endpoint at create. */
  readonly extraNetworks: readonly ExtraNetwork[];
}
