// Narrowing a project to the services a verb names (and, unless told otherwise, what they need).
import { buildGraph } from '../model/dependencies.js';
import { BerthError } from '../model/errors.js';
import type { Dict } from '../model/tree.js';
import type { Project } from '../model/types.js';
import { withDependencies } from './graph.js';

export function selectServices(project: Project, names: readonly string[], options: { withDependencies?: boolean } = {}): Project {
  if (names.length === 0) return project;
  for (const name of names) {
    if (!(name in project.services)) {
      const why = project.disabledServices.includes(name) ? ' (it is disabled by its profiles)' : '';
      throw new BerthError(`no such service: ${name}${why}`, { kind: 'not-found' });
    }
  }
  const keep = new Set(options.withDependencies === false ? names : withDependencies(buildGraph(project.services as Record<string, Dict>), names));
  const services = Object.fromEntries(Object.entries(project.services).filter(([name]) => keep.has(name)));
  return { ...project, services };
}
