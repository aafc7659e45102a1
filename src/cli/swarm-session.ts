// What deploy and the stack verbs share: the engine, as a swarm manager (anything else is a clear error that says
// how to get one), with the user's registry credentials for the digests and pulls of its nodes.
import { homedir } from 'node:os';
import { createCredentials } from '../engine-client/credentials.js';
import type { Engine } from '../engine-client/index.js';
import { swarmOf } from '../engine-client/swarm.js';
import type { Swarm } from '../engine-client/swarm.js';
import { BerthError } from '../model/errors.js';
import type { VerbContext } from './main.js';
import { connect } from './session.js';

export async function openSwarm(ctx: VerbContext): Promise<Swarm> {
  return (await openManager(ctx)).swarm;
}

/** The swarm, and the manager's engine itself (for what deploy does with its images). */
export async function openManager(ctx: VerbContext): Promise<{ swarm: Swarm; engine: Engine }> {
  const engine = await connect(ctx);
  const swarm = swarmOf(engine, createCredentials({ environment: ctx.environment, homeDir: ctx.environment.HOME ?? homedir() }));
  await requireManager(swarm, engine.endpoint.url);
  return { swarm, engine };
}

export async function requireManager(swarm: Pick<Swarm, 'state'>, where: string): Promise<void> {
  const state = await swarm.state();
  if (state.manager) return;
  if (state.localNodeState === 'active') {
    throw new BerthError(`the engine at ${where} is a swarm worker, not a manager: run berth against a manager node (DOCKER_HOST or -H)`, { kind: 'invalid' });
  }
  const why = state.error ? ` (${state.error})` : '';
  throw new BerthError(
    `the engine at ${where} is not a swarm manager${why}: run \`docker swarm init\` to make it one (or \`docker swarm join\` it to a swarm), or point berth at a manager with DOCKER_HOST or -H`,
    { kind: 'invalid' },
  );
}
