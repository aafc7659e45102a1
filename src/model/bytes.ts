// Memory and size values: compose accepts an integer byte count or a human size such as "50M" or "1.5g".
import { BerthError, quote } from './errors.js';
import type { TreePath } from './tree.js';

// Binary multiples, as docker's RAMInBytes reads them: "1k" and "1kb" and "1KiB" are all 1024.
const MULTIPLIERS: Readonly<Record<string, number>> = {
  '': 1,
  k: 1024,
  m: 1024 ** 2,
  g: 1024 ** 3,
  t: 1024 ** 4,
  p: 1024 ** 5,
};

const HUMAN_SIZE = /^(\d+(?:\.\d+)*) ?([kmgtp])?i?b?$/i;

/** Bytes in `value`: an integer (negative allowed, e.g. -1 for unlimited swap) or a human size, exact in a double. */
export function parseBytes(value: unknown, path: TreePath = []): number {
  const fail = (why = ''): never => {
    throw new BerthError(`invalid size ${quote(value)}${why}`, { path });
  };
  let bytes: number;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) fail();
    bytes = Math.trunc(value);
  } else if (typeof value === 'string') {
    const text = value.trim();
    if (/^[-+]?\d+$/.test(text)) {
      bytes = Number(text);
    } else {
      const match = HUMAN_SIZE.exec(text);
      const amount = match?.[1];
      if (match === null || amount === undefined || amount.split('.').length > 2) return fail();
      const multiplier = MULTIPLIERS[(match[2] ?? '').toLowerCase()] ?? 1;
      bytes = Math.trunc(Number(amount) * multiplier);
    }
  } else {
    return fail();
  }
  if (!Number.isSafeInteger(bytes)) fail(`: more than ${Number.MAX_SAFE_INTEGER} bytes`);
  return bytes;
}
