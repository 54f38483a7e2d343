import assert from 'node:assert/strict';
import { test } from 'node:test';
import { filterRows, sortRows } from '../../src/core/process-order.js';

const rows = [
  { pid: 30, command: 'node api/server.js', rssBytes: 300, cpuPercent: 1, growthBytesPerMin: null },
  { pid: 12, command: 'node worker.js', rssBytes: 100, cpuPercent: 9, growthBytesPerMin: 50 },
  { pid: 124, command: 'pm2: God Daemon', rssBytes: 200, cpuPercent: null, growthBytesPerMin: -5 },
];

test('sorts by each key, unknown values last in both directions', () => {
  assert.deepEqual(sortRows(rows, 'rss', true).map((r) => r.pid), [30, 124, 12]);
  assert.deepEqual(sortRows(rows, 'pid', false).map((r) => r.pid), [12, 30, 124]);
  assert.deepEqual(sortRows(rows, 'growth', true).map((r) => r.pid), [12, 124, 30]);
  assert.deepEqual(sortRows(rows, 'growth', false).map((r) => r.pid), [124, 12, 30]);
  assert.deepEqual(sortRows(rows, 'cpu', false).map((r) => r.pid), [30, 12, 124]);
});

test('filters by command substring (any case) or PID prefix', () => {
  assert.deepEqual(filterRows(rows, 'WORKER').map((r) => r.pid), [12]);
  assert.deepEqual(filterRows(rows, '12').map((r) => r.pid), [12, 124]);
  assert.deepEqual(filterRows(rows, '  ').length, 3);
  assert.deepEqual(filterRows(rows, 'nothing'), []);
});

test('the filter finds a process by where it lives: container id (full or short), pod uid, pm2 name, unit', () => {
  const placed = [
    { ...rows[0]!, place: 'docker:3f2c9e1a7b4d5c6e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcd' },
    { ...rows[1]!, place: 'pm2:orders-api pm2-root.service' },
    { ...rows[2]! },
  ];
  assert.deepEqual(filterRows(placed, '3f2c9e1a7b4d').map((r) => r.pid), [30]);
  assert.deepEqual(filterRows(placed, 'docker:').map((r) => r.pid), [30]);
  assert.deepEqual(filterRows(placed, 'ORDERS-API').map((r) => r.pid), [12]);
  assert.deepEqual(filterRows(placed, 'pm2').map((r) => r.pid), [12, 124], 'and the command still counts');
});
