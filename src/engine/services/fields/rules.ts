// A field table: for every field of an Engine API request body, what berth's engine does with it. Honoured fields
// are acted on (a rule may still refuse values it cannot honour), refused fields are a 400 naming the field whenever
// they carry anything but their zero value, and ignored fields are those dockerd ignores too, with the reason. The
// table is checked against the reference swagger (fields.test.ts), so no field is dropped without a word.
import { EngineError } from '../../errors.js';

export type FieldRule =
  /**
   * Acted on by the named part of the engine; `refuse` names what about a given value it cannot honour (asked only
   * about values other than the zero value, which means "not set", unless `zeroToo`).
   */
  | { readonly kind: 'honoured'; readonly by: string; readonly refuse?: (value: never) => string | undefined; readonly zeroToo?: boolean }
  /** Refused whenever set (anything but its zero value), with the reason. */
  | { readonly kind: 'refused'; readonly reason: string }
  /** Accepted and not acted on, as dockerd does not act on it either. */
  | { readonly kind: 'ignored'; readonly reason: string };

/** Field path (`HostConfig.Mounts[].BindOptions.Propagation`, `NetworkingConfig.EndpointsConfig.*.Aliases`) -> rule. */
export type FieldTable = Readonly<Record<string, FieldRule>>;

export const honoured = <T>(by: string, refuse?: (value: T) => string | undefined, options: { zeroToo?: boolean } = {}): FieldRule => ({
  kind: 'honoured',
  by,
  ...(refuse ? { refuse: refuse as (value: never) => string | undefined } : {}),
  ...options,
});
export const refused = (reason: string): FieldRule => ({ kind: 'refused', reason });
export const ignored = (reason: string): FieldRule => ({ kind: 'ignored', reason });

/** The zero value of its type, as clients send for what they do not set (`0`, `""`, `false`, `[]`, `{}`, `[0, 0]`). */
export function isZero(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === '' || value === 0) return true;
  if (Array.isArray(value)) return value.every(isZero);
  if (typeof value === 'object') return Object.values(value).every(isZero);
  return false;
}

/** The values at a table path in a body, each with its concrete path (`HostConfig.Mounts[1].Type`). */
export function valuesAt(body: unknown, path: string): Array<{ at: string; value: unknown }> {
  const steps = path.replace(/\[\]/g, '.[]').split('.').filter(Boolean);
  let current: Array<{ at: string; value: unknown }> = [{ at: '', value: body }];
  for (const step of steps) {
    const next: Array<{ at: string; value: unknown }> = [];
    for (const { at, value } of current) {
      if (value === undefined || value === null) continue;
      if (step === '[]') {
        if (Array.isArray(value)) value.forEach((item, index) => next.push({ at: `${at}[${index}]`, value: item }));
      } else if (step === '*') {
        if (typeof value === 'object') for (const [key, item] of Object.entries(value)) next.push({ at: `${at}.${key}`, value: item });
      } else if (typeof value === 'object' && !Array.isArray(value) && Object.prototype.hasOwnProperty.call(value, step)) {
        next.push({ at: at === '' ? step : `${at}.${step}`, value: (value as Record<string, unknown>)[step] });
      }
    }
    current = next;
  }
  return current.filter((entry) => entry.value !== undefined);
}

/** Refuses, with a 400 naming the field, whatever in `body` the table says the engine cannot honour. */
export function refuseUnhonoured(table: FieldTable, body: unknown): void {
  for (const path of Object.keys(table).sort()) {
    const rule = table[path]!;
    if (rule.kind === 'ignored' || (rule.kind === 'honoured' && !rule.refuse)) continue;
    for (const { at, value } of valuesAt(body, path)) {
      if (rule.kind === 'refused') {
        if (!isZero(value)) throw new EngineError('unsupported', `${at} is not supported by berth's engine: ${rule.reason}`);
        continue;
      }
      if (isZero(value) && !rule.zeroToo) continue;
      const reason = rule.refuse!(value as never);
      if (reason !== undefined) throw new EngineError('unsupported', `${at}: ${reason}`);
    }
  }
}
