// How planners put a plan together: nodes numbered in the order they are added (a dependency always before what
// depends on it), services that cannot be brought up, and warnings for the user.
import type { Operation, Plan, PlanNode } from './types.js';

export class PlanBuilder {
  private readonly nodes: PlanNode[] = [];
  private readonly blocked: Record<string, string> = {};
  private readonly warnings: string[] = [];

  /** Adds an operation after the given nodes; returns its id. */
  add(operation: Operation, dependsOn: Iterable<number> = [], group?: string): number {
    const id = this.nodes.length + 1;
    const after = [...new Set(dependsOn)].sort((a, b) => a - b);
    this.nodes.push({ id, operation, dependsOn: after, ...(group ? { group } : {}) });
    return id;
  }

  block(service: string, why: string): void {
    this.blocked[service] ??= why;
  }

  isBlocked(service: string): boolean {
    return service in this.blocked;
  }

  blockedBecause(service: string): string | undefined {
    return this.blocked[service];
  }

  warn(message: string): void {
    this.warnings.push(message);
  }

  build(): Plan {
    return { nodes: this.nodes, blocked: this.blocked, warnings: this.warnings };
  }
}

