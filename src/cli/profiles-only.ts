// `--profiles-only` on stop, restart and down: act on the services of the active profiles only (compose acts on
// every service with `--profile X stop`/`down`, compose#12648). Without an active profile, the services of every
// profile; services without profiles are never touched.
import { BerthError } from '../model/errors.js';
import { servicesOfProfiles } from '../model/profiles.js';
import type { VerbContext } from './main.js';
import { loadProject } from './session.js';

export interface Profiled {
  /** The services to act on; empty when no service has those profiles (then nothing is to be done). */
  readonly services: string[];
  readonly active: readonly string[];
}

export async function profiledServices(ctx: VerbContext, named: readonly string[]): Promise<Profiled> {
  let project = await loadProject(ctx, { consistency: false });
  const active = ctx.flags.profile.length > 0 ? ctx.flags.profile : (project.environment.COMPOSE_PROFILES ?? '').split(',').map((profile) => profile.trim()).filter(Boolean);
  // With no profile active, the profiled services are disabled: load them all to see their profiles.
  if (active.length === 0) project = await loadProject(ctx, { consistency: false, profiles: ['*'] });
  const chosen = servicesOfProfiles(project.services, active);
  for (const name of named) {
    if (!(name in project.services) && !project.disabledServices.includes(name)) throw new BerthError(`no such service: ${name}`, { kind: 'not-found' });
  }
  return { services: named.length > 0 ? chosen.filter((name) => named.includes(name)) : chosen, active };
}

/** What is said when --profiles-only leaves nothing to do. */
export function noProfiledServices(ctx: VerbContext, profiled: Profiled): number {
  ctx.stderr.write(`no service of ${profiled.active.length > 0 ? `profile ${profiled.active.join(', ')}` : 'any profile'} to act on\n`);
  return 0;
}
