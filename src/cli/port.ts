// `berth port SERVICE PRIVATE_PORT`: the host address a container port is published on (`127.0.0.1:49153`), for the
// service's first running container or the one `--index` names.
import type { Command } from 'commander';
import { BerthError } from '../model/errors.js';
import type { RunVerb, VerbContext } from './main.js';
import { pickContainer } from './picked-container.js';
import { parseIndex } from './service-target.js';

export function registerPortCommand(program: Command, run: RunVerb): void {
  program
    .command('port')
    .description('print the public port for a port binding')
    .argument('<service>')
    .argument('<private_port>')
    .option('--protocol <protocol>', 'tcp or udp', 'tcp')
    .option('--index <n>', 'index of the container if the service has several replicas', parseIndex)
    .action(run((ctx, cmd) => runPort(ctx, cmd.opts<{ protocol: string; index?: number }>(), cmd.args[0]!, cmd.args[1]!)));
}

async function runPort(ctx: VerbContext, flags: { protocol: string; index?: number }, service: string, privatePort: string): Promise<number> {
  const port = Number(privatePort);
  if (!/^\d+$/.test(privatePort) || port > 65535) throw new BerthError(`invalid port "${privatePort}": use a number from 0 to 65535`);
  const protocol = flags.protocol.toLowerCase();
  const { container } = await pickContainer(ctx, service, flags.index);
  const binding = container.ports.find((entry) => entry.privatePort === port && entry.type === protocol);
  if (!binding) {
    const known = container.ports.map((entry) => `${entry.privatePort}/${entry.type}`).join(', ');
    throw new BerthError(`no port ${port}/${protocol} for container ${container.name}: ${known}`, { kind: 'not-found' });
  }
  ctx.stdout.write(`${binding.ip ?? ''}:${binding.publicPort ?? 0}\n`);
  return 0;
}
