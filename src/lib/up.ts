// `up()`: the project loaded from its files as the CLI loads it, converged and started by the same stages as
// `berth up -d` (src/app/converge.ts), optionally waited on as `--wait` does; nothing printed, progress and warnings
// only to the caller's listeners. A failure after the engine was touched takes down what was made.
import { waitForServices } from '../apply/start.js';
import { converge, startConverged } from '../app/converge.js';
import { openEngine } from '../engine-client/index.js';
import { BerthError } from '../model/errors.js';
import { loadModel } from '../model/load.js';
import { selectServices } from '../graph/select.js';
import { bindProject } from '../model/types.js';
import type { ProgressEvent, ProgressSink } from '../progress/events.js';
import { LibraryPlanRunner } from './plan-runner.js';
import { Stack } from './stack.js';

export interface UpOptions {
  /** Compose files, in order (`-f`); the default file names in `projectDirectory` (or `cwd`) when absent. */
  readonly files?: string | readonly string[];
  readonly projectDirectory?: string;
  /** The project's name; from the files or the directory when absent (as the CLI). */
  readonly projectName?: string;
  readonly profiles?: readonly string[];
  /** `--env-file`s, in order, in place of the project's `.env`. */
  readonly envFiles?: readonly string[];
  /** Variables for interpolation and the engine choice (DOCKER_HOST, ...), over `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Relative paths are read from here (`process.cwd()` unless told). */
  readonly cwd?: string;
  /** Only these services, and what they depend on. */
  readonly services?: readonly string[];
  /** true: build every image that has a build section; false: never build; absent: build what is missing. */
  readonly build?: boolean;
  /** In place of each service's pull_policy: `always`, `missing`, `never` or `build`. */
  readonly pull?: 'always' | 'missing' | 'never' | 'build';
  /** As `up --wait`: every service running, and healthy when it has a healthcheck (timeout in milliseconds). */
  readonly wait?: boolean | { readonly timeout?: number };
  /** Told of every progress event (what `berth up` draws); nothing is printed. */
  readonly onProgress?: (event: ProgressEvent) => void;
  /** Told of warnings and notices (what the CLI prints on stderr, e.g. that berth's own engine was started). */
  readonly onMessage?: (line: string) => void;
}

export async function up(options: UpOptions = {}): Promise<Stack> {
  const environment = { ...process.env, ...options.env };
  const message = options.onMessage ?? (() => {});
  const cwd = options.cwd ?? process.cwd();
  const files = typeof options.files === 'string' ? [options.files] : [...(options.files ?? [])];
  const services = [...(options.services ?? [])];
  const full = bindProject(
    await loadModel({
      cwd,
      environment,
      files,
      ...(options.projectDirectory !== undefined ? { projectDirectory: options.projectDirectory } : {}),
      ...(options.projectName !== undefined ? { projectName: options.projectName } : {}),
      profiles: [...(options.profiles ?? [])],
      envFiles: [...(options.envFiles ?? [])],
      services,
      readStdin: () => {
        throw new BerthError('the library reads no compose file from stdin ("-")');
      },
      warn: message,
    }),
  );
  const project = selectServices(full, services, { withDependencies: true });
  const engine = await openEngine({ environment, notify: message });
  const sink = listeningSink(options.onProgress, message);
  const runner = new LibraryPlanRunner(engine, project, sink);
  const stack = new Stack(engine, project, runner);
  try {
    const converged = await converge(runner, engine, project, {
      services,
      recreate: 'diverged',
      recreateDependencies: 'diverged',
      inherit: true,
      removeOrphans: false,
      knownServices: [...Object.keys(full.services), ...full.disabledServices],
      build: options.build === true ? 'always' : options.build === false ? 'never' : 'missing',
      ...(options.pull ? { pull: options.pull } : {}),
    });
    const blocked = Object.entries(converged.plan.blocked);
    if (blocked.length > 0) throw new BerthError(blocked.map(([service, why]) => `service ${service} not started: ${why}`).join('; '), { kind: 'engine' });
    await startConverged(engine, project, converged);
    if (options.wait) await waitForServices({ engine, project, sink }, services.length > 0 ? services : Object.keys(project.services), waitSeconds(options.wait));
  } catch (error) {
    await takeDown(stack, message);
    throw error;
  }
  return stack;
}

function waitSeconds(wait: true | { readonly timeout?: number }): number | undefined {
  return wait === true || wait.timeout === undefined ? undefined : wait.timeout / 1000;
}

function listeningSink(onProgress: UpOptions['onProgress'], message: (line: string) => void): ProgressSink {
  return { event: (event) => onProgress?.(event), note: message, close: () => {} };
}

/** What a failed up made is removed; a failure to remove it is told, and the first error is the one thrown. */
async function takeDown(stack: Stack, message: (line: string) => void): Promise<void> {
  try {
    await stack.down();
  } catch (error) {
    message(`could not take down project ${stack.name} after the failure: ${error instanceof Error ? error.message : String(error)}`);
  }
}
