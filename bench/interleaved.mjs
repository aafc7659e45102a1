// Runs commands in turns (round 1: each once, round 2: each once, ...) so that a shared machine's load drifts over
// all of them alike, unlike hyperfine's back-to-back runs. Prints median wall and user CPU per command.
// Usage: node bench/interleaved.mjs ROUNDS 'name=command' ...   (a command is split on spaces, run without a shell)
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [rounds, ...specs] = process.argv.slice(2);
if (!rounds || specs.length === 0) {
  console.error("usage: node bench/interleaved.mjs ROUNDS 'name=command' ...");
  process.exit(2);
}
const commands = specs.map((spec) => {
  const at = spec.indexOf('=');
  return { name: spec.slice(0, at), argv: spec.slice(at + 1).split(' ').filter(Boolean), wall: [], user: [] };
});
const dir = mkdtempSync(join(tmpdir(), 'berth-interleaved-'));
const times = join(dir, 'time');
try {
  for (let round = 0; round < Number(rounds) + 1; round++) {
    for (const command of commands) {
      const started = process.hrtime.bigint();
      const run = spawnSync('/usr/bin/time', ['-f', '%U', '-o', times, ...command.argv], { stdio: 'ignore', timeout: 120_000 });
      const wall = Number(process.hrtime.bigint() - started) / 1e6;
      if (run.status !== 0) throw new Error(`${command.name} failed (${run.status ?? run.signal})`);
      // Round 0 warms caches (the load cache, the page cache) and is not counted.
      if (round === 0) continue;
      command.wall.push(wall);
      command.user.push(Number(readFileSync(times, 'utf8').trim().split('\n').pop()) * 1000);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const base = commands[0];
console.log(`| command | median wall [ms] | x ${base.name} | median user CPU [ms] |`);
console.log('|---|---:|---:|---:|');
for (const command of commands) {
  console.log(`| ${command.name} | ${median(command.wall).toFixed(0)} | ${(median(command.wall) / median(base.wall)).toFixed(2)} | ${median(command.user).toFixed(0)} |`);
}
