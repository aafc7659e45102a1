// The proxy on loopback sockets: a UDP echo and a TCP echo behind it, a port range, a port already taken.
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { connect, createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { test } from 'node:test';
import { PortProxies } from './port-proxy.js';

test('UDP datagrams reach the target and the replies come back to the sender', async () => {
  const echo = createSocket('udp4');
  echo.on('message', (message, remote) => echo.send(Buffer.concat([Buffer.from('echo:'), message]), remote.port, remote.address));
  await new Promise<void>((resolve) => echo.bind(0, '127.0.0.1', resolve));
  const proxies = new PortProxies();
  try {
    const [bound] = await proxies.open('c1', '127.0.0.1', [{ containerPort: echo.address().port, protocol: 'udp', hostIp: '127.0.0.1', hostPort: 0 }]);
    const client = createSocket('udp4');
    const reply = new Promise<string>((resolve) => client.once('message', (message) => resolve(message.toString())));
    client.send('ping', bound!.boundPort, '127.0.0.1');
    assert.equal(await reply, 'echo:ping');
    client.close();
  } finally {
    proxies.close('c1');
    echo.close();
  }
});

test('TCP: the first free port of a range is taken; a taken port is refused with dockerd\'s message', async () => {
  const echo = createServer((socket) => socket.pipe(socket));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  const target = (echo.address() as AddressInfo).port;
  const blocker = createServer();
  await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
  const taken = (blocker.address() as AddressInfo).port;
  const proxies = new PortProxies();
  try {
    const [bound] = await proxies.open('c2', '127.0.0.1', [{ containerPort: target, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: taken, hostPortEnd: taken + 20 }]);
    assert.ok(bound!.boundPort > taken && bound!.boundPort <= taken + 20);
    const socket = connect(bound!.boundPort, '127.0.0.1');
    const answer = new Promise<string>((resolve) => socket.once('data', (data) => resolve(data.toString())));
    socket.write('hello');
    assert.equal(await answer, 'hello');
    socket.destroy();
    await assert.rejects(proxies.open('c3', '127.0.0.1', [{ containerPort: target, protocol: 'tcp', hostIp: '127.0.0.1', hostPort: taken }]), /Bind for 127\.0\.0\.1:\d+ failed: port is already allocated/);
  } finally {
    proxies.closeAll();
    echo.close();
    blocker.close();
  }
});
