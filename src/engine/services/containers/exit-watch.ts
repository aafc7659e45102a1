// Noticing that a container stopped: its monitor writes the exit file when it ends, which a directory watch sees at
// once; a poll each second is the safety net, and also notices a monitor that died without writing it (killed).
// A container whose process is gone while its monitor still runs is not over yet: the monitor is still cleaning up
// (runc's state, the root filesystem) and writes the exit code last, later still on a busy machine.
import { watch } from 'node:fs';
import type { FSWatcher } from 'node:fs';
import { processAlive } from '../../runtime/runc.js';
import type { RuncDriver } from '../../runtime/runc.js';
import type { Layout } from '../../store/layout.js';
import type { ContainerRecord } from '../container-record.js';
import type { Logger } from '../logger.js';

const POLL_MS = 1000;
/** A monitor that is gone may still be writing its exit file: looked at once more after this. */
const GRACE_MS = 200;

export class ExitWatch {
  private readonly watchers = new Map<string, FSWatcher>();

  constructor(
    private readonly layout: Layout,
    private readonly runtime: Pick<RuncDriver, 'exit' | 'monitorAlive'>,
    private readonly log: Logger,
  ) {}

  /**
   * Calls `onExit` once the container has stopped (it may be called more than once: it must check the state).
   * `watching` says whether the container is still one to watch (running, and not removed).
   */
  watch(record: ContainerRecord, watching: () => boolean, onExit: () => void): void {
    const check = (): void => {
      if (this.runtime.exit(record.id) !== undefined) onExit();
    };
    try {
      this.watchers.get(record.id)?.close();
      const watcher = watch(this.layout.container(record.id), (_event, file) => {
        if (file === 'exit') check();
      });
      this.watchers.set(record.id, watcher);
    } catch (error) {
      this.log(`container ${record.id.slice(0, 12)}: cannot watch for its exit file (${(error as Error).message}); polling alone will notice it`);
    }
    const poll = setInterval(() => {
      if (!watching()) clearInterval(poll);
      else if (!processAlive(record.state.pid) && this.runtime.exit(record.id) === undefined) {
        if (!this.runtime.monitorAlive(record.id)) setTimeout(onExit, GRACE_MS);
      } else check();
    }, POLL_MS);
    poll.unref();
    check();
  }

  stop(id: string): void {
    this.watchers.get(id)?.close();
    this.watchers.delete(id);
  }
}
