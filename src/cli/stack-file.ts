// Swarm stack files on one engine: when the engine is not a swarm manager, the project is adapted
// (src/model/stack-file.ts) and each adaptation reported once, instead of failing on overlay networks.
import type { Engine } from '../engine-client/index.js';
import { adaptToOneEngine } from '../model/stack-file.js';
import type { Project } from '../model/types.js';
import type { VerbContext } from './main.js';

interface SwarmInfo {
  readonly Swarm?: { readonly ControlAvailable?: boolean };
}

export async function forThisEngine(ctx: Pick<VerbContext, 'warn'>, engine: Pick<Engine, 'transport'>, project: Project): Promise<Project> {
  const { project: adapted, warnings } = adaptToOneEngine(project);
  // Nothing that only a swarm manager keeps: the engine's answer would change nothing, so it is not asked (GET /info
  // is one of dockerd's slower answers, and it would sit before everything else up does).
  if (warnings.length === 0) return project;
  const info = await engine.transport.request<SwarmInfo>('GET', '/info');
  if (info.Swarm?.ControlAvailable === true) return project;
  for (const warning of warnings) ctx.warn(warning);
  return adapted;
}
