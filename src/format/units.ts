// docker/go-units and the time texts docker's formatters print: "5 minutes ago", "12.3MB", Go's time.String().

/** units.HumanDuration: how long, in words, as `docker ps` shows it. */
export function humanDuration(milliseconds: number): string {
  const seconds = Math.floor(milliseconds / 1000);
  if (seconds < 1) return 'Less than a second';
  if (seconds === 1) return '1 second';
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.floor(seconds / 60);
  if (minutes === 1) return 'About a minute';
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.floor(milliseconds / 3_600_000 + 0.5);
  if (hours === 1) return 'About an hour';
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.floor(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.floor(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.floor(hours / 24 / 30)} months`;
  return `${Math.floor(milliseconds / 3_600_000 / 24 / 365)} years`;
}

const DECIMAL_UNITS = ['B', 'kB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB', 'YB'];
const BINARY_UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB', 'EiB', 'ZiB', 'YiB'];

/** units.HumanSizeWithPrecision: decimal units, `precision` significant digits (`%.4g`). */
export function humanSize(bytes: number, precision = 4): string {
  return scaled(bytes, 1000, DECIMAL_UNITS, precision);
}

/** units.BytesSize: binary units, as `docker stats` prints memory. */
export function bytesSize(bytes: number): string {
  return scaled(bytes, 1024, BINARY_UNITS, 4);
}

function scaled(size: number, base: number, units: readonly string[], precision: number): string {
  let value = size;
  let unit = 0;
  while (value >= base && unit < units.length - 1) {
    value /= base;
    unit++;
  }
  return `${goG(value, precision)}${units[unit]}`;
}

/** fmt's `%.Ng` for the non-negative values sizes have. */
function goG(value: number, precision: number): string {
  if (value === 0) return '0';
  const exponent = Math.floor(Math.log10(value));
  if (exponent < -4 || exponent >= precision) return value.toExponential(precision - 1).replace(/\.?0+e/, 'e').replace(/e([+-])(\d)$/, 'e$10$2');
  return String(Number(value.toPrecision(precision)));
}

/** Go's time.Time.String() in the local zone: `2026-11-30 04:05:35 +0000 UTC`. */
export function goTime(date: Date): string {
  const pad = (value: number, length = 2): string => String(value).padStart(length, '0');
  const offset = -date.getTimezoneOffset();
  const sign = offset < 0 ? '-' : '+';
  const zone = `${sign}${pad(Math.floor(Math.abs(offset) / 60))}${pad(Math.abs(offset) % 60)}`;
  const name = offset === 0 ? 'UTC' : (/^[A-Z]{2,5}$/.exec(new Intl.DateTimeFormat('en-US', { timeZoneName: 'short' }).formatToParts(date).find((part) => part.type === 'timeZoneName')?.value ?? '')?.[0] ?? zone);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())} ${zone} ${name}`;
}

/** docker's Ellipsis: cut to `max` characters, the last one becoming `…`. */
export function ellipsis(text: string, max: number): string {
  const chars = [...text];
  if (chars.length <= max) return text;
  if (max <= 1) return chars.slice(0, max).join('');
  return `${chars.slice(0, max - 1).join('')}…`;
}

/** The local date and time of `nanoseconds` since the epoch, and its zone offset in minutes. */
function localParts(nanoseconds: bigint): { date: Date; fraction: string; offset: number } {
  const millis = Number(nanoseconds / 1_000_000n);
  const date = new Date(millis);
  const fraction = String(((nanoseconds % 1_000_000_000n) + 1_000_000_000n) % 1_000_000_000n).padStart(9, '0');
  return { date, fraction, offset: -date.getTimezoneOffset() };
}

const pad2 = (value: number): string => String(value).padStart(2, '0');
const localDate = (date: Date): string => `${date.getFullYear()}-${pad2(date.getMonth() + 1)}-${pad2(date.getDate())}`;
const localClock = (date: Date): string => `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;

/** Go's time.RFC3339Nano in the local zone, as encoding/json writes a time: `2026-11-30T04:05:35.123456789Z`. */
export function rfc3339Nano(nanoseconds: bigint): string {
  const { date, fraction, offset } = localParts(nanoseconds);
  const digits = fraction.replace(/0+$/, '');
  const zone = offset === 0 ? 'Z' : `${offset < 0 ? '-' : '+'}${pad2(Math.floor(Math.abs(offset) / 60))}:${pad2(Math.abs(offset) % 60)}`;
  return `${localDate(date)}T${localClock(date)}${digits ? `.${digits}` : ''}${zone}`;
}

/** Go's `2006-01-02 15:04:05.000000` layout in the local zone (compose's event lines). */
export function microTime(nanoseconds: bigint): string {
  const { date, fraction } = localParts(nanoseconds);
  return `${localDate(date)} ${localClock(date)}.${fraction.slice(0, 6)}`;
}
