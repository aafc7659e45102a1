// The user a container's process runs as: `user`, `uid`, `user:group` or `uid:gid`, looked up in the image's
// /etc/passwd and /etc/group.
import { EngineError } from '../../errors.js';
import { readFileUnder } from '../../store/in-root.js';

export interface ProcessUser {
  readonly uid: number;
  readonly gid: number;
  readonly additionalGids: number[];
}

/** Bigger user databases than this are refused rather than read into memory. */
const MAX_USER_FILE = 16 * 1024 * 1024;

/**
 * The user read against the files of a mounted root filesystem (root when none is asked for), the files found
 * inside that root (an /etc/passwd that links to the host's is the container's own path, not the host's), with the
 * groups of `HostConfig.GroupAdd` (names or ids) as supplementary groups.
 */
export function resolveUser(rootfs: string, user: string, groupAdd: readonly string[] = []): ProcessUser {
  if (user === '' && groupAdd.every(isNumeric)) return { uid: 0, gid: 0, additionalGids: groupAdd.map(Number) };
  const read = (path: string): string => readFileUnder(rootfs, path, MAX_USER_FILE)?.toString('utf8') ?? '';
  return userFromFiles(read('etc/passwd'), read('etc/group'), user, groupAdd);
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
