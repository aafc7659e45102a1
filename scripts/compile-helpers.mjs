// Compiles the engine's small C helpers (the per-container monitor, the whiteout converter and the spawner) into dist/engine/.
// Without a C compiler the build still succeeds; the engine then says at start what is missing.
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync } from 'node:fs';

// Data the engine reads at run time, next to its compiled code.
mkdirSync('dist/engine/runtime', { recursive: true });
for (const data of ['oci-defaults.json', 'seccomp-default.json']) copyFileSync(`src/engine/runtime/${data}`, `dist/engine/runtime/${data}`);

const compiler = ['cc', 'gcc', 'clang'].find((name) => spawnSync(name, ['--version'], { stdio: 'ignore' }).status === 0);
if (!compiler) {
  console.warn('no C compiler (cc): berth engine will not run until `apt-get install gcc` and a rebuild');
  process.exit(0);
}
mkdirSync('dist/engine', { recursive: true });
for (const helper of ['monitor', 'whiteouts', 'spawner']) {
  const result = spawnSync(compiler, ['-O2', '-Wall', '-Wextra', '-o', `dist/engine/berth-${helper}`, `src/engine/runtime/${helper}.c`], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
