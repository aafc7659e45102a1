// Runs node's built-in test runner over the compiled unit tests (dist/**/*.test.js; `npm run test:unit` for just
// those, after an incremental compile), then the scenario tests in
// test/e2e (TypeScript, run through tsx) against the engine the environment points at (dockerd), then the
// black-box scenarios once more against berth's own engine. Node 20 takes no globs.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

function testFiles(dir, suffix) {
  const found = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...testFiles(path, suffix));
    else if (entry.name.endsWith(suffix)) found.push(path);
  }
  return found.sort();
}

/** Container network namespaces on the host (`/run/netns/berth-<id>`), by name. */
function containerNamespaces() {
  return existsSync('/run/netns') ? readdirSync('/run/netns').filter((name) => /^berth-[0-9a-f]{12}$/.test(name)) : [];
}

// What killed runs of earlier tests left (bridges, filter tables, namespaces, mounts of engines no longer running)
// would otherwise stay on the machine for good, and can clash with this run's.
spawnSync(process.execPath, ['scripts/sweep-engine-leftovers.mjs'], { stdio: 'inherit', timeout: 120_000 });

const namespacesBefore = new Set(containerNamespaces());
/**
 * Says which container network namespaces a phase left behind, so a leak is seen and placed, not found days later
 * on the machine. In CI (a machine of its own) those no process uses are removed, so that the next phase and the
 * next run start clean; on a shared machine another run's could be among them, so they are only named.
 */
function reportLeftNamespaces(phase) {
  const left = containerNamespaces().filter((name) => !namespacesBefore.has(name));
  if (left.length === 0) return;
  console.log(`\n# warning: ${phase} left ${left.length} container network namespace(s) behind: ${left.join(' ')}`);
  for (const name of left) {
    namespacesBefore.add(name);
    const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8' }).stdout.trim();
    if (process.env.CI === 'true' && pids === '') spawnSync('ip', ['netns', 'del', name], { stdio: 'ignore' });
  }
}

const only = process.argv[2];
// A compiled test whose source is gone (an incremental build keeps it) is not run.
const unit = only === 'e2e' ? [] : testFiles('dist', '.test.js').filter((file) => existsSync(file.replace(/^dist/, 'src').replace(/\.js$/, '.ts')));
// The example suites (examples/*/*.test.mjs, e.g. the library's) run beside the scenarios, on both engines.
const e2e = only === 'unit' ? [] : [...testFiles('test/e2e', '.test.ts'), ...testFiles('examples', '.test.mjs')];
if (unit.length === 0 && only !== 'e2e') {
  console.error('no test files found under dist/: run `npm run build` first');
  process.exit(1);
}
// A test that hangs fails after this long instead of holding the whole run until CI's own limit: the runner reports
// it by name and goes on. Open handles a test file leaves behind do not keep its process alive either.
const UNIT_TIMEOUT = '--test-timeout=300000';
const SCENARIO_TIMEOUT = '--test-timeout=600000';
let status = 0;
if (unit.length > 0) {
  status = spawnSync(process.execPath, ['--test', '--test-concurrency=2', UNIT_TIMEOUT, '--test-force-exit', ...unit], { stdio: 'inherit' }).status ?? 1;
  reportLeftNamespaces('the unit tests');
}
if (e2e.length > 0) {
  const typecheck = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'test/tsconfig.json'], { stdio: 'inherit' });
  if (typecheck.status !== 0) status = 1;
  // A test that makes dockerd a swarm manager changes it for every other test (networks become swarm-scoped, an
  // overlay network is no longer a bridge): those files run after the others, one at a time.
  const swarm = e2e.filter((file) => /\/swarm-[^/]*\.test\.ts$/.test(file));
  const shared = e2e.filter((file) => !swarm.includes(file));
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', SCENARIO_TIMEOUT, '--test-force-exit', ...shared], { stdio: 'inherit' });
  if (result.status !== 0) status = result.status ?? 1;
  reportLeftNamespaces('the scenarios on dockerd');
  if (swarm.length > 0) {
    console.log(`\n# the scenarios that take dockerd into a swarm, alone: ${swarm.length} files`);
    const alone = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=1', SCENARIO_TIMEOUT, '--test-force-exit', ...swarm], { stdio: 'inherit' });
    if (alone.status !== 0) status = alone.status ?? 1;
    reportLeftNamespaces('the swarm scenarios');
  }
  // The engine's own tests drive it directly; every other scenario runs again on it, unchanged.
  const blackBox = e2e.filter((file) => !/\/engine[^/]*\.test\.ts$/.test(file));
  console.log(`\n# the scenarios again, on berth's own engine: ${blackBox.length} files`);
  const onEngine = spawnSync(process.execPath, ['--import', 'tsx', 'test/e2e/on-berth-engine.ts', ...blackBox], { stdio: 'inherit' });
  if (onEngine.status !== 0) status = onEngine.status ?? 1;
  reportLeftNamespaces("the scenarios on berth's engine");
}
process.exit(status);
