// The Dockerfile instructions that change only the image's config (no layer): ENV, LABEL, WORKDIR, USER, EXPOSE,
// CMD, ENTRYPOINT, VOLUME, STOPSIGNAL, HEALTHCHECK, SHELL, ONBUILD, MAINTAINER. Pure: config in, config out.
import type { ContainerDefaults } from '../images.js';
import { DockerfileError, expand, keyValues, splitWords } from './dockerfile.js';
import type { Instruction } from './dockerfile.js';

/** The image config as a build changes it (Docker's container config fields the builder sets). */
export type BuildConfig = { -readonly [K in keyof ContainerDefaults]: ContainerDefaults[K] } & {
  Env: string[];
  Labels: Record<string, string>;
  Shell?: string[];
  OnBuild?: string[];
  Healthcheck?: { Test: string[]; Interval?: number; Timeout?: number; StartPeriod?: number; StartInterval?: number; Retries?: number };
};

export interface StepContext {
  /** Variables for expansion: the config's Env, then the stage's ARGs. */
  readonly variables: Readonly<Record<string, string>>;
  /** Whether CMD was set in this stage (ENTRYPOINT resets an inherited CMD only). */
  readonly cmdSetHere: boolean;
  author?: string;
}

export const DEFAULT_SHELL = ['/bin/sh', '-c'];
export const CONFIG_INSTRUCTIONS = new Set(['ENV', 'LABEL', 'WORKDIR', 'USER', 'EXPOSE', 'CMD', 'ENTRYPOINT', 'VOLUME', 'STOPSIGNAL', 'HEALTHCHECK', 'SHELL', 'ONBUILD', 'MAINTAINER']);

/** Applies one config instruction; returns the new config. */
export function applyConfigStep(config: BuildConfig, instruction: Instruction, context: StepContext): BuildConfig {
  const next: BuildConfig = { ...config, Env: [...config.Env], Labels: { ...config.Labels } };
  const value = (text: string): string => expand(text, context.variables);
  const shell = config.Shell ?? DEFAULT_SHELL;
  const command = (): string[] => (instruction.json ? [...instruction.json] : [...shell, instruction.text]);
  switch (instruction.name) {
    case 'ENV':
      for (const [key, raw] of keyValues(instruction.text, true, instruction.line)) {
        const entry = `${key}=${value(raw)}`;
        const at = next.Env.findIndex((existing) => existing.split('=')[0] === key);
        if (at >= 0) next.Env[at] = entry;
        else next.Env.push(entry);
      }
      break;
    case 'LABEL':
      for (const [key, raw] of keyValues(instruction.text, false, instruction.line)) next.Labels[value(key)] = value(raw);
      break;
    case 'WORKDIR': {
      const dir = value(instruction.text.trim());
      if (!dir) throw new DockerfileError('WORKDIR requires exactly one argument', instruction.line);
      next.WorkingDir = dir.startsWith('/') ? dir : `${(config.WorkingDir || '/').replace(/\/$/, '')}/${dir}`;
      break;
    }
    case 'USER':
      next.User = value(instruction.text.trim());
      break;
    case 'EXPOSE': {
      const ports = { ...config.ExposedPorts };
      for (const word of splitWords(value(instruction.text))) {
        const match = /^(\d+)(?:-(\d+))?(?:\/(tcp|udp|sctp))?$/i.exec(word);
        if (!match) throw new DockerfileError(`invalid containerPort: ${word}`, instruction.line);
        const last = Number(match[2] ?? match[1]);
        for (let port = Number(match[1]); port <= last; port++) ports[`${port}/${(match[3] ?? 'tcp').toLowerCase()}`] = {};
      }
      next.ExposedPorts = ports;
      break;
    }
    case 'CMD':
      next.Cmd = command();
      break;
    case 'ENTRYPOINT':
      next.Entrypoint = command();
      if (!context.cmdSetHere) next.Cmd = null;
      break;
    case 'VOLUME': {
      const paths = instruction.json ?? splitWords(instruction.text);
      if (paths.length === 0) throw new DockerfileError('VOLUME requires at least one argument', instruction.line);
      next.Volumes = { ...config.Volumes, ...Object.fromEntries(paths.map((path) => [value(path), {}])) };
      break;
    }
    case 'STOPSIGNAL':
      next.StopSignal = value(instruction.text.trim());
      break;
    case 'HEALTHCHECK':
      next.Healthcheck = healthcheck(instruction);
      break;
    case 'SHELL':
      if (!instruction.json || instruction.json.length === 0) throw new DockerfileError('SHELL requires the arguments to be in JSON form', instruction.line);
      next.Shell = [...instruction.json];
      break;
    case 'ONBUILD': {
      const trigger = /^\s*(\S+)/.exec(instruction.text)?.[1]?.toUpperCase();
      if (!trigger) throw new DockerfileError('ONBUILD requires an instruction', instruction.line);
      if (['ONBUILD', 'FROM', 'MAINTAINER'].includes(trigger)) throw new DockerfileError(`${trigger} isn't allowed as an ONBUILD trigger`, instruction.line);
      next.OnBuild = [...(config.OnBuild ?? []), instruction.text.trim()];
      break;
    }
    case 'MAINTAINER':
      context.author = instruction.text.trim();
      break;
    default:
      throw new DockerfileError(`${instruction.name} does not change the config alone`, instruction.line);
  }
  return next;
}

function healthcheck(instruction: Instruction): NonNullable<BuildConfig['Healthcheck']> {
  const words = instruction.text.trim();
  if (/^NONE$/i.test(words)) return { Test: ['NONE'] };
  const match = /^CMD\s+([\s\S]+)$/i.exec(words);
  if (!match) throw new DockerfileError('HEALTHCHECK requires NONE or CMD followed by a command', instruction.line);
  let test: string[];
  try {
    const parsed: unknown = JSON.parse(match[1]!);
    test = Array.isArray(parsed) ? ['CMD', ...(parsed as string[])] : ['CMD-SHELL', match[1]!];
  } catch {
    test = ['CMD-SHELL', match[1]!];
  }
  const check: NonNullable<BuildConfig['Healthcheck']> = { Test: test };
  const durations = { interval: 'Interval', timeout: 'Timeout', 'start-period': 'StartPeriod', 'start-interval': 'StartInterval' } as const;
  for (const [flag, text] of Object.entries(instruction.flags)) {
    if (flag === 'retries') {
      if (!/^\d+$/.test(text)) throw new DockerfileError(`invalid --retries: ${text}`, instruction.line);
      check.Retries = Number(text);
    } else if (flag in durations) {
      check[durations[flag as keyof typeof durations]] = nanoseconds(text, instruction.line);
    } else {
      throw new DockerfileError(`unknown flag: --${flag}`, instruction.line);
    }
  }
  return check;
}

/** A Go duration (`30s`, `1m30s`, `500ms`) in nanoseconds. */
function nanoseconds(text: string, line: number): number {
  const units: Record<string, number> = { ns: 1, us: 1e3, µs: 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };
  let total = 0;
  let rest = text;
  while (rest.length > 0) {
    const part = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!part) throw new DockerfileError(`invalid duration: ${text}`, line);
    total += Number(part[1]) * units[part[2]!]!;
    rest = rest.slice(part[0].length);
  }
  return Math.round(total);
}
