// Loading the project the global flags name. Apart from session.ts so that verbs that only load (config, convert)
// do not load the engine client and the progress display with it.
import { readFileSync } from 'node:fs';
import { loadModel } from '../model/load.js';
import { openLoadCache } from '../model/load-cache-dir.js';
import type { LoadOptions } from '../model/load.js';
import { bindProject } from '../model/types.js';
import type { Project } from '../model/types.js';
import type { VerbContext } from './main.js';

/** What the global flags say about loading the files. */
export function loadOptionsFrom(ctx: VerbContext): LoadOptions {
  return {
    cwd: ctx.cwd,
    environment: ctx.environment,
    files: ctx.flags.file,
    projectDirectory: ctx.flags.projectDirectory,
    projectName: ctx.flags.projectName,
    profiles: ctx.flags.profile,
    envFiles: ctx.flags.envFile,
    readStdin: () => readFileSync(0, 'utf8'),
    warn: ctx.warn,
    cache: ctx.cacheLoads || ctx.environment.BERTH_CACHE_DIR ? openLoadCache(ctx.environment) : undefined,
  };
}

export async function loadProject(ctx: VerbContext, options: Partial<LoadOptions> = {}): Promise<Project> {
  return bindProject(await loadModel({ ...loadOptionsFrom(ctx), ...options }));
}
