// Where a generator writes: DIR as given, or, without one, under bench/results/ (never the repository root). A DIR
// that is only a number is refused: `gen-project.mjs 200` once took the count for the directory and left a `200/`.
import { join } from 'node:path';

export function generatorArgs(script, defaultCount, extra = '') {
  const [dir, count = defaultCount, ...rest] = process.argv.slice(2);
  const usage = () => {
    console.error(`usage: node bench/${script} [DIR] [SERVICES]${extra} (DIR defaults to bench/results/${script.replace(/\.mjs$/, '')})`);
    process.exit(2);
  };
  if (dir !== undefined && /^\d+$/.test(dir)) usage();
  if (!/^\d+$/.test(count)) usage();
  return { dir: dir ?? join('bench', 'results', script.replace(/\.mjs$/, '')), count: Number(count), rest };
}
