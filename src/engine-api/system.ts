// Query parameters of the container content routes (archive, top, stats), attach, and the event stream.
import { LIMITS } from './describe.js';
import { filters, flag, text } from './query.js';

export const ArchiveQuery = { path: text({ max: LIMITS.path }) } as const;
export const ArchivePutQuery = { path: text({ max: LIMITS.path }), noOverwriteDirNonDir: flag(), copyUIDGID: flag() } as const;
export const TopQuery = { ps_args: text({ max: 256 }) } as const;
export const StatsQuery = { stream: flag(), 'one-shot': flag() } as const;
export const AttachQuery = { logs: flag(), stream: flag(), stdin: flag(), stdout: flag(), stderr: flag(), detachKeys: text({ max: 256 }) } as const;

/** `since` and `until` are Unix times, seconds with an optional fraction (as the docker CLI sends them). */
const unixTime = (): ReturnType<typeof text> => text({ max: 32, pattern: /^\d{1,12}(\.\d{1,9})?$/, patternName: 'a Unix time in seconds' });
export const EventsQuery = { since: unixTime(), until: unixTime(), filters: filters() } as const;
