// `HostConfig.SecurityOpt` as dockerd reads it: `key=value` (or the older `key:value`) entries for
// no-new-privileges, seccomp (unconfined, or a profile's JSON as the docker CLI sends it), apparmor, SELinux labels,
// systempaths and writable-cgroups. Parsed once here for the field table (what is refused) and for the spec.
import { existsSync } from 'node:fs';
import { any, integer, list, object, readBody, required, string, WireError } from '../../engine-api/describe.js';
import type { WireType } from '../../engine-api/describe.js';
import type { HostSupport } from './host-support.js';

const ACTIONS = ['SCMP_ACT_KILL', 'SCMP_ACT_KILL_PROCESS', 'SCMP_ACT_KILL_THREAD', 'SCMP_ACT_TRAP', 'SCMP_ACT_ERRNO', 'SCMP_ACT_TRACE', 'SCMP_ACT_ALLOW', 'SCMP_ACT_LOG'] as const;
const OPERATORS = ['SCMP_CMP_NE', 'SCMP_CMP_LT', 'SCMP_CMP_LE', 'SCMP_CMP_EQ', 'SCMP_CMP_GE', 'SCMP_CMP_GT', 'SCMP_CMP_MASKED_EQ'] as const;
const condition = object({ caps: list(string({ max: 64 })), arches: list(string({ max: 64 })), minKernel: string({ max: 32 }) });

/** A seccomp profile in Docker's format (moby's profiles/seccomp), as `seccomp=<JSON>` carries it. */
export const SeccompProfile = object({
  defaultAction: required(string({ values: ACTIONS })),
  defaultErrnoRet: integer({ min: 0, max: 4095 }),
  architectures: list(string({ max: 64 }), { max: 64 }),
  archMap: list(object({ architecture: required(string({ max: 64 })), subArchitectures: list(string({ max: 64 }), { max: 64 }) }), { max: 64 }),
  listenerPath: string({ max: 4096 }),
  listenerMetadata: string({ max: 4096 }),
  flags: list(string({ max: 64 }), { max: 16 }),
  syscalls: list(
    object({
      name: string({ max: 128 }),
      names: list(string({ max: 128 }), { max: 1024 }),
      action: required(string({ values: ACTIONS })),
      errnoRet: integer({ min: 0, max: 4095 }),
      args: list(object({ index: required(integer({ min: 0, max: 5 })), value: integer({ min: 0 }), valueTwo: integer({ min: 0 }), op: required(string({ values: OPERATORS })) }), { max: 6 }),
      includes: condition,
      excludes: condition,
      comment: any(),
    }),
    { max: 4096 },
  ),
});
export type SeccompProfileBody = WireType<typeof SeccompProfile>;

export interface SecurityOptions {
  readonly noNewPrivileges: boolean;
  /** `unconfined`, a custom profile, or Docker's default (absent). */
  readonly seccomp?: 'unconfined' | SeccompProfileBody;
  readonly apparmor?: string;
  /** `systempaths=unconfined`: no masked or read-only paths under /proc and /sys. */
  readonly unconfinedSystemPaths: boolean;
  readonly writableCgroups?: boolean;
}

const LABEL_KEYS = ['user', 'role', 'type', 'level', 'filetype'];

function truthy(key: string, value: string): boolean {
  if (value === 'true') return true;
  if (value === 'false') return false;
  throw new WireError('HostConfig.SecurityOpt', `invalid --security-opt value for ${key}: "${value}" (true or false)`);
}

/** Parses the entries; an entry the engine cannot honour on this host is a `WireError` naming it. */
export function parseSecurityOpt(entries: readonly string[], host: Pick<HostSupport, 'apparmor'>, selinux = selinuxEnabled()): SecurityOptions {
  let noNewPrivileges = false;
  let seccomp: SecurityOptions['seccomp'];
  let apparmor: string | undefined;
  let unconfinedSystemPaths = false;
  let writableCgroups: boolean | undefined;
  const field = 'HostConfig.SecurityOpt';
  for (const entry of entries) {
    const separator = entry.includes('=') ? '=' : entry.includes(':') ? ':' : undefined;
    const key = separator ? entry.slice(0, entry.indexOf(separator)) : entry;
    const value = separator ? entry.slice(entry.indexOf(separator) + 1) : '';
    const shown = entry.length > 80 ? `${entry.slice(0, 77)}...` : entry;
    switch (key) {
      case 'no-new-privileges':
        noNewPrivileges = separator ? truthy(key, value) : true;
        break;
      case 'seccomp':
        if (value === 'unconfined') seccomp = 'unconfined';
        else if (value === '' || value === 'builtin') seccomp = undefined;
        else seccomp = parseProfile(value);
        break;
      case 'apparmor':
        if (!host.apparmor) throw new WireError(field, `"${shown}": this host has no AppArmor, so berth's engine cannot apply a profile (dockerd refuses it too)`);
        if (!/^[A-Za-z0-9_.:/-]{1,255}$/.test(value)) throw new WireError(field, `invalid AppArmor profile name "${shown}"`);
        apparmor = value;
        break;
      case 'label': {
        const labelKey = value.split(':')[0] ?? '';
        if (!(value === 'disable' || value === 'nested' || (LABEL_KEYS.includes(labelKey) && value.includes(':')))) throw new WireError(field, `invalid --security-opt label: "${shown}"`);
        if (selinux) throw new WireError(field, `"${shown}": SELinux labels are not applied by berth's engine`);
        // Without SELinux on the host, dockerd accepts a label and ignores it: so does berth's engine.
        break;
      }
      case 'systempaths':
        if (value !== 'unconfined') throw new WireError(field, `invalid --security-opt systempaths: "${shown}" (only "unconfined")`);
        unconfinedSystemPaths = true;
        break;
      case 'writable-cgroups':
        writableCgroups = truthy(key, value);
        break;
      default:
        throw new WireError(field, `invalid --security-opt: "${shown}"`);
    }
  }
  return { noNewPrivileges, unconfinedSystemPaths, ...(seccomp ? { seccomp } : {}), ...(apparmor ? { apparmor } : {}), ...(writableCgroups !== undefined ? { writableCgroups } : {}) };
}

function parseProfile(text: string): SeccompProfileBody {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new WireError('HostConfig.SecurityOpt', 'the seccomp profile is not valid JSON (the docker CLI sends the content of the file, not its path)');
  }
  try {
    const profile = readBody(SeccompProfile, parsed);
    if (profile.listenerPath) throw new WireError('listenerPath', 'a seccomp notify listener is not supported by berth\'s engine');
    return profile;
  } catch (error) {
    if (error instanceof WireError) throw new WireError('HostConfig.SecurityOpt', `seccomp profile: ${error.message}`);
    throw error;
  }
}

/** For the field table: why the entries cannot be honoured, if they cannot. */
export function securityOptionProblem(entries: readonly string[], host: Pick<HostSupport, 'apparmor'>): string | undefined {
  try {
    parseSecurityOpt(entries, host);
    return undefined;
  } catch (error) {
    if (error instanceof WireError) return error.problem;
    throw error;
  }
}

function selinuxEnabled(): boolean {
  return existsSync('/sys/fs/selinux/enforce');
}
