// Property: whatever a compose project holds, loading it ends in a project or in one BerthError that says where
// (file, and line and column where there is one), never another exception, and never takes long. Bounded for CI;
// a failure prints the seed: `FUZZ_SEED=<seed> node --test dist/model/load.fuzz.test.js` replays it, and
// `FUZZ_RUNS=<n>` runs more cases.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { BerthError } from './errors.js';
import { hostileProject, KNOWN_CRASHERS, readSeeds } from './hostile-projects.js';
import type { HostileProject } from './hostile-projects.js';
import { DISK } from './files.js';
import { loadFromFiles } from './load-passes.js';
import { bindProject } from './types.js';

const fixtures = fileURLToPath(new URL('../../fixtures', import.meta.url));
const seeds = readSeeds([join(fixtures, 'model'), join(fixtures, 'fuzz')]);
const runs = Number(process.env.FUZZ_RUNS ?? 0);
const seed = process.env.FUZZ_SEED === undefined ? Date.now() ^ (Math.random() * 0x100000000) : Number(process.env.FUZZ_SEED);

/** CPU time, not wall time: the machine running the tests may be busy with other work. */
const CPU_BUDGET_MS = 1000;

/** Loads the project from a fresh directory: a project, or a BerthError with a location. Never slow. */
function loadsOrRefuses(root: string, project: HostileProject): void {
  const dir = mkdtempSync(join(root, 'p-'));
  try {
    for (const [name, text] of Object.entries(project.files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    const before = process.cpuUsage();
    let failure: unknown;
    try {
      bindProject(
        loadFromFiles({ cwd: dir, environment: project.environment, files: project.composeFiles.map((file) => join(dir, file)), projectName: 'fuzz', warn: () => {} }, DISK),
      );
    } catch (error) {
      failure = error;
    }
    const used = process.cpuUsage(before);
    const ms = (used.user + used.system) / 1000;
    assert.ok(ms < CPU_BUDGET_MS, `loading took ${ms.toFixed(0)} ms of CPU`);
    if (failure === undefined) return;
    assert.ok(failure instanceof BerthError, `not a BerthError: ${(failure as Error)?.stack ?? String(failure)}`);
    assert.ok(failure.position !== undefined, `a BerthError without a location: ${failure.describe()}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function check(name: string, arbitrary: fc.Arbitrary<HostileProject>, numRuns: number): void {
  test(name, (t) => {
    const root = mkdtempSync(join(tmpdir(), 'berth-fuzz-'));
    t.after(() => rmSync(root, { recursive: true, force: true }));
    const result = fc.check(
      fc.property(arbitrary, (project) => loadsOrRefuses(root, project)),
      { seed, numRuns: runs || numRuns, endOnFailure: true },
    );
    if (result.failed) {
      const project = result.counterexample?.[0];
      const shown = JSON.stringify(project, (_key, value: unknown) => (typeof value === 'string' && value.length > 400 ? `${value.slice(0, 400)}... (${value.length} chars)` : value), 2);
      const message = String((result.errorInstance as Error | undefined)?.message ?? result.error);
      assert.fail(`${message.length > 2000 ? `${message.slice(0, 2000)}...` : message}\nreplay with FUZZ_SEED=${seed} (path ${result.counterexamplePath})\n${shown}`);
    }
  });
}

check(`mutated fixtures and hostile documents load or are refused with a location (seed ${seed})`, hostileProject(seeds), 1200);
for (const [name, arbitrary] of Object.entries(KNOWN_CRASHERS)) check(`known crashers: ${name} (seed ${seed})`, arbitrary, 100);

const yamlish = fc.oneof(
  fc.string(),
  fc.json(),
  fc.constantFrom('services:', 'services:\n  web:\n', '  image: x\n', '- a\n', ': :\n', '${X:?', '!reset', '&a *a', '<<: *b', '\t', '---\n', '? [a]\n', '!!merge', '%YAML 1.1'),
);

check(
  `random text loads or is refused with a location (seed ${seed})`,
  fc.array(yamlish, { maxLength: 8 }).map((parts) => ({ files: { 'compose.yaml': parts.join('\n') }, composeFiles: ['compose.yaml'], environment: {} })),
  300,
);
