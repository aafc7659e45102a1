// Writes a compose project with N services (default 200) into DIR: chained depends_on, env, ports, volumes, labels.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generatorArgs } from './output-dir.mjs';

const { dir, count: n } = generatorArgs('gen-project.mjs', '200');
// version: docker-compose 1.x needs it to read services: (berth warns that it is obsolete and ignores it).
let yaml = 'version: "3.8"\nservices:\n';
for (let i = 0; i < n; i++) {
  yaml += `  svc${i}:\n    image: \${REGISTRY:-registry.local}/svc${i}:\${TAG:-1}\n`;
  yaml += `    environment:\n      INDEX: "${i}"\n      PEER: svc${(i + 1) % n}\n`;
  yaml += `    ports: ["${20000 + i}:80"]\n    volumes: ["data${i % 10}:/data", "./conf:/conf:ro"]\n`;
  yaml += `    labels: [bench.index=${i}]\n    networks: [net${i % 3}]\n`;
  if (i > 0) yaml += `    depends_on: [svc${i - 1}]\n`;
  yaml += '    healthcheck: {test: ["CMD", "true"], interval: 5s}\n';
}
yaml += 'networks:\n' + [0, 1, 2].map((k) => `  net${k}: {}\n`).join('');
yaml += 'volumes:\n' + Array.from({ length: 10 }, (_, k) => `  data${k}: {}\n`).join('');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'compose.yaml'), yaml);
