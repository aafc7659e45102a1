// For unit tests of pure logic only (scenario tests run against real engines): an Engine whose every call is
// recorded as `group.method arg...` and answers what the test says, or nothing (an empty list for `list`).
import type { Containers } from './containers.js';
import type { Execs } from './exec.js';
import type { Images } from './images.js';
import type { Engine } from './index.js';
import type { Networks } from './networks.js';
import type { Volumes } from './volumes.js';

export interface FakeAnswers {
  readonly containers?: Partial<Containers>;
  readonly execs?: Partial<Execs>;
  readonly networks?: Partial<Networks>;
  readonly volumes?: Partial<Volumes>;
  readonly images?: Partial<Images>;
}

export interface FakeEngine {
  readonly engine: Engine;
  /** `containers.stop c1 10`, in the order made. */
  readonly calls: string[];
}

export function fakeEngine(answers: FakeAnswers = {}): FakeEngine {
  const calls: string[] = [];
  const group = <T extends object>(name: string, given: Partial<T> = {}): T =>
    new Proxy({} as T, {
      get: (_target, method: string) =>
        (...args: unknown[]) => {
          calls.push([`${name}.${method}`, ...args.filter((arg) => arg !== undefined && typeof arg !== 'function' && !(arg instanceof AbortSignal)).map(show)].join(' '));
          const answer = (given as Record<string, ((...a: unknown[]) => unknown) | undefined>)[method];
          if (answer) return answer(...args);
          return Promise.resolve(method === 'list' ? [] : undefined);
        },
    });
  const engine = {
    endpoint: { url: 'unix:///fake.sock', source: 'flag' },
    apiVersion: '1.47',
    os: 'linux',
    containers: group<Containers>('containers', answers.containers),
    execs: group<Execs>('execs', answers.execs),
    networks: group<Networks>('networks', answers.networks),
    volumes: group<Volumes>('volumes', answers.volumes),
    images: group<Images>('images', answers.images),
    transport: undefined,
  } as unknown as Engine;
  return { engine, calls };
}

function show(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
