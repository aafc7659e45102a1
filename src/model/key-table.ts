// What a target that is not one engine (a swarm, Kubernetes) does with each key of a service: converts it, has
// nothing to do with it (the loader or the CLI already used it), or warns that it is dropped. Each target keeps
// one such table per section, checked against the spec's schema by its tests, so a new key cannot slip through
// unmentioned; the warnings are drawn from it here, the same way for every target.

export type KeyDisposition =
  | { readonly kind: 'converted'; readonly by: string }
  | { readonly kind: 'none'; readonly why: string }
  | { readonly kind: 'warn'; readonly why: string };

export const converted = (by: string): KeyDisposition => ({ kind: 'converted', by });
export const none = (why: string): KeyDisposition => ({ kind: 'none', why });
export const warn = (why: string): KeyDisposition => ({ kind: 'warn', why });

export interface KeyWarningOptions {
  /** Put before each key (`deploy.`). */
  readonly prefix: string;
  /** Said of a key the table does not know (`is ignored`). */
  readonly unknown: string;
}

/** One line per key set in `values` that the table warns about or does not know, in key order. */
export function keyWarnings(table: Readonly<Record<string, KeyDisposition>>, values: Readonly<Record<string, unknown>>, options: KeyWarningOptions): string[] {
  const out: string[] = [];
  for (const key of Object.keys(values).sort()) {
    // A service's own name is where it is, not a setting.
    if (key === 'name' && options.prefix === '') continue;
    const value = values[key];
    // `privileged: false` and the like ask for nothing a target could lack.
    if (key.startsWith('x-') || value === undefined || value === null || value === false) continue;
    const disposition = Object.hasOwn(table, key) ? table[key] : undefined;
    if (disposition === undefined) out.push(`${options.prefix}${key} ${options.unknown}`);
    else if (disposition.kind === 'warn') out.push(`${options.prefix}${key} ${disposition.why}`);
  }
  return out;
}
