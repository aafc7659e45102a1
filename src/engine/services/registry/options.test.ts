import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_REGISTRY_OPTIONS, endpointsFor, isInsecure, registryOptionsFrom } from './options.js';

const options = { ...DEFAULT_REGISTRY_OPTIONS, insecureRegistries: ['registry.lan:5000', '10.0.0.0/8'], mirrors: ['https://mirror.example'] };

test('loopback registries are insecure by default, listed hosts and CIDRs too; others are not', () => {
  assert.ok(isInsecure('127.0.0.1:5000', DEFAULT_REGISTRY_OPTIONS));
  assert.ok(isInsecure('localhost:5000', DEFAULT_REGISTRY_OPTIONS));
  assert.ok(isInsecure('[::1]:5000', DEFAULT_REGISTRY_OPTIONS));
  assert.ok(isInsecure('registry.lan:5000', options));
  assert.ok(isInsecure('10.1.2.3:5000', options));
  assert.ok(!isInsecure('11.1.2.3:5000', options));
  assert.ok(!isInsecure('registry.example.com', options));
});

test('endpoints: https first, plain http after it for insecure registries; mirrors before the Hub, never for a push', () => {
  assert.deepEqual(endpointsFor('127.0.0.1:5000', options).map((endpoint) => endpoint.url.href), ['https://127.0.0.1:5000/', 'http://127.0.0.1:5000/']);
  assert.deepEqual(endpointsFor('registry.example.com', options).map((endpoint) => endpoint.url.href), ['https://registry.example.com/']);
  assert.deepEqual(endpointsFor('docker.io', options).map((endpoint) => endpoint.url.href), ['https://mirror.example/', 'https://registry-1.docker.io/']);
  assert.deepEqual(endpointsFor('docker.io', options, true).map((endpoint) => endpoint.url.href), ['https://registry-1.docker.io/']);
});

test('daemon.json keys are checked, naming the key', () => {
  assert.deepEqual(registryOptionsFrom({ 'registry-mirrors': ['https://m.example/'], 'max-concurrent-downloads': 6 }, 'd.json'), { ...DEFAULT_REGISTRY_OPTIONS, mirrors: ['https://m.example'], maxConcurrentDownloads: 6 });
  assert.throws(() => registryOptionsFrom({ 'insecure-registries': 'x' }, 'd.json'), /d\.json: insecure-registries must be a list of strings/);
  assert.throws(() => registryOptionsFrom({ 'registry-mirrors': ['ftp://x'] }, 'd.json'), /must be an http or https URL/);
  assert.throws(() => registryOptionsFrom({ 'max-concurrent-downloads': 0 }, 'd.json'), /max-concurrent-downloads must be an integer from 1 to 64/);
});
