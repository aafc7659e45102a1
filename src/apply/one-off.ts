// `berth run`'s one-off once created: started (attached first through the CLI's session), followed to its end, and
// with --rm seen gone. The session (src/apply/run.ts OneOffSession) owns the terminal; these only call the engine.
import { BerthError, isBerthError } from '../model/errors.js';
import type { RemoveOneOff, StartOneOff, WaitOneOff } from '../plan/types.js';
import type { ApplyContext, OneOffSession, Run } from './run.js';

function sessionOf(ctx: ApplyContext): OneOffSession {
  if (!ctx.oneOff) throw new BerthError('internal: a one-off planned without a session to attach it to', { kind: 'internal' });
  return ctx.oneOff;
}

export async function startOneOff(operation: StartOneOff, { ctx }: Run): Promise<void> {
  const { id } = operation.container;
  try {
    if (operation.attach) await sessionOf(ctx).attach(id);
    await ctx.engine.containers.start(id);
  } catch (error) {
    // A one-off that never ran is not left behind when --rm was asked for.
    if (operation.autoRemove) await ctx.engine.containers.remove(id, { force: true }).catch(() => {});
    throw error;
  }
}

export async function waitOneOff(operation: WaitOneOff, { ctx }: Run): Promise<void> {
  await sessionOf(ctx).follow(operation.container.id);
}

/** The engine removes an AutoRemove container itself; one it left (it was never started, say) is removed here. */
export async function removeOneOff(operation: RemoveOneOff, { ctx }: Run): Promise<void> {
  try {
    await ctx.engine.containers.remove(operation.container.id, { force: true });
  } catch (error) {
    // Already gone (the usual case), or being removed by the engine right now.
    if (isBerthError(error) && (error.kind === 'not-found' || error.kind === 'conflict')) return;
    throw error;
  }
}
