// Docker's default seccomp profile resolved for one container, as dockerd does it: a rule applies when the
// container has every capability it includes and none it excludes, on this architecture and kernel.
import { readFileSync } from 'node:fs';
import { release } from 'node:os';

interface Rule {
  readonly names?: readonly string[];
  /** The older spelling of a rule for one system call. */
  readonly name?: string;
  readonly action: string;
  readonly args?: ReadonlyArray<{ index: number; value?: number; valueTwo?: number; op: string }>;
  readonly errnoRet?: number;
  readonly includes?: Condition;
  readonly excludes?: Condition;
}

interface Condition {
  readonly caps?: readonly string[];
  readonly arches?: readonly string[];
  readonly minKernel?: string;
}

/** A profile in Docker's format: its default, or one a client sent (`seccomp=<JSON>`, checked by security-opt.ts). */
export interface Profile {
  readonly defaultAction: string;
  readonly defaultErrnoRet?: number;
  readonly architectures?: readonly string[];
  readonly archMap?: ReadonlyArray<{ architecture: string; subArchitectures?: readonly string[] }>;
  readonly flags?: readonly string[];
  readonly syscalls?: readonly Rule[];
}

let profile: Profile | undefined;

function defaultProfile(): Profile {
  profile ??= JSON.parse(readFileSync(new URL('./seccomp-default.json', import.meta.url), 'utf8')) as Profile;
  return profile;
}

/** `5.10.0-23-amd64` -> [5, 10]. */
function kernelVersion(text: string): [number, number] {
  const [major = 0, minor = 0] = text.split(/[.-]/).map(Number);
  return [major, minor];
}

function atLeast(kernel: [number, number], minimum: string): boolean {
  const [major, minor] = kernelVersion(minimum);
  return kernel[0] > major || (kernel[0] === major && kernel[1] >= minor);
}

/** The OCI `linux.seccomp` for a container with these (bounding) capabilities, on amd64 (Docker's profile by default). */
export function resolveSeccomp(capabilities: readonly string[], kernel = release(), source: Profile = defaultProfile()): Record<string, unknown> {
  const arch = 'amd64';
  const running = kernelVersion(kernel);
  const has = (cap: string): boolean => capabilities.includes(cap);
  const syscalls = (source.syscalls ?? [])
    .filter((rule) => {
      const { includes = {}, excludes = {} } = rule;
      if (excludes.arches?.includes(arch)) return false;
      if (excludes.caps?.some(has)) return false;
      if (excludes.minKernel && atLeast(running, excludes.minKernel)) return false;
      if (includes.arches && !includes.arches.includes(arch)) return false;
      if (includes.caps && !includes.caps.every(has)) return false;
      if (includes.minKernel && !atLeast(running, includes.minKernel)) return false;
      return true;
    })
    .map((rule) => ({
      names: rule.names ?? (rule.name ? [rule.name] : []),
      action: rule.action,
      ...(rule.args && rule.args.length > 0 ? { args: rule.args.map((arg) => ({ index: arg.index, value: arg.value ?? 0, ...(arg.valueTwo ? { valueTwo: arg.valueTwo } : {}), op: arg.op })) } : {}),
      ...(rule.errnoRet !== undefined ? { errnoRet: rule.errnoRet } : {}),
    }));
  const native = source.archMap?.find((entry) => entry.architecture === 'SCMP_ARCH_X86_64');
  const architectures = source.architectures && source.architectures.length > 0 ? [...source.architectures] : native ? [native.architecture, ...(native.subArchitectures ?? [])] : ['SCMP_ARCH_X86_64'];
  return {
    defaultAction: source.defaultAction,
    ...(source.defaultErrnoRet !== undefined ? { defaultErrnoRet: source.defaultErrnoRet } : {}),
    architectures,
    ...(source.flags && source.flags.length > 0 ? { flags: [...source.flags] } : {}),
    syscalls: syscalls.filter((rule) => rule.names.length > 0),
  };
}
