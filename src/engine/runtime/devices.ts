// Host devices as runc needs them: a device node's type and numbers (for `linux.devices`, the device cgroup and the
// blkio settings), and Docker's device cgroup rules (`c 1:3 mr`).
import { statSync } from 'node:fs';

export interface HostDevice {
  readonly type: 'c' | 'b';
  readonly major: number;
  readonly minor: number;
  readonly mode: number;
}

/** The device at `path` on the host, or why it cannot be given to a container. */
export function hostDevice(path: string): HostDevice | string {
  if (!path.startsWith('/')) return `"${path}" is not an absolute path`;
  let info;
  try {
    info = statSync(path, { bigint: true });
  } catch {
    return `no device at "${path}" on the engine's host`;
  }
  const type = info.isCharacterDevice() ? 'c' : info.isBlockDevice() ? 'b' : undefined;
  if (!type) return `"${path}" is not a device`;
  // glibc's gnu_dev_major / gnu_dev_minor.
  const rdev = info.rdev;
  const major = Number(((rdev >> 8n) & 0xfffn) | ((rdev >> 32n) & ~0xfffn));
  const minor = Number((rdev & 0xffn) | ((rdev >> 12n) & ~0xffn));
  return { type, major, minor, mode: Number(info.mode & 0o7777n) };
}

/** A block device's numbers, for blkio settings; a string says why there are none. */
export function blockDevice(path: string): HostDevice | string {
  const device = hostDevice(path);
  if (typeof device === 'string') return device;
  return device.type === 'b' ? device : `"${path}" is not a block device`;
}

export interface DeviceRule {
  readonly allow: true;
  readonly type: 'a' | 'b' | 'c';
  readonly major?: number;
  readonly minor?: number;
  readonly access: string;
}

/** `c 1:3 mr`, `a *:* rwm`, `b 8:* r`: a device cgroup rule as `docker run --device-cgroup-rule` writes it. */
export function deviceCgroupRule(text: string): DeviceRule | string {
  const found = /^([acb]) (\d{1,10}|\*):(\d{1,10}|\*) ([rwm]{1,3})$/.exec(text);
  if (!found) return `invalid device cgroup rule "${text}" (the form is "c 1:3 mr")`;
  const number = (value: string): number | undefined => (value === '*' ? undefined : Number(value));
  const major = number(found[2]!);
  const minor = number(found[3]!);
  return { allow: true, type: found[1] as DeviceRule['type'], ...(major !== undefined ? { major } : {}), ...(minor !== undefined ? { minor } : {}), access: found[4]! };
}
