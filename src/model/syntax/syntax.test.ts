import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BerthError } from '../errors.js';
import { parsePortSpec } from './port-spec.js';
import { splitShellWords } from './shell-words.js';
import { parseVolumeSpec } from './volume-spec.js';

test('port specs: single, published, ranges, host ip, ipv6, protocol; sorted as compose sorts them', () => {
  assert.deepEqual(parsePortSpec('3000', []), [{ mode: 'ingress', target: 3000, protocol: 'tcp' }]);
  assert.deepEqual(parsePortSpec('8080:80/UDP', []), [{ mode: 'ingress', target: 80, published: '8080', protocol: 'udp' }]);
  assert.deepEqual(
    parsePortSpec('127.0.0.1:9090-9091:8080-8081', []).map((p) => [p.host_ip, p.published, p.target]),
    [['127.0.0.1', '9090', 8080], ['127.0.0.1', '9091', 8081]],
  );
  assert.deepEqual(parsePortSpec('[::1]:53:53', [])[0]?.host_ip, '::1');
  // A host range for one container port: the engine picks a free port in it.
  assert.deepEqual(parsePortSpec('8000-8010:80', [])[0]?.published, '8000-8010');
  assert.deepEqual(parsePortSpec('998-1000', []).map((p) => p.target), [1000, 998, 999]);
});

test('bad port specs are errors that name the spec', () => {
  for (const spec of ['', 'abc', '80:80:80:80x', '1-2:3-5', '70000', '80/icmp', 'nothost:80:80']) {
    assert.throws(() => parsePortSpec(spec, ['services', 'web', 'ports', 0]), (error: unknown) => error instanceof BerthError && /invalid port/.test(error.message), spec);
  }
});

test('volume specs: named, bind (relative, home, absolute), anonymous, options', () => {
  assert.deepEqual(parseVolumeSpec('data:/var/lib/data:ro', []), { type: 'volume', source: 'data', target: '/var/lib/data', read_only: true, volume: {} });
  assert.deepEqual(parseVolumeSpec('./src:/src:z', []), { type: 'bind', source: './src', target: '/src', bind: { selinux: 'z', create_host_path: true } });
  assert.deepEqual(parseVolumeSpec('/data/', []), { type: 'volume', target: '/data', volume: {} });
  assert.deepEqual(parseVolumeSpec('vol:/x:nocopy', []).volume, { nocopy: true });
  assert.deepEqual(parseVolumeSpec('~/x:/x', []).type, 'bind');
  assert.deepEqual(parseVolumeSpec('C:\\data:/data', []).source, 'C:\\data');
  assert.throws(() => parseVolumeSpec('ab:bb:cc:dd', []), /too many colons/);
  assert.throws(() => parseVolumeSpec('ab::b', []), /empty section/);
});

test('commands split as a shell would, without expanding anything', () => {
  assert.deepEqual(splitShellWords(`bundle exec thin -p 3000`, []), ['bundle', 'exec', 'thin', '-p', '3000']);
  assert.deepEqual(splitShellWords(`sh -c 'echo "$HOME"; exit 1'`, []), ['sh', '-c', 'echo "$HOME"; exit 1']);
  assert.deepEqual(splitShellWords(`echo "a \\"b\\" \\x" c\\ d ""`, []), ['echo', 'a "b" \\x', 'c d', '']);
  assert.deepEqual(splitShellWords('', []), []);
  assert.throws(() => splitShellWords(`echo "open`, ['services', 'web', 'command']), /unclosed quote/);
});
