import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fit, formatBytes, formatDuration, formatPercent, formatRate, truncate } from '../../src/core/format.js';

test('formatBytes uses binary units in at most 5 characters', () => {
  assert.equal(formatBytes(0), '0B');
  assert.equal(formatBytes(999), '999B');
  assert.equal(formatBytes(1000), '0.98K');
  assert.equal(formatBytes(1536), '1.50K');
  assert.equal(formatBytes(52_428_800), '50.0M');
  assert.equal(formatBytes(1_127_428_915), '1.05G');
  assert.equal(formatBytes(-2048), '-2.00K');
  assert.equal(formatBytes(null), '-');
  assert.equal(formatBytes(Number.NaN), '-');
  for (let b = 1; b < 2 ** 50; b *= 3) assert.ok(formatBytes(b).length <= 5, formatBytes(b));
});

test('formatRate signs growth and marks unknown', () => {
  assert.equal(formatRate(1_258_291), '+1.20M/m');
  assert.equal(formatRate(-512), '-512B/m');
  assert.equal(formatRate(0.2), '0B/m');
  assert.equal(formatRate(null), '-');
});

test('formatPercent and formatDuration', () => {
  assert.equal(formatPercent(12.345), '12.3');
  assert.equal(formatPercent(250.4), '250');
  assert.equal(formatPercent(null), '-');
  assert.equal(formatDuration(42_000), '42s');
  assert.equal(formatDuration(303_000), '5m03s');
  assert.equal(formatDuration(3 * 3600_000 + 7 * 60_000), '3h07m');
  assert.equal(formatDuration(12 * 86400_000 + 4 * 3600_000), '12d04h');
});

test('truncate and fit count code points, not UTF-16 units', () => {
  assert.equal(truncate('node server.js', 8), 'node se~');
  assert.equal(truncate('abc', 3), 'abc');
  assert.equal(truncate('abc', 0), '');
  assert.equal(fit('😀😀😀', 2), '😀~');
  assert.equal(fit('42', 5, 'right'), '   42');
  assert.equal(fit('ab', 4), 'ab  ');
});

test('truncateMiddle keeps both ends; displayCommand names the binary only', async () => {
  const { truncateMiddle, displayCommand } = await import('../../src/core/format.js');
  assert.equal(truncateMiddle('node /srv/app/server.js', 15), 'node /s~rver.js');
  assert.equal(truncateMiddle('short', 15), 'short');
  assert.equal(displayCommand(['/usr/local/bin/node', '/srv/app.js'], 'x'), 'node /srv/app.js');
  assert.equal(displayCommand(['pm2: God Daemon'], 'x'), 'pm2: God Daemon');
  assert.equal(displayCommand([], '[node]'), '[node]');
});
