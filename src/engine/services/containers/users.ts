// The user a container's process runs as: `user`, `uid`, `user:group` or `uid:gid`, looked up in the image's
// /etc/passwd and /etc/group.
import { join } from 'node:path';
import { EngineError } from '../../errors.js';
import { readTextOr } from './host.js';

export interface ProcessUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: number[];
}

/**
 * The user read against the files of a mounted root filesystem (root when none is asked for), with the groups of
 * `HostConfig.GroupAdd` (names or ids) as supplementary groups.
 */
export function resolveUser(rootfs: string, user: string, groupAdd: readonly string[] = []): ProcessUser {
  if (user === '' && groupAdd.every(isNumeric)) return { uid: 0, gid: 0, additionalGids: groupAdd.map(Number) };
  return userFromFiles(readTextOr(join(rootfs, 'etc/passwd'), ''), readTextOr(join(rootfs, 'etc/group'), ''), user, groupAdd);
}

/** Whether looking the user up needs the image's files (a name rather than ids). */
export function needsImageFiles(user: string, groupAdd: readonly string[] = []): boolean {
  return user !== '' || !groupAdd.every(isNumeric);
}

const isNumeric = (value: string): boolean => /^\d+$/.test(value);

/** `user[:group]` (and groups to add) against the text of an /etc/passwd and an /etc/group. */
export function userFromFiles(passwdText: string, groupText: string, user: string, groupAdd: readonly string[] = []): ProcessUser {
  const [name = '', group] = user.split(':');
  const passwd = passwdText.split('\n').map((line) => line.split(':'));
  const groups = groupText.split('\n').map((line) => line.split(':'));
  let uid: number;
  let gid = 0;
  if (name === '') {
    uid = 0;
  } else if (/^\d+$/.test(name)) {
    uid = Number(name);
    const entry = passwd.find((fields) => fields[2] === name);
    if (entry) gid = Number(entry[3]);
  } else {
    const entry = passwd.find((fields) => fields[0] === name);
    if (!entry) throw new EngineError('invalid', `unable to find user ${name}: no matching entries in passwd file`);
    uid = Number(entry[2]);
    gid = Number(entry[3]);
  }
  if (group !== undefined) {
    if (/^\d+$/.test(group)) gid = Number(group);
    else {
      const entry = groups.find((fields) => fields[0] === group);
      if (!entry) throw new EngineError('invalid', `unable to find group ${group}: no matching entries in group file`);
      gid = Number(entry[2]);
    }
  }
  const additionalGids = groupAdd.map((added) => {
    if (isNumeric(added)) return Number(added);
    const entry = groups.find((fields) => fields[0] === added);
    if (!entry) throw new EngineError('invalid', `Unable to find group ${added}: no matching entries in group file`);
    return Number(entry[2]);
  });
  return { uid, gid, additionalGids };
}
