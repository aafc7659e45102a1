// Summarises a V8 .cpuprofile (from `node --cpu-prof`) by where the time went: self time per package
// (node_modules/<name>), per berth folder (dist/<stage>), node's own internals, and the garbage collector.
// Usage: node bench/cpu-profile-summary.mjs FILE.cpuprofile [top]
import { readFileSync } from 'node:fs';

const [file, top = '15'] = process.argv.slice(2);
if (!file) {
  console.error('usage: node bench/cpu-profile-summary.mjs FILE.cpuprofile [top]');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(file, 'utf8'));
const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
const selfMs = new Map();
// Each sample names the node that was running; timeDeltas[i] is the time since the previous sample.
profile.samples.forEach((id, i) => {
  const node = nodes.get(id);
  const group = groupOf(node.callFrame);
  selfMs.set(group, (selfMs.get(group) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
});
const total = [...selfMs.values()].reduce((a, b) => a + b, 0);
const rows = [...selfMs.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(top));
console.log(`total sampled: ${total.toFixed(1)} ms`);
for (const [group, ms] of rows) console.log(`${ms.toFixed(1).padStart(8)} ms  ${(100 * ms / total).toFixed(1).padStart(5)}%  ${group}`);

function groupOf({ url, functionName }) {
  if (!url) return functionName ? `(${functionName})` : '(native)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return `npm:${pkg[1]}`;
  if (url.startsWith('node:')) return 'node internals';
  const own = /\/(dist|src|bin)\/((?:[^/]+\/)?)/.exec(url);
  if (own) return `berth:${own[1]}/${own[2].replace(/\/$/, '') || '.'}`;
  return url;
}
