// What one child started by node costs a process that holds memory: node (libuv) starts children with fork(), which
// write-protects every page of the parent; each page the parent writes afterwards takes a fault. Run on the machine
// the engine runs on (a virtual machine makes the faults dear): node bench/fork-cost.mjs [MB]
// Why berth's engine starts its programs through berth-spawner (src/engine/spawner.ts).
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const megabytes = Number(process.argv[2] ?? 100);
const buffers = Array.from({ length: megabytes }, () => Buffer.alloc(1 << 20, 1));
const faults = () => process.resourceUsage().minorPageFault;
const cpuMs = () => {
  const usage = process.resourceUsage();
  return (usage.userCPUTime + usage.systemCPUTime) / 1000;
};
const touch = () => {
  for (const buffer of buffers) for (let offset = 0; offset < buffer.length; offset += 4096) buffer[offset]++;
};

touch();
let [f0, c0] = [faults(), cpuMs()];
touch();
console.log(`writing ${megabytes} MB, no child started: ${faults() - f0} faults, ${Math.round(cpuMs() - c0)} ms CPU`);
const t0 = performance.now();
const child = spawn('true');
const spawnMs = performance.now() - t0;
await once(child, 'close');
[f0, c0] = [faults(), cpuMs()];
touch();
console.log(`spawn took ${spawnMs.toFixed(1)} ms; writing the same memory after it: ${faults() - f0} faults, ${Math.round(cpuMs() - c0)} ms CPU`);
