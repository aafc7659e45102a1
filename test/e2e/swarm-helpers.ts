// A single-node swarm on the test machine's dockerd for the swarm scenarios: joined only when the engine is not in
// one already, and left again at the end only by the test that made it. Every docker call has a timeout.
import { spawnSync } from 'node:child_process';

export interface TestSwarm {
  /** True when this test ran `docker swarm init` (and so must leave). */
  readonly initialised: boolean;
  leave(): void;
}

export function docker(args: readonly string[], timeout = 60_000): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync('docker', args, { encoding: 'utf8', timeout });
  return { status: result.status, stdout: result.stdout ?? '', stderr: `${result.stderr ?? ''}${result.error ? String(result.error) : ''}` };
}

export function swarmState(): string {
  return docker(['info', '--format', '{{.Swarm.LocalNodeState}} {{.Swarm.ControlAvailable}}'], 20_000).stdout.trim();
}

export function joinTestSwarm(): TestSwarm {
  const state = swarmState();
  if (state === 'active true') return { initialised: false, leave() {} };
  if (!state.startsWith('inactive')) throw new Error(`dockerd is in a swarm state the tests cannot use: ${state}`);
  // The bridge a swarm adds for its tasks' outside traffic is removed again when this test made it.
  const hadGateway = docker(['network', 'inspect', 'docker_gwbridge'], 20_000).status === 0;
  const init = docker(['swarm', 'init', '--advertise-addr', '127.0.0.1']);
  if (init.status !== 0) throw new Error(`docker swarm init failed: ${init.stderr}`);
  return {
    initialised: true,
    leave() {
      const left = docker(['swarm', 'leave', '--force']);
      if (left.status !== 0) throw new Error(`docker swarm leave --force failed: ${left.stderr}`);
      if (!hadGateway) docker(['network', 'rm', 'docker_gwbridge'], 20_000);
    },
  };
}

/**
 * The images this engine pulled from a test registry for the swarm's tasks (`127.0.0.1:PORT/repo@sha256:...`, no
 * tag), removed by that exact reference so that an image another test holds under another name is left alone.
 */
export function removePulledImages(registryHost: string): void {
  const listed = docker(['images', '--digests', '--format', '{{.Repository}}@{{.Digest}}'], 20_000);
  const references = listed.stdout.split('\n').filter((line) => line.startsWith(`${registryHost}/`) && !line.endsWith('@<none>'));
  if (references.length > 0) docker(['rmi', ...new Set(references)], 60_000);
}
