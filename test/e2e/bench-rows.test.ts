// The bench's steps and rows (bench/lib.sh, used by bench/run.sh and bench/stack-phases.sh) go on when one fails:
// the failure is "failed: <reason>" where its figures would be, the rest still runs, and the run exits non-zero at
// its end. Checked with a row forced to fail (the whole bench takes 25 minutes); no engine is involved.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { ROOT } from './helpers.js';

/** Runs a bash script that sources bench/lib.sh under the bench scripts' own settings, in `dir`. */
function bench(dir: string, script: string): { code: number | null; stdout: string; stderr: string } {
  const full = `set -euo pipefail\nsource ${JSON.stringify(join(ROOT, 'bench/lib.sh'))}\n${script}`;
  const result = spawnSync('bash', ['-c', full], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
  assert.equal(result.error, undefined, `bash did not finish: ${String(result.error)}`);
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

test('a bench step that fails is reported as failed with its reason, the next steps run, and the run ends non-zero', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-rows-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = bench(
    dir,
    `
    rows() { echo figures; echo 'error while removing network: network x has active endpoints' >&2; false; echo 'not reached'; }
    bench_step first true
    bench_step scale rows
    bench_step after touch after-ran
    bench_summary
    echo 'not reached either'
    `,
  );
  assert.equal(run.code, 1, run.stderr);
  assert.ok(existsSync(join(dir, 'after-ran')), 'the step after the failed one ran');
  assert.match(run.stdout, /^figures$/m, "the failed step's output is shown");
  assert.doesNotMatch(run.stdout, /not reached/);
  assert.match(run.stderr, /error while removing network/, "the failed step's stderr is shown as it comes");
  const summary = readFileSync(join(dir, 'bench/results/summary.md'), 'utf8');
  assert.match(summary, /\| first \| ok \|\n\| scale \| failed: error while removing network: network x has active endpoints \|\n\| after \| ok \|/);
  assert.match(readFileSync(join(dir, 'bench/results/scale.md'), 'utf8'), /: failed: error while removing network: network x has active endpoints\n$/);
});

test("a table row whose run fails says so in the table, the other rows are still timed, and the table's script ends non-zero", (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'berth-bench-rows-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const run = bench(
    dir,
    `
    : > samples
    time_row samples 'dockerd: down (w=100)' bash -c 'echo "Error response from daemon: stale endpoint" >&2; exit 1'
    time_row samples 'engine: up' true
    time_row samples 'engine: down' true
    time_row samples 'engine: down' timeout 0.1 sleep 5
    print_rows samples
    `,
  );
  assert.equal(run.code, 1, run.stderr);
  const table = run.stdout.trim().split('\n');
  assert.equal(table.length, 5, run.stdout);
  assert.equal(table[2], '| dockerd: down (w=100) | failed: Error response from daemon: stale endpoint | | |');
  assert.match(table[3]!, /^\| engine: up \| \d+\.\d\d \| \d+\.\d\d–\d+\.\d\d \| \d+\.\d\d \|$/);
  assert.match(table[4]!, /^\| engine: down \| \d+\.\d\d \(1 of 2 runs failed: timed out\) \|/);
});
