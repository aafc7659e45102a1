// Durations as compose writes them: Go duration strings ("1m30s", "1.5s", "100ms"), plus days and weeks.
import { BerthError, quote } from './errors.js';
import { MAX_DURATION_NANOSECONDS } from './limits.js';
import type { TreePath } from './tree.js';

const NANOSECONDS_PER_UNIT: ReadonlyMap<string, number> = new Map([
  ['ns', 1],
  ['us', 1e3],
  ['µs', 1e3],
  ['μs', 1e3],
  ['ms', 1e6],
  ['s', 1e9],
  ['m', 60e9],
  ['h', 3600e9],
  ['d', 86400e9],
  ['w', 7 * 86400e9],
]);

/**
 * Nanoseconds in a duration string. A bare "0" is allowed; any other number needs a unit. Read in one pass, as
 * Go's `time.ParseDuration` does (a regular expression backtracks quadratically on a long run of digits), and
 * refused beyond what Go's int64 nanoseconds hold.
 */
export function parseDuration(value: unknown, path: TreePath = []): number {
  const fail = (why = ''): never => {
    throw new BerthError(`invalid duration ${quote(value)}${why}`, { path });
  };
  if (value === 0 || value === '0') return 0;
  if (typeof value !== 'string') return fail();
  let text = value.trim();
  let sign = 1;
  if (text.startsWith('-') || text.startsWith('+')) {
    sign = text.startsWith('-') ? -1 : 1;
    text = text.slice(1);
  }
  if (text === '0') return 0;
  if (text === '') return fail();
  let total = 0;
  let i = 0;
  const digits = (): string => {
    const start = i;
    while (i < text.length && isDigit(text.charCodeAt(i))) i++;
    return text.slice(start, i);
  };
  while (i < text.length) {
    const whole = digits();
    let fraction = '';
    if (text[i] === '.') {
      i++;
      fraction = digits();
      if (whole === '' && fraction === '') return fail();
    } else if (whole === '') {
      return fail();
    }
    const unitStart = i;
    while (i < text.length && text[i] !== '.' && !isDigit(text.charCodeAt(i))) i++;
    const scale = NANOSECONDS_PER_UNIT.get(text.slice(unitStart, i)) ?? fail();
    total += Number(`${whole || '0'}.${fraction || '0'}`) * scale;
    if (!(total <= MAX_DURATION_NANOSECONDS)) fail(': longer than the longest duration (about 292 years)');
  }
  return sign * Math.round(total);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** Whole seconds, truncated as Go's `Duration.Seconds()` converted to int is. */
export function durationSeconds(value: unknown, path: TreePath = []): number {
  return Math.trunc(parseDuration(value, path) / 1e9);
}

/** Nanoseconds as Go's `time.Duration.String()` writes them ("1m0s", "1.5s", "500ms"): how compose prints durations. */
export function formatGoDuration(nanoseconds: number): string {
  if (nanoseconds === 0) return '0s';
  const sign = nanoseconds < 0 ? '-' : '';
  let rest = BigInt(Math.abs(Math.round(nanoseconds)));
  if (rest < 1_000_000_000n) {
    const [unit, scale] = rest < 1_000n ? ['ns', 1n] : rest < 1_000_000n ? ['µs', 1_000n] : ['ms', 1_000_000n];
    return `${sign}${withFraction(rest, scale)}${unit}`;
  }
  let out = '';
  const hours = rest / 3_600_000_000_000n;
  rest %= 3_600_000_000_000n;
  const minutes = rest / 60_000_000_000n;
  rest %= 60_000_000_000n;
  if (hours > 0n) out += `${hours}h`;
  if (hours > 0n || minutes > 0n) out += `${minutes}m`;
  return `${sign}${out}${withFraction(rest, 1_000_000_000n)}s`;
}

function withFraction(value: bigint, scale: bigint): string {
  const whole = value / scale;
  const fraction = value % scale;
  if (fraction === 0n) return String(whole);
  const digits = String(scale).length - 1;
  return `${whole}.${String(fraction).padStart(digits, '0').replace(/0+$/, '')}`;
}
