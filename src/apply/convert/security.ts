// cap_add, cap_drop, privileged, read_only, security_opt, group_add: what the container may do.
import { isAbsolute, resolve } from 'node:path';
import { BerthError } from '../../model/errors.js';
import type { TreePath } from '../../model/tree.js';
import type { ServiceConfig } from '../../model/types.js';
import type { ContainerPlanContext } from './context.js';
import type { Fragment, Warn } from './fragment.js';
import { serviceWarning } from './fragment.js';
import { compact, isPresent, servicePath, toBoolean, toStringList } from './scalars.js';

/** Seccomp profiles the engine knows by name; any other value is a file to inline. */
const NAMED_SECCOMP = new Set(['unconfined', 'builtin']);

interface SecurityOptions {
  readonly options: string[];
  /** `systempaths=unconfined`: no masked or read-only /proc and /sys paths. */
  readonly unconfinedPaths: boolean;
}

/**
 * Checks each option's shape (`key=value`, the older `key:value`, or `no-new-privileges`) and inlines a seccomp
 * profile file as compact JSON, since the engine cannot read the client's files.
 */
export function securityOptions(raw: readonly string[], ctx: ContainerPlanContext, path: TreePath, serviceName: string, warn: Warn): SecurityOptions {
  const options: string[] = [];
  let unconfinedPaths = false;
  raw.forEach((option, index) => {
    if (option === 'systempaths=unconfined') {
      unconfinedPaths = true;
      return;
    }
    const eq = option.indexOf('=');
    const sep = eq >= 0 ? eq : option === 'no-new-privileges' ? -1 : option.indexOf(':');
    if (sep < 0 && option !== 'no-new-privileges') {
      throw new BerthError(`invalid security-opt: ${JSON.stringify(option)}`, { path: [...path, index] });
    }
    const key = sep < 0 ? option : option.slice(0, sep);
    const value = sep < 0 ? '' : option.slice(sep + 1);
    if (key !== 'seccomp' || NAMED_SECCOMP.has(value)) {
      options.push(option);
      return;
    }
    if (ctx.readFile === undefined) {
      warn(serviceWarning(serviceName, `security_opt seccomp profile ${value} is sent as a path, which the engine may not be able to read`));
      options.push(option);
      return;
    }
    const file = isAbsolute(value) || ctx.workingDir === undefined ? value : resolve(ctx.workingDir, value);
    let profile: unknown;
    try {
      profile = JSON.parse(ctx.readFile(file));
    } catch (cause) {
      throw new BerthError(`reading seccomp profile ${value} failed: ${(cause as Error).message}`, { path: [...path, index], cause });
    }
    options.push(`seccomp=${JSON.stringify(profile)}`);
  });
  return { options, unconfinedPaths };
}

export function convertSecurity(service: ServiceConfig, ctx: ContainerPlanContext, warn: Warn): Fragment {
  const at = (key: string) => servicePath(service.name, key);
  const list = (key: string): string[] | undefined => {
    const values = isPresent(service[key]) ? toStringList(service[key], at(key)) : [];
    return values.length > 0 ? values : undefined;
  };
  const flag = (key: string): boolean | undefined => (isPresent(service[key]) && toBoolean(service[key], at(key)) ? true : undefined);
  const raw = list('security_opt');
  const security = raw === undefined ? undefined : securityOptions(raw, ctx, at('security_opt'), service.name, warn);
  return {
    host: compact({
      CapAdd: list('cap_add'),
      CapDrop: list('cap_drop'),
      Privileged: flag('privileged'),
      ReadonlyRootfs: flag('read_only'),
      SecurityOpt: security !== undefined && security.options.length > 0 ? security.options : undefined,
      MaskedPaths: security?.unconfinedPaths ? [] : undefined,
      ReadonlyPaths: security?.unconfinedPaths ? [] : undefined,
      GroupAdd: list('group_add'),
    }),
  };
}
