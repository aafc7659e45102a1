// Removes what berth engines that no longer run left on this host: a test or benchmark killed before its cleanup
// leaves its engine's bridges, packet filter table or chains, container network namespaces and mounts behind, and
// nothing else ever takes them away. An engine's things carry its tag (a digest of its root directory), so a thing
// is left over when no running `berth engine` process has a root with that tag. The engine at the default root
// (/var/lib/berth, tag `berth`) is never swept: it may be stopped on purpose with its networks kept.
// Usage: node scripts/sweep-engine-leftovers.mjs [--dry-run]   (after `npm run build`; as root)
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { markedInterfaces } from '../dist/engine/runtime/links.js';
import { ruleNames } from '../dist/engine/runtime/netfilter-rules.js';
import { engineTag } from '../dist/engine/services/networks.js';

const dryRun = process.argv.includes('--dry-run');
const DEFAULT_TAG = 'berth';
const removed = [];

/** The roots of the `berth engine` processes running now (`--root DIR`; the default root when none is given). */
function liveRoots() {
  const roots = new Set();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let words;
    try {
      words = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue; // ended meanwhile
    }
    const verb = words.findIndex((word, at) => word === 'engine' && at > 0 && /berth(\.js)?$/.test(words[at - 1]));
    if (verb < 0) continue;
    const flag = words.indexOf('--root', verb);
    roots.add(flag > 0 && words[flag + 1] ? words[flag + 1] : '/var/lib/berth');
  }
  return roots;
}

function run(program, args) {
  if (dryRun) return true;
  return spawnSync(program, args, { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

function remove(what, program, args) {
  if (run(program, args)) removed.push(what);
}

const roots = liveRoots();
const liveTags = new Set([DEFAULT_TAG, ...[...roots].map((root) => engineTag(root))]);
const leftOver = (tag) => /^berth-[0-9a-f]{10}$/.test(tag) && !liveTags.has(tag);

// Bridges: the engine marks its own in their alias, `TAG:NETWORK`.
for (const { name, mark } of markedInterfaces('berth-')) {
  const tag = mark.split(':')[0];
  if (mark.includes(':') && leftOver(tag)) remove(`bridge ${name} (${tag})`, 'ip', ['link', 'del', name]);
}

// Packet filter: an nft table named by the tag, or (iptables hosts) two chains named from it.
const tables = spawnSync('nft', ['list', 'tables'], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '';
for (const [, tag] of tables.matchAll(/^table ip (\S+)$/gm)) if (leftOver(tag)) remove(`nft table ip ${tag}`, 'nft', ['delete', 'table', 'ip', tag]);
for (const table of ['filter', 'nat']) {
  const rules = spawnSync('iptables', ['-w', '-t', table, '-S'], { encoding: 'utf8', timeout: 10_000 }).stdout ?? '';
  for (const [, chain] of rules.matchAll(/^-N (BERTH-[0-9A-F]{10})-(?:FWD|NAT)$/gm)) {
    const tag = chain.toLowerCase();
    if (!leftOver(tag)) continue;
    const { forwardChain, natChain } = ruleNames(tag);
    const [from, own] = table === 'filter' ? ['FORWARD', forwardChain] : ['POSTROUTING', natChain];
    if (dryRun) {
      removed.push(`iptables ${table} chain ${own}`);
      continue;
    }
    while (spawnSync('iptables', ['-w', '-t', table, '-D', from, '-j', own], { stdio: 'ignore', timeout: 10_000 }).status === 0);
    remove(`iptables ${table} chain ${own}`, 'sh', ['-c', `iptables -w -t ${table} -F ${own} && iptables -w -t ${table} -X ${own}`]);
  }
}

// Container network namespaces (`berth-<id12>`): left over when no process is in one and no live engine knows the
// container (a created container's namespace may wait for its start).
const known = new Set();
for (const root of roots) {
  const containers = join(root, 'containers');
  for (const id of existsSync(containers) ? readdirSync(containers) : []) known.add(`berth-${id.slice(0, 12)}`);
}
for (const name of existsSync('/run/netns') ? readdirSync('/run/netns') : []) {
  if (!/^berth-[0-9a-f]{12}$/.test(name) || known.has(name)) continue;
  const pids = spawnSync('ip', ['netns', 'pids', name], { encoding: 'utf8', timeout: 10_000 }).stdout?.trim();
  if (pids === '') remove(`network namespace ${name}`, 'ip', ['netns', 'del', name]);
}

// Mounts of engines' roots that no engine runs at any more (overlays, volumes), deepest first.
const mountpoints = readFileSync('/proc/self/mountinfo', 'utf8')
  .split('\n')
  .map((line) => line.split(' ')[4])
  .filter((point) => point && /\/berth-(?:engine|bench)[^/]*\/root\//.test(point) && ![...roots].some((root) => point.startsWith(`${root}/`)))
  .sort((a, b) => b.length - a.length);
for (const point of mountpoints) remove(`mount ${point}`, 'umount', ['-l', point]);

for (const what of removed) console.log(`${dryRun ? 'would remove' : 'removed'} ${what}`);
