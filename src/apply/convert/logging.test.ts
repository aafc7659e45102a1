import assert from 'node:assert/strict';
import { test } from 'node:test';
import { convertLogging } from './logging.js';

test('logging driver and options', () => {
  assert.deepEqual(convertLogging({ name: 'web', logging: { driver: 'syslog', options: { 'syslog-address': 'tcp://192.168.0.42:123', 'max-file': 3 } } }), {
    host: { LogConfig: { Type: 'syslog', Config: { 'max-file': '3', 'syslog-address': 'tcp://192.168.0.42:123' } } },
  });
  assert.deepEqual(convertLogging({ name: 'web', logging: { options: { 'max-size': '1m' } } }), {
    host: { LogConfig: { Type: '', Config: { 'max-size': '1m' } } },
  });
  assert.deepEqual(convertLogging({ name: 'web', log_driver: 'json-file', log_opt: { 'max-size': '1m' } }), {
    host: { LogConfig: { Type: 'json-file', Config: { 'max-size': '1m' } } },
  });
  assert.deepEqual(convertLogging({ name: 'web' }), {});
});
