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

test('truncate and fit cut whole characters, never half a surrogate pair', () => {
  assert.equal(truncate('node server.js', 8), 'node se~');
  assert.equal(truncate('abc', 3), 'abc');
  assert.equal(truncate('abc', 0), '');
  assert.equal(fit('😀😀😀', 3), '😀~');
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

test('widths are terminal cells: wide characters count two, and cuts never split one', async () => {
  const { cellWidth, fit: fitCells, truncate: cut, truncateMiddle } = await import('../../src/core/format.js');
  assert.equal(cellWidth('node'), 4);
  assert.equal(cellWidth('服务器'), 6);
  assert.equal(fitCells('服务器.js', 6), '服务~ ');
  assert.equal(cellWidth(fitCells('服务器.js', 6)), 6);
  assert.equal(cut('服务器', 4), '服~');
  assert.equal(cellWidth(truncateMiddle('node /srv/服务器/应用/server.js', 15)), 15);
});

test('sanitize turns control characters from other processes into ?', async () => {
  const { sanitize, displayCommand } = await import('../../src/core/format.js');
  assert.equal(sanitize('a\nb\tc\x1b[2Jd\x07\x9b'), 'a?b?c?[2Jd??');
  assert.equal(sanitize('plain ünïcode 服务'), 'plain ünïcode 服务');
  assert.equal(displayCommand(['node', '-e', 'x()\n\x1b]0;owned\x07'], ''), 'node -e x()??]0;owned?');
});

test('sanitize shows bidi, zero-width and other invisible characters as escapes, and is idempotent', async () => {
  const { sanitize, cellWidth } = await import('../../src/core/format.js');
  // A right-to-left override makes 'node evil\u202Esj.nigulp' look like 'node evil' + 'plugin.js' reversed.
  assert.equal(sanitize('node evil\u202esj.nigulp'), 'node evil\\u202esj.nigulp');
  const invisible = ['\u200b', '\u200c', '\u200d', '\u200e', '\u200f', '\u061c', '\u202a', '\u202b', '\u202c', '\u202d', '\u2066', '\u2067', '\u2068', '\u2069', '\u2060', '\ufeff', '\u00ad', '\u2028', '\u2029', '\u3164'];
  for (const c of invisible) {
    const shown = sanitize(`a${c}b`);
    assert.equal(shown, `a\\u${c.codePointAt(0)!.toString(16).padStart(4, '0')}b`);
    assert.equal(cellWidth(shown), shown.length, 'plain ASCII: as wide as it is long');
  }
  assert.equal(sanitize('tag\u{e0041}'), 'tag\\u{e0041}');
  assert.equal(sanitize(sanitize('x\u202ey\n')), 'x\\u202ey?');
  assert.equal(sanitize('plain ünïcode 服务 é'), 'plain ünïcode 服务 é', 'visible text is left alone');
});

test("cellWidth's fast path agrees with string-width on every character it takes as one cell", async () => {
  const { ONE_CELL_CHARACTERS, cellWidth, fit: fitCells } = await import('../../src/core/format.js');
  const { default: stringWidth } = await import('string-width');
  let checked = 0;
  for (let code = 0; code <= 0xffff; code++) {
    const char = String.fromCharCode(code);
    if (!ONE_CELL_CHARACTERS.test(char)) continue;
    assert.equal(stringWidth(char), 1, `U+${code.toString(16)}`);
    checked++;
  }
  assert.ok(checked > 300, 'ASCII, the arrows, box drawing and block elements');
  assert.equal(ONE_CELL_CHARACTERS.test('◽'), false, 'U+25FD is a wide emoji');
  assert.equal(cellWidth('…59s'), 4);
  assert.equal(fitCells('▁▂▃▄▅▆▇█', 5), '▁▂▃▄~');
  assert.equal(fitCells('└ 2', 5, 'right'), '  └ 2');
});
