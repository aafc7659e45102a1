import assert from 'node:assert/strict';
import { test } from 'node:test';
import { userFromFiles } from './users.js';

const PASSWD = 'root:x:0:0:root:/root:/bin/sh\nwww:x:33:34:web:/var/www:/bin/false\n';
const GROUP = 'root:x:0:\nstaff:x:50:\n';

test('a user name takes its uid and primary group from passwd', () => {
  assert.deepEqual(userFromFiles(PASSWD, GROUP, 'www'), { uid: 33, gid: 34, additionalGids: [] });
});

test('a numeric uid needs no entry; with one, its group comes along', () => {
  assert.deepEqual(userFromFiles(PASSWD, GROUP, '1234'), { uid: 1234, gid: 0, additionalGids: [] });
  assert.deepEqual(userFromFiles(PASSWD, GROUP, '33'), { uid: 33, gid: 34, additionalGids: [] });
});

test('a group by name or number replaces the primary group', () => {
  assert.deepEqual(userFromFiles(PASSWD, GROUP, 'www:staff'), { uid: 33, gid: 50, additionalGids: [] });
  assert.deepEqual(userFromFiles(PASSWD, GROUP, '1000:1000'), { uid: 1000, gid: 1000, additionalGids: [] });
});

test('unknown names are a 400 naming them', () => {
  assert.throws(() => userFromFiles(PASSWD, GROUP, 'nobody'), /unable to find user nobody/);
  assert.throws(() => userFromFiles(PASSWD, GROUP, 'www:wheel'), /unable to find group wheel/);
});

test('GroupAdd: groups by name (from the image\'s /etc/group) or number become supplementary groups', () => {
  assert.deepEqual(userFromFiles(PASSWD, GROUP, 'www', ['staff', '1234']), { uid: 33, gid: 34, additionalGids: [50, 1234] });
  assert.deepEqual(userFromFiles(PASSWD, GROUP, '', ['staff']), { uid: 0, gid: 0, additionalGids: [50] });
  assert.throws(() => userFromFiles(PASSWD, GROUP, '', ['wheel']), /Unable to find group wheel/);
});
