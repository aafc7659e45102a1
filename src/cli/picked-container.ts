// The running container `port`, `export` and `commit` act on: the service's first (or `--index`), one-offs last,
// from the files' project or from the labels when the files are gone.
import type { ContainerSummary, Engine } from '../engine-client/index.js';
import type { VerbContext } from './main.js';
import { projectOrName } from './project-ref.js';
import { checkService, serviceContainer } from './service-target.js';
import { connect } from './session.js';

export async function pickContainer(ctx: VerbContext, service: string, index: number | undefined): Promise<{ engine: Engine; container: ContainerSummary }> {
  const ref = await projectOrName(ctx);
  checkService(ref, service);
  const engine = await connect(ctx);
  const container = await serviceContainer(engine, ref.project.name, service, { ...(index ? { index } : {}), oneoffs: true });
  return { engine, container };
}
