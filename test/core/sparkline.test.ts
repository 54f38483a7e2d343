import assert from 'node:assert/strict';
import { test } from 'node:test';
import { localeSupportsUtf8, sparkline } from '../../src/core/sparkline.js';

test('scales between min and max, newest in the last column', () => {
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7], 8), '▁▂▃▄▅▆▇█');
  assert.equal(sparkline([1, 2], 4), '  ▁█');
  assert.equal(sparkline([9, 9, 1, 2, 3], 3), '▁▅█', 'only the newest values are drawn and scaled');
});

test('gaps draw as spaces, flat series at the lowest level', () => {
  assert.equal(sparkline([1, Number.NaN, 3], 3), '▁ █');
  assert.equal(sparkline([5, 5, 5], 3), '▁▁▁');
  assert.equal(sparkline([], 3), '   ');
  assert.equal(sparkline([1, 2], 0), '');
});

test('ASCII ramp uses no character above 0x7e', () => {
  const line = sparkline([0, 1, 2, 3, 4, 5, 6, 7, Number.NaN], 9, { ascii: true });
  assert.equal(line, '_.-~=+*# ');
  assert.ok(/^[\x20-\x7e]*$/.test(line));
});

test('locale detection follows LC_ALL, then LC_CTYPE, then LANG', () => {
  assert.equal(localeSupportsUtf8({}), false);
  assert.equal(localeSupportsUtf8({ LANG: 'C' }), false);
  assert.equal(localeSupportsUtf8({ LANG: 'en_US.UTF-8' }), true);
  assert.equal(localeSupportsUtf8({ LANG: 'C.utf8' }), true);
  assert.equal(localeSupportsUtf8({ LC_ALL: 'C', LANG: 'en_US.UTF-8' }), false);
  assert.equal(localeSupportsUtf8({ LC_CTYPE: 'en_US.UTF-8', LANG: 'C' }), true);
});
