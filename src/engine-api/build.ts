// `POST /build` (the classic builder): its query parameters, as engine-api-v1.swagger.yaml lists them. The body is
// the context tar, streamed.
import { list, map, nullable, string } from './describe.js';
import { Ulimit } from './containers.js';
import { flag, int, json, text, texts } from './query.js';
import type { QueryOf } from './query.js';

export const BuildQuery = {
  dockerfile: text({ max: 4096 }),
  t: texts({ max: 1024 }),
  extrahosts: text(),
  remote: text({ max: 4096 }),
  q: flag(),
  nocache: flag(),
  cachefrom: json(list(string({ max: 1024 }))),
  pull: text({ max: 64 }),
  rm: flag(),
  forcerm: flag(),
  memory: int(),
  memswap: int(),
  cpushares: int(),
  cpusetcpus: text({ max: 1024 }),
  cpuperiod: int(),
  cpuquota: int(),
  // A null value is an argument named but not given (`--build-arg NAME` without a value in the environment).
  buildargs: json(map(nullable(string()), { maxKey: 4096 })),
  shmsize: int({ min: 0 }),
  squash: flag(),
  labels: json(map(string())),
  networkmode: text({ max: 512 }),
  platform: text({ max: 256 }),
  target: text({ max: 1024 }),
  outputs: text({ max: 4096 }),
  version: text({ max: 8 }),
  /** Not in the swagger's list, but sent by the docker CLI and docker-compose: `--ulimit` for RUN steps. */
  ulimits: json(list(Ulimit)),
  /** Not in the swagger's list; the docker CLI sends it (`--iidfile` is written by the client). */
  session: text({ max: 256 }),
} as const;

export type BuildQueryValues = QueryOf<typeof BuildQuery>;
