// Runs the black-box scenario files given as arguments once more, against berth's own engine: one engine is
// started for the run (the test image loaded into it), the scenarios get it as DOCKER_HOST, and it is stopped and
// cleaned up afterwards. Called by scripts/run-tests.mjs after the run on dockerd.
import { spawnSync } from 'node:child_process';
import { startTestEngine } from './engine-helpers.js';

const files = process.argv.slice(2);
const engine = await startTestEngine();
let status = 1;
try {
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-timeout=600000', '--test-force-exit', ...files], {
    stdio: 'inherit',
    env: { ...process.env, DOCKER_HOST: engine.host, BERTH_TEST_ENGINE: 'berth' },
  });
  status = result.status ?? 1;
} finally {
  await engine.stop();
}
process.exit(status);
