import assert from 'node:assert/strict';
import { test } from 'node:test';
import { composeEvent, eventJson, eventLine } from './events.js';

const raw = {
  Type: 'container',
  Action: 'start',
  Actor: { ID: 'abc123', Attributes: { 'com.docker.compose.service': 'web', 'com.docker.compose.project': 'demo', name: 'demo-web-1', image: 'busybox' } },
  time: 1_700_000_000,
  timeNano: 1_700_000_000_123_456_789n,
};

test("events: the project's container events, compose's labels left out of the attributes", () => {
  const event = composeEvent(raw, [])!;
  assert.deepEqual(event.attributes, { name: 'demo-web-1', image: 'busybox' });
  assert.equal(event.service, 'web');
  assert.equal(composeEvent(raw, ['db']), undefined, 'another service');
  assert.equal(composeEvent({ ...raw, Type: 'network' }, []), undefined, 'not a container');
  assert.equal(composeEvent({ ...raw, Actor: { ID: 'x', Attributes: { 'com.docker.compose.oneoff': 'True' } } }, []), undefined, 'a one-off');
});

test('events: text lines and --json objects in compose\'s shape', () => {
  const previous = process.env.TZ;
  process.env.TZ = 'UTC';
  try {
    const event = composeEvent(raw, [])!;
    assert.equal(eventLine(event), '2023-11-14 22:13:20.123456 container start abc123 (image=busybox, name=demo-web-1)\n\n');
    assert.equal(
      eventJson(event),
      '{"action":"start","attributes":{"image":"busybox","name":"demo-web-1"},"id":"abc123","service":"web","time":"2023-11-14T22:13:20.123456789Z","type":"container"}',
    );
  } finally {
    if (previous === undefined) delete process.env.TZ;
    else process.env.TZ = previous;
  }
});
