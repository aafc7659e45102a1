// `stack rm`: every object of a stack, found by its namespace label (berth's stacks and docker's alike): services
// first, then what they used (secrets, configs, networks), which a manager refuses to remove while a service refers
// to it. Networks are tried again for a bounded time while the removed services' tasks let go of them.
import type { Swarm } from '../engine-client/swarm.js';
import { BerthError } from '../model/errors.js';
import { stackFilter } from './names.js';

export interface RemoveReport {
  readonly step: (line: string) => void;
}

/** False when the stack had nothing on the swarm. */
export async function removeStack(swarm: Swarm, stack: string, report: RemoveReport, networkTimeoutMs = 30_000): Promise<boolean> {
  const filter = stackFilter(stack);
  const [services, secrets, configs, networks] = await Promise.all([
    swarm.services(filter),
    swarm.list('secrets', filter),
    swarm.list('configs', filter),
    swarm.networks(filter),
  ]);
  if (services.length + secrets.length + configs.length + networks.length === 0) return false;
  const failures: string[] = [];
  const attempt = async (line: string, call: () => Promise<void>): Promise<void> => {
    report.step(line);
    try {
      await call();
    } catch (error) {
      failures.push(`${line}: ${(error as Error).message}`);
    }
  };
  for (const service of [...services].sort((a, b) => (a.spec.Name < b.spec.Name ? -1 : 1))) await attempt(`Removing service ${service.spec.Name}`, () => swarm.removeService(service.id));
  for (const secret of secrets) await attempt(`Removing secret ${secret.name}`, () => swarm.remove('secrets', secret.id));
  for (const config of configs) await attempt(`Removing config ${config.name}`, () => swarm.remove('configs', config.id));
  const deadline = Date.now() + networkTimeoutMs;
  for (const network of networks.filter((known) => known.scope === 'swarm')) {
    report.step(`Removing network ${network.name}`);
    for (;;) {
      try {
        await swarm.removeNetwork(network.id);
        break;
      } catch (error) {
        if ((error as { statusCode?: number }).statusCode === 404) break;
        if (Date.now() >= deadline) {
          failures.push(`Removing network ${network.name}: ${(error as Error).message}`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
  }
  if (failures.length > 0) throw new BerthError(`the stack ${stack} was not removed completely:\n${failures.map((line) => `  ${line}`).join('\n')}`, { kind: 'engine' });
  return true;
}
