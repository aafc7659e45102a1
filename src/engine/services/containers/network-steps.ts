// A container's part in networking around its lifecycle: its namespace joined before its process starts, its
// ports published once it runs, and everything taken down after it stops (a start waits for that teardown).
import { conflict } from '../../errors.js';
import type { ContainerRecord } from '../container-record.js';
import { portBindings } from '../container-record.js';
import { networkPlan } from '../endpoints.js';
import type { ContainerNetworking } from '../endpoints.js';
import type { SandboxNetwork } from '../../runtime/links.js';

export class NetworkSteps {
  /** Teardowns under way, by container. */
  private readonly teardowns = new Map<string, Promise<void>>();

  constructor(
    private readonly networking: ContainerNetworking,
    private readonly lookup: (reference: string) => ContainerRecord,
  ) {}

  /**
   * The namespace the container's process joins: on bridge networks its own, with its endpoints; with `container:`
   * the other container's (which must run); host and none need nothing here.
   */
  async join(record: ContainerRecord): Promise<SandboxNetwork | undefined> {
    const plan = networkPlan(record.hostConfig.NetworkMode);
    if (plan.kind === 'container') {
      const other = this.lookup(plan.reference);
      if (other.state.status !== 'running' && other.state.status !== 'paused') throw conflict(`cannot join network namespace of a non running container: container ${other.id} is ${other.state.status}`);
      return { path: `/proc/${other.state.pid}/ns/net` };
    }
    if (plan.kind !== 'bridge') return undefined;
    return this.networking.setUp(record);
  }

  async publishPorts(record: ContainerRecord): Promise<void> {
    const bindings = portBindings(record.hostConfig, record.config.ExposedPorts ?? {});
    if (networkPlan(record.hostConfig.NetworkMode).kind === 'bridge') await this.networking.publish(record, bindings);
  }

  /** Takes the container's network down after it stopped; resolves with whether it had one of its own to take down. */
  leave(record: ContainerRecord): Promise<boolean> {
    if (networkPlan(record.hostConfig.NetworkMode).kind !== 'bridge') return Promise.resolve(false);
    const done = this.networking.tearDown(record).finally(() => {
      if (this.teardowns.get(record.id) === done) this.teardowns.delete(record.id);
    });
    this.teardowns.set(record.id, done);
    return done.then(() => true);
  }

  /** Resolves once the last teardown of the container's network is over. */
  async settled(id: string): Promise<void> {
    await this.teardowns.get(id);
  }
}
