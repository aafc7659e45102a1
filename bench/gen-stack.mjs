// Writes a runnable stack of N services (default 10) into DIR: each depends on the previous one, runs a process
// that stops at once on SIGTERM, shares a named volume and the default network. Image: the busybox test image.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatorArgs } from './output-dir.mjs';

const { dir, count: n, rest } = generatorArgs('gen-stack.mjs', '10', ' [IMAGE]');
const image = rest[0] ?? 'berth-test-busybox:latest';
// version: docker-compose 1.x needs it to read services: (berth warns that it is obsolete and ignores it).
let yaml = 'version: "3.8"\nservices:\n';
for (let i = 0; i < n; i++) {
  yaml += `  svc${i}:\n    image: ${image}\n`;
  yaml += `    command: ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done & wait"]\n`;
  yaml += `    environment:\n      INDEX: "${i}"\n    volumes: ["shared:/data"]\n`;
  if (i > 0) yaml += `    depends_on: [svc${i - 1}]\n`;
}
yaml += 'volumes:\n  shared: {}\n';
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'compose.yaml'), yaml);
