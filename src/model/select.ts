// Narrowing a project to the services a verb names (and, unless told otherwise, what they need).
import { buildGraph, withDependencies } from '../graph/graph.js';
import { BerthError } from './errors.js';
import type { Dict } from './tree.js';
import type { Project } from './types.js';

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
