// Attaching to a container's output, on an upgraded connection or as a plain response body.
import type { ContainerService } from '../services/containers.js';
import type { ContainerRecord } from '../services/container-record.js';
import { frame, readLog } from '../services/logs.js';
import type { LogFollower } from '../services/logs.js';
import type { AttachQuery } from '../../engine-api/system.js';
import type { QueryOf } from '../../engine-api/query.js';
import type { EngineServices } from './routes.js';

/**
 * The container's output for an attached client (upgraded or not): what it writes from now on (with `logs`, from
 * the start), framed unless it has a terminal, until it stops (with `stream`) or at once.
 */
export function attachOutput(services: EngineServices, record: ContainerRecord, query: QueryOf<typeof AttachQuery>, out: NodeJS.WritableStream & { on(event: 'close' | 'error', listener: () => void): unknown }): LogFollower {
  const tty = Boolean(record.config.Tty);
  services.containers.attached(record.id);
  const follower = readLog(
    services.layout.log(record.id),
    { stdout: query.stdout ?? false, stderr: query.stderr ?? false, fromEnd: !query.logs },
    (entry) => out.write(tty ? Buffer.from(entry.log) : frame(entry.stream, Buffer.from(entry.log))),
    query.stream ?? false,
    () => isRunning(services.containers, record.id),
  );
  out.on('close', () => follower.stop());
  out.on('error', () => follower.stop());
  services.containers.holdLog(record.id, follower);
  return follower;
}

/** Whether the container may still write output: running, paused, or created and about to start. */
export function isRunning(containers: ContainerService, id: string): boolean {
  try {
    const status = containers.get(id).state.status;
    return status === 'running' || status === 'paused' || status === 'created';
  } catch {
    return false;
  }
}
