// A plan: the operations that take the engine from what it runs to what the files (or the command) say, each one
// Engine API call, each with the reason it is there, in a graph of what must happen before what. One variant per
// kind of operation, carrying exactly what its handler needs: the executor has a handler for each kind, and the
// renderer a text for each, so that a new kind without either does not compile.
import type { ServiceConfig } from '../model/types.js';
import type { ObservedContainer } from '../observe/observe.js';

/** An existing container an operation acts on (its id, or the name the engine knows it by). */
export type ContainerRef = Pick<ObservedContainer, 'id' | 'name' | 'service' | 'number'>;

interface Step {
  /** Compose's resource id: `service:web:1`, `network:default`, `volume:data`, `image:demo-web`. */
  readonly resource: string;
  /** Why the operation is in the plan ("configuration changed", "not found", "down -v"). */
  readonly cause: string;
}

export interface CreateNetwork extends Step {
  readonly kind: 'create-network';
  /** The compose key (its configuration is the project's). */
  readonly key: string;
  readonly name: string;
}

export interface RemoveNetwork extends Step {
  readonly kind: 'remove-network';
  /** The engine's id (names need not be unique on dockerd). */
  readonly id: string;
  readonly name: string;
}

export interface ConnectNetwork extends Step {
  readonly kind: 'connect-network';
  readonly name: string;
  readonly container: ContainerRef;
}

export interface DisconnectNetwork extends Step {
  readonly kind: 'disconnect-network';
  readonly name: string;
  readonly container: ContainerRef;
}

export interface CreateVolume extends Step {
  readonly kind: 'create-volume';
  readonly key: string;
  readonly name: string;
}

export interface RemoveVolume extends Step {
  readonly kind: 'remove-volume';
  readonly name: string;
}

export interface PullImage extends Step {
  readonly kind: 'pull-image';
  readonly service: string;
  readonly reference: string;
  readonly platform?: string;
  readonly onFailure: PullFallback;
}

/**
 * What a failed pull means: the command fails; a warning, and the run goes on (the engine has a copy that will do,
 * or failures are ignored); or the image is built instead (the service says how, and --no-build is not given).
 */
export type PullFallback = { readonly kind: 'fail' } | { readonly kind: 'warn' } | { readonly kind: 'build'; readonly flags: BuildFlags };

/** What the command line adds to every build (`build --build-arg`, `--no-cache`, `--pull`). */
export interface BuildFlags {
  readonly args?: Readonly<Record<string, string>>;
  readonly noCache?: boolean;
  readonly pullBase?: boolean;
}

export interface BuildImage extends Step {
  readonly kind: 'build-image';
  /** The service whose build section says how. */
  readonly service: string;
  readonly reference: string;
  readonly flags: BuildFlags;
}

export interface PushImage extends Step {
  readonly kind: 'push-image';
  readonly service: string;
  readonly reference: string;
  /** `push --ignore-push-failures`: a failed push is a warning. */
  readonly onFailure: 'fail' | 'warn';
}

export interface RemoveImage extends Step {
  readonly kind: 'remove-image';
  readonly reference: string;
}

export interface CreateContainer extends Step {
  readonly kind: 'create-container';
  readonly service: string;
  readonly number: number;
  /** The name to create it under (a temporary one when it replaces a container). */
  readonly name: string;
  /** On recreate: the container replaced (named in the new one's labels). */
  readonly replaces?: ContainerRef;
  /** On recreate: the container whose anonymous volumes the new one keeps. */
  readonly inherited?: ObservedContainer;
}

export interface RenameContainer extends Step {
  readonly kind: 'rename-container';
  /** The create node whose container is renamed. */
  readonly createNode: number;
  readonly name: string;
  readonly service: string;
}

export interface StartContainer extends Step {
  readonly kind: 'start-container';
  readonly container: ContainerRef;
}

/** A dependency's container waited for, as a dependent's depends_on condition says. */
export interface WaitContainer extends Step {
  readonly kind: 'wait-container';
  readonly container: ContainerRef;
  readonly condition: 'service_healthy' | 'service_completed_successfully';
  /** false: a failure is a warning (depends_on ... required: false). */
  readonly required: boolean;
}

export interface StopContainer extends Step {
  readonly kind: 'stop-container';
  readonly container: ContainerRef;
  /** Seconds before the engine kills it: `-t`, else the service's stop_grace_period; absent: the container's own. */
  readonly timeout?: number;
}

