// compose's own `formatter.Print` (ls, images, volumes' neighbours): `table` (or `pretty`) and `json` only, any case;
// anything else is compose's "could not be parsed" error.
import { BerthError } from '../model/errors.js';

export type PrintFormat = 'table' | 'json';

export function printFormat(flag: string): PrintFormat {
  const format = flag.toLowerCase();
  if (format === 'table' || format === 'pretty' || format === '') return 'table';
  if (format === 'json' || format === '{{json .}}') return 'json';
  throw new BerthError(`format value "${flag}" could not be parsed: parsing failed (use table or json)`);
}
