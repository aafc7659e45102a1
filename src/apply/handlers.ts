// One handler per kind of operation: the Engine API call it stands for, and nothing else (progress, the log, the
// dry run and the order are the executor's). A kind without a handler does not compile.
import { BerthError } from '../model/errors.js';
import type { OperationKind } from '../plan/types.js';
import { progressEvent } from '../progress/events.js';
import { removeOneOff, startOneOff, waitOneOff } from './one-off.js';
import { networkCreateBody, volumeCreateBody } from './resources.js';
import type { Handler } from './run.js';
import { waitCompleted, waitHealthy } from './start.js';

// Loaded by the first operation that needs them: a plan without creates or images (a no-op up, stop, down) does not
// load the model -> API converters (some 25 modules) or the build context code.
const creating = (): Promise<typeof import('./create-container.js')> => import('./create-container.js');
const imaging = (): Promise<typeof import('./images.js')> => import('./images.js');

export const HANDLERS: { readonly [K in OperationKind]: Handler<K> } = {
  'create-network': async (op, { ctx }) => {
    const { project } = ctx;
    await ctx.engine.networks.create(networkCreateBody(project.name, op.key, project.networks[op.key]!, ctx.version));
  },
  'remove-network': (op, { ctx }) => ctx.engine.networks.remove(op.id),
  'connect-network': (op, { ctx }) => ctx.engine.networks.connect(op.name, op.container.id),
  'disconnect-network': (op, { ctx }) => ctx.engine.networks.disconnect(op.name, op.container.id, true),
  'create-volume': async (op, { ctx }) => {
    const { project } = ctx;
    await ctx.engine.volumes.create(volumeCreateBody(project.name, op.key, project.volumes[op.key]!, ctx.version));
  },
  'remove-volume': (op, { ctx }) => ctx.engine.volumes.remove(op.name, false),
  'pull-image': async (op, { ctx }) => {
    try {
      await (await imaging()).pullImage(ctx.engine, ctx.sink, op.reference, op.platform);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      switch (op.onFailure.kind) {
        case 'warn':
          return { status: 'Warning', detail: message };
        case 'build': {
          // The registry does not have it: built from the service's build section instead, as compose does.
          const resource = `Image ${op.reference}`;
          ctx.sink.event(progressEvent(resource, 'Warning', message));
          ctx.sink.event(progressEvent(resource, 'Building'));
          await (await imaging()).buildImage({ engine: ctx.engine, project: ctx.project, version: ctx.version, note: (line) => ctx.sink.note(line) }, ctx.project.services[op.service]!, op.reference, op.onFailure.flags);
          return { status: 'Built' };
        }
        case 'fail': {
          const buildable = ctx.project.services[op.service]?.build !== undefined;
          const hint = buildable ? ` (the image can be built from source instead: berth build ${op.service})` : '';
          throw new BerthError(`service ${op.service}: pull failed: ${message}${hint}`, { kind: 'engine', cause: error });
        }
      }
    }
  },
  'build-image': async (op, { ctx }) =>
    (await imaging()).buildImage({ engine: ctx.engine, project: ctx.project, version: ctx.version, note: (line) => ctx.sink.note(line) }, ctx.project.services[op.service]!, op.reference, op.flags),
  'push-image': async (op, { ctx }) => {
    try {
      await (await imaging()).pushImage(ctx.engine, ctx.sink, op.reference);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (op.onFailure === 'warn') return { status: 'Warning', detail: message };
      throw new BerthError(`service ${op.service}: push failed: ${message}`, { kind: 'engine', cause: error });
    }
  },
  'remove-image': async (op, { ctx }) => {
    try {
      await ctx.engine.images.remove(op.reference);
    } catch (error) {
      // An image still used elsewhere stays: a warning, as compose gives.
      return { status: 'Warning', detail: (error as Error).message };
    }
  },
  'create-container': async (op, run) => {
    run.state.createdIds.set(run.node.id, await (await creating()).createContainer(op, run));
  },
  'rename-container': async (op, { ctx, node, state }) => {
    const id = state.createdIds.get(op.createNode);
    if (!id) throw new BerthError(`internal: rename #${node.id} has no created container`, { kind: 'internal' });
    await ctx.engine.containers.rename(id, op.name);
    for (const ref of state.containersByService[op.service] ?? []) if (ref.id === id) Object.assign(ref, { name: op.name });
  },
  'start-container': (op, { ctx }) => ctx.engine.containers.start(op.container.id),
  'wait-container': async (op, { ctx, signal }) => {
    try {
      if (op.condition === 'service_healthy') await waitHealthy(ctx.engine, op.container, signal);
      else await waitCompleted(ctx.engine, op.container, signal);
    } catch (error) {
      if (op.required || !(error instanceof BerthError) || error.kind === 'canceled') throw error;
      ctx.warn(`optional dependency ${op.container.service}: ${error.message}`);
      return { status: 'Warning', detail: error.message };
    }
  },
  'stop-container': (op, { ctx }) => ctx.engine.containers.stop(op.container.id, op.timeout),
  'restart-container': (op, { ctx }) => ctx.engine.containers.restart(op.container.id, op.timeout),
  'kill-container': (op, { ctx }) => ctx.engine.containers.kill(op.container.id, op.signal),
  'pause-container': (op, { ctx }) => ctx.engine.containers.pause(op.container.id),
  'unpause-container': (op, { ctx }) => ctx.engine.containers.unpause(op.container.id),
  'run-hook': async (op, { ctx }) => {
    const result = await ctx.engine.containers.exec(op.container.id, {
      command: op.command,
      env: op.environment,
      ...(op.user ? { user: op.user } : {}),
      ...(op.privileged ? { privileged: true } : {}),
      ...(op.workingDir ? { workingDir: op.workingDir } : {}),
    });
    if (result.exitCode === 0) return;
    const output = result.output.trimEnd();
    const message = `service ${op.container.service}: ${op.hook} hook #${op.index} in container ${op.container.name} exited with status ${result.exitCode}${output ? `:\n${output}` : ''}`;
    if (op.onFailure === 'fail') throw new BerthError(message, { kind: 'engine' });
    ctx.warn(message);
    return { status: 'Warning', detail: `${op.hook} hook #${op.index} exited with status ${result.exitCode}` };
  },
  'create-one-off': async (op, run) => {
    const id = await (await creating()).createOneOff(op, run);
    run.state.createdIds.set(run.node.id, id);
    run.ctx.oneOff?.created(id);
  },
  'start-one-off': startOneOff,
  'wait-one-off': waitOneOff,
  'remove-one-off': removeOneOff,
  'remove-container': async (op, { ctx, state }) => {
    await ctx.engine.containers.remove(op.container.id, { force: true, volumes: op.volumes });
    const list = state.containersByService[op.container.service];
    if (list) state.containersByService[op.container.service] = list.filter((ref) => ref.id !== op.container.id);
  },
};


