// A project brought up by the library: where its ports are, commands run in it, its output, waits on its
// services, its state, and taking it down (also by `await using`).
import './dispose.js';
import { serviceContainers } from '../apply/start.js';
import type { CollectedOutput, ContainerSummary, Engine } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import type { Project } from '../model/types.js';
import { observeProject } from '../observe/observe.js';
import { planDown } from '../plan/down.js';
import { LABEL } from '../model/labels.js';
import { containerLines } from './logs.js';
import type { LogLine, LogsOptions } from './logs.js';
import type { LibraryPlanRunner } from './plan-runner.js';
import { publishedAddress, urlOf } from './ports.js';
import type { Address, Protocol } from './ports.js';
import { waitOn } from './wait.js';
import type { WaitStrategy } from './wait.js';

export interface ContainerChoice {
  /** Which replica (1 unless told). */
  readonly index?: number;
}

export interface PortOptions extends ContainerChoice {
  readonly protocol?: Protocol;
}

export interface ExecOptions extends ContainerChoice {
  readonly user?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly workdir?: string;
}

export interface WaitOptions extends ContainerChoice {
  /** Milliseconds (60 000 unless told). */
  readonly timeout?: number;
}

export interface DownOptions {
  /** Also the named volumes the files declare and the containers' anonymous ones. */
  readonly volumes?: boolean;
  /** Seconds a container gets to stop before it is killed (its stop_grace_period unless told). */
  readonly timeout?: number;
}

export interface PublishedPort {
  readonly containerPort: number;
  readonly protocol: string;
  readonly host: string;
  readonly port: number;
}

/** A command's exit code and its output, stdout and stderr apart. */
export type ExecResult = CollectedOutput;

export interface ContainerStatus {
  readonly id: string;
  readonly name: string;
  readonly index: number;
  /** `running`, `exited`, `created`, ... as the engine says. */
  readonly state: string;
  /** `starting`, `healthy` or `unhealthy`; absent without a healthcheck. */
  readonly health?: string;
  /** Once it has stopped. */
  readonly exitCode?: number;
  readonly ports: readonly PublishedPort[];
}

export interface ServiceStatus {
  readonly name: string;
  readonly containers: readonly ContainerStatus[];
}

const DEFAULT_WAIT_MS = 60_000;

export class Stack implements AsyncDisposable {
  private downed: Promise<void> | undefined;

  /** @internal made by `up()`. */
  constructor(
    private readonly engine: Engine,
    private readonly project: Project,
    private readonly runner: LibraryPlanRunner,
  ) {}

  /** The project's name (the prefix of its containers, networks and volumes). */
  get name(): string {
    return this.project.name;
  }

  /** Where a container port of the service is published: `{ host, port }` to connect to from here. */
  async port(service: string, containerPort: number, options: PortOptions = {}): Promise<Address> {
    const protocol = options.protocol ?? 'tcp';
    const container = await this.container(service, options.index);
    const address = publishedAddress(this.engine.endpoint, container, containerPort, protocol);
    if (!address) throw new BerthError(`service ${service}: port ${containerPort}/${protocol} of ${container.name} is not published`, { kind: 'not-found' });
    return address;
  }

  /** `http://host:port/path` for a published container port. */
  async url(service: string, containerPort: number, path = '/', options: ContainerChoice = {}): Promise<string> {
    return urlOf(await this.port(service, containerPort, options), path);
  }

  /** Runs a command in the service's running container: an argument list, or a string run by `sh -c`. */
  async exec(service: string, command: string | readonly string[], options: ExecOptions = {}): Promise<ExecResult> {
    const container = await this.container(service, options.index);
    return this.engine.execs.run(container.id, {
      command: typeof command === 'string' ? ['sh', '-c', command] : command,
      ...(options.user ? { user: options.user } : {}),
      ...(options.workdir ? { workingDir: options.workdir } : {}),
      ...(options.env ? { env: Object.entries(options.env).map(([key, value]) => `${key}=${value}`) } : {}),
    });
  }

  /** The output of the service's containers (of every service without one), line by line. */
  async *logs(service?: string, options: LogsOptions = {}): AsyncGenerator<LogLine, void, undefined> {
    const byService = await serviceContainers(this.engine, this.project.name);
    if (service !== undefined) this.known(service);
    const containers = service === undefined ? [...byService.values()].flat() : (byService.get(service) ?? []);
    yield* containerLines(this.engine, containers, options);
  }

  /** Until the strategy holds for the service's container; rejects naming the service, the strategy and what it saw. */
  async waitFor(service: string, strategy: WaitStrategy, options: WaitOptions = {}): Promise<void> {
    const container = await this.container(service, options.index);
    const published = async (port: number, protocol: Protocol) => {
      const fresh = (await this.containers(service)).find((candidate) => candidate.id === container.id) ?? container;
      return publishedAddress(this.engine.endpoint, fresh, port, protocol);
    };
    await waitOn({ engine: this.engine, service, container, published }, strategy, options.timeout ?? DEFAULT_WAIT_MS);
  }

  /** Every service of the stack with its containers' state, health and published ports. */
  async services(): Promise<ServiceStatus[]> {
    const byService = await serviceContainers(this.engine, this.project.name);
    const names = [...new Set([...Object.keys(this.project.services), ...byService.keys()])].sort();
    return Promise.all(
      names.map(async (name) => ({
        name,
        containers: await Promise.all((byService.get(name) ?? []).map((container) => this.status(container))),
      })),
    );
  }

  /** Stops and removes the containers and networks (and volumes, if asked). Once: later calls wait for the first. */
  down(options: DownOptions = {}): Promise<void> {
    this.downed ??= (async () => {
      const observed = await observeProject(this.engine, this.project, { oneoffs: true });
      const plan = planDown(this.project, observed, {
        removeOrphans: false,
        volumes: options.volumes ?? false,
        ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
      });
      await this.runner.run(plan, { observed });
    })();
    return this.downed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.down();
  }

  private async status(container: ContainerSummary): Promise<ContainerStatus> {
    const details = await this.engine.containers.inspect(container.id);
    const ports = container.ports.flatMap((port) => {
      const address = port.publicPort === undefined ? undefined : publishedAddress(this.engine.endpoint, { ports: [port] }, port.privatePort, port.type as Protocol);
      return address ? [{ containerPort: port.privatePort, protocol: port.type, ...address }] : [];
    });
    const state = details?.state.status ?? container.state;
    return {
      id: container.id,
      name: container.name,
      index: Number(container.labels[LABEL.number] ?? 1),
      state,
      ...(details?.state.health ? { health: details.state.health } : {}),
      ...(details && (state === 'exited' || state === 'dead') ? { exitCode: details.state.exitCode } : {}),
      ports,
    };
  }

  private async containers(service: string): Promise<ContainerSummary[]> {
    this.known(service);
    return (await serviceContainers(this.engine, this.project.name)).get(service) ?? [];
  }

  private async container(service: string, index = 1): Promise<ContainerSummary> {
    const containers = await this.containers(service);
    const found = containers.find((container) => Number(container.labels[LABEL.number] ?? 1) === index);
    if (!found) throw new BerthError(`service ${service} has no container ${index} (it has ${containers.length})`, { kind: 'not-found' });
    return found;
  }

  private known(service: string): void {
    if (!Object.hasOwn(this.project.services, service)) throw new BerthError(`no such service: ${service}`, { kind: 'not-found' });
  }
}
