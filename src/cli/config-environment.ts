// `config --environment --explain`: the interpolation environment, each variable with where its value came from
// (the shell, an --env-file, .env, the project name berth set, or a default written in the compose files), and the
// variables the files use that nothing sets. compose's `config --environment` prints the values only (compose#11865).
import { loadModel } from '../model/load.js';
import type { EnvSource, LoadOptions } from '../model/load.js';
import { environmentSources } from '../model/load.js';
import { extractVariables } from '../model/variables.js';

export interface ExplainedVariable {
  readonly name: string;
  /** null: not set, and no default (interpolated as an empty string). */
  readonly value: string | null;
  readonly source: 'shell' | 'env-file' | 'dotenv' | 'project-name' | 'default' | 'unset';
  /** The env file it was read from (env-file, dotenv). */
  readonly file?: string;
}

export async function explainEnvironment(options: LoadOptions): Promise<ExplainedVariable[]> {
  const { environment } = await loadModel(options);
  const sources = environmentSources(options);
  const used = extractVariables((await loadModel({ ...options, interpolate: false, normalize: false, resolveEnvironment: false })).tree);
  const explained = new Map<string, ExplainedVariable>();
  for (const [name, value] of Object.entries(environment)) explained.set(name, { name, value, ...sourceOf(sources[name]) });
  for (const variable of used.values()) {
    if (explained.has(variable.name)) continue;
    const hasDefault = variable.defaultValue !== '';
    explained.set(variable.name, { name: variable.name, value: hasDefault ? variable.defaultValue : null, source: hasDefault ? 'default' : 'unset' });
  }
  return [...explained.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

function sourceOf(source: EnvSource | undefined): Pick<ExplainedVariable, 'source' | 'file'> {
  // Only COMPOSE_PROJECT_NAME is set by the loader itself.
  if (!source) return { source: 'project-name' };
  return source.kind === 'shell' ? { source: 'shell' } : { source: source.kind, file: source.file };
}

const SAID: Record<ExplainedVariable['source'], (variable: ExplainedVariable) => string> = {
  shell: () => 'from the shell environment',
  'env-file': (variable) => `from --env-file ${variable.file}`,
  dotenv: (variable) => `from ${variable.file}`,
  'project-name': () => 'set by berth: the project name',
  default: () => 'not set: the default written in the compose file',
  unset: () => 'not set, and no default: interpolated as an empty string',
};

/** `NAME=value  # from .../.env` lines, the comments aligned. */
export function formatExplained(variables: readonly ExplainedVariable[]): string {
  const width = Math.min(60, Math.max(0, ...variables.map((variable) => `${variable.name}=${variable.value ?? ''}`.length)));
  return variables.map((variable) => `${`${variable.name}=${variable.value ?? ''}`.padEnd(width)}  # ${SAID[variable.source](variable)}\n`).join('');
}
