import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UserError } from '../../src/core/user-error.js';
import { isLoopback, otlpMetricsUrl, parseListenAddress } from '../../src/core/serve-endpoints.js';

test('--listen: a port alone stays on loopback; IP literals as written; localhost is 127.0.0.1', () => {
  assert.deepEqual(parseListenAddress('9465'), { host: '127.0.0.1', port: 9465 });
  assert.deepEqual(parseListenAddress('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
  assert.deepEqual(parseListenAddress('0.0.0.0:9465'), { host: '0.0.0.0', port: 9465 });
  assert.deepEqual(parseListenAddress('[::1]:9465'), { host: '::1', port: 9465 });
  assert.deepEqual(parseListenAddress('[::]:9465'), { host: '::', port: 9465 });
  assert.deepEqual(parseListenAddress('localhost:9465'), { host: '127.0.0.1', port: 9465 });
});

test('--listen: host names, bad ports and bare IPv6 are refused with exit code 2', () => {
  for (const bad of ['example.com:9465', 'metrics.internal:80', '127.0.0.1:65536', '127.0.0.1', '::1:9465', '[127.0.0.1]:9465', '', ':9465', '1.2.3:80']) {
    assert.throws(() => parseListenAddress(bad), (e: unknown) => e instanceof UserError && e.exitCode === 2, bad);
  }
});

test('isLoopback: 127/8 and ::1 only', () => {
  assert.equal(isLoopback('127.0.0.1'), true);
  assert.equal(isLoopback('127.1.2.3'), true);
  assert.equal(isLoopback('::1'), true);
  assert.equal(isLoopback('0.0.0.0'), false);
  assert.equal(isLoopback('::'), false);
  assert.equal(isLoopback('10.0.0.1'), false);
});

test('--otlp: a bare endpoint gets /v1/metrics, a path is kept; only http(s)', () => {
  assert.equal(otlpMetricsUrl('http://127.0.0.1:4318'), 'http://127.0.0.1:4318/v1/metrics');
  assert.equal(otlpMetricsUrl('https://collector:4318/'), 'https://collector:4318/v1/metrics');
  assert.equal(otlpMetricsUrl('http://collector/otlp/v1/metrics'), 'http://collector/otlp/v1/metrics');
  for (const bad of ['ftp://x/', 'collector:4318', 'not a url', '']) assert.throws(() => otlpMetricsUrl(bad), UserError, bad);
});
