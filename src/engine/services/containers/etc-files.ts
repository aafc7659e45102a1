// /etc/hostname, /etc/hosts and /etc/resolv.conf: written for the container before each start and bind-mounted
// into it. On a bridge network the networking service writes them from the container's endpoints.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Layout } from '../../store/layout.js';
import type { ContainerRecord } from '../container-record.js';
import { networkPlan } from '../endpoints.js';
import type { ContainerNetworking } from '../endpoints.js';
import { readTextOr } from './host.js';

const NO_NETWORK_HOSTS = `127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n`;

export interface EtcFileDeps {
  readonly layout: Layout;
  readonly networking: Pick<ContainerNetworking, 'writeEtcFiles'>;
  /** The id of another container (for `container:` network modes). */
  readonly idOf: (reference: string) => string;
}

/** Writes the files; returns path in the container -> file on the host. */
export function writeEtcFiles(record: ContainerRecord, deps: EtcFileDeps): Record<string, string> {
  const plan = networkPlan(record.hostConfig.NetworkMode);
  // Sharing another container's network, it shares its view of names too.
  const dir = deps.layout.container(plan.kind === 'container' ? deps.idOf(plan.reference) : record.id);
  const hostname = join(deps.layout.container(record.id), 'hostname');
  const hosts = join(dir, 'hosts');
  const resolv = join(dir, 'resolv.conf');
  writeFileSync(hostname, `${record.hostname}\n`);
  if (plan.kind === 'bridge') {
    deps.networking.writeEtcFiles(record, dir);
  } else if (plan.kind === 'host') {
    writeFileSync(hosts, readTextOr('/etc/hosts', '127.0.0.1\tlocalhost\n'));
    writeFileSync(resolv, readTextOr('/etc/resolv.conf', ''));
  } else if (plan.kind !== 'container') {
    writeFileSync(hosts, NO_NETWORK_HOSTS);
    writeFileSync(resolv, '');
  }
  return { '/etc/hostname': hostname, '/etc/hosts': hosts, '/etc/resolv.conf': resolv };
}