export interface RestartContainer extends Step {
  readonly kind: 'restart-container';
  readonly container: ContainerRef;
  readonly timeout?: number;
}

export interface KillContainer extends Step {
  readonly kind: 'kill-container';
  readonly container: ContainerRef;
  readonly signal: string;
}

export interface PauseContainer extends Step {
  readonly kind: 'pause-container';
  readonly container: ContainerRef;
}

export interface UnpauseContainer extends Step {
  readonly kind: 'unpause-container';
  readonly container: ContainerRef;
}

/** A lifecycle hook's command run in a container (post_start after it starts, pre_stop before it stops). */
export interface RunHook extends Step {
  readonly kind: 'run-hook';
  readonly container: ContainerRef;
  readonly hook: 'post_start' | 'pre_stop';
  /** Its place in the service's list (1-based), to name it. */
  readonly index: number;
  readonly command: readonly string[];
  readonly user?: string;
  readonly privileged?: boolean;
  readonly workingDir?: string;
  /** `KEY=VALUE`, added to the container's own. */
  readonly environment: readonly string[];
  /** `fail`: a non-zero exit fails the plan (post_start); `warn`: it is reported and the plan goes on (pre_stop). */
  readonly onFailure: 'fail' | 'warn';
}

/** `berth run`'s one-off container, created with the command line's overrides (src/plan/run.ts oneOffService). */
export interface CreateOneOff extends Step {
  readonly kind: 'create-one-off';
  /** The one-off as a container the later operations name (its id is the name: it is not created yet). */
  readonly container: ContainerRef;
  /** The service's configuration with run's overrides on top. */
  readonly config: ServiceConfig;
  /** compose's `com.docker.compose.slug`. */
  readonly slug: string;
  /** --rm: the engine removes it once it exits (AutoRemove, as `docker run --rm`). */
  readonly autoRemove: boolean;
  /** Its stdin kept open and attached once (not with -d). */
  readonly interactive: boolean;
  /** --use-aliases: the service's network aliases on its endpoints. */
  readonly useAliases: boolean;
}

/** The one-off started: attached to the terminal first (so that nothing it writes is missed), or detached (-d). */
export interface StartOneOff extends Step {
  readonly kind: 'start-one-off';
  readonly container: ContainerRef;
  readonly attach: boolean;
  /** Removed again when it could not be started (--rm). */
  readonly autoRemove: boolean;
}

/** The attached one-off followed until it exits: its exit code is the command's. */
export interface WaitOneOff extends Step {
  readonly kind: 'wait-one-off';
  readonly container: ContainerRef;
}

/** --rm: the exited one-off gone (the engine's AutoRemove, or removed here when the engine left it). */
export interface RemoveOneOff extends Step {
  readonly kind: 'remove-one-off';
  readonly container: ContainerRef;
}

export interface RemoveContainer extends Step {
  readonly kind: 'remove-container';
  readonly container: ContainerRef;
  /** Its anonymous volumes go too (`down -v`, `rm -v`). */
  readonly volumes: boolean;
}

export type Operation =
  | CreateNetwork
  | RemoveNetwork
  | ConnectNetwork
  | DisconnectNetwork
  | CreateVolume
  | RemoveVolume
  | PullImage
  | BuildImage
  | PushImage
  | RemoveImage
  | CreateContainer
  | RenameContainer
  | StartContainer
  | WaitContainer
  | StopContainer
  | RestartContainer
  | KillContainer
  | PauseContainer
  | UnpauseContainer
  | RunHook
  | RemoveContainer
  | CreateOneOff
  | StartOneOff
  | WaitOneOff
  | RemoveOneOff;

export type OperationKind = Operation['kind'];
export type OperationOf<K extends OperationKind> = Extract<Operation, { readonly kind: K }>;

export interface PlanNode {
  readonly id: number;
  readonly operation: Operation;
  readonly dependsOn: readonly number[];
  /** Operations that together make one user-visible step ("recreate:web:1"). */
  readonly group?: string;
}

export interface Plan {
  readonly nodes: readonly PlanNode[];
  /** Services that cannot be brought up, with why (a missing external network, a failed dependency). */
  readonly blocked: Readonly<Record<string, string>>;
  readonly warnings: readonly string[];
}
