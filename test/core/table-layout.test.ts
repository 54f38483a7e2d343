import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutColumns, MIN_COMMAND_WIDTH } from '../../src/core/table-layout.js';

const total = (width: number) => layoutColumns(width).reduce((sum, c, i, all) => sum + c.width + (i < all.length - 1 ? 1 : 0), 0);

test('a wide terminal shows every column at full width', () => {
  const ids = layoutColumns(200).map((c) => c.id);
  assert.deepEqual(ids, ['pid', 'user', 'cpu', 'rss', 'rssSpark', 'heap', 'heapSpark', 'growth', 'command']);
});

test('at 80 columns everything still fits, with room for the command', () => {
  const columns = layoutColumns(80);
  const command = columns.find((c) => c.id === 'command')!;
  assert.ok(command.width >= MIN_COMMAND_WIDTH);
  assert.ok(columns.some((c) => c.id === 'rssSpark'));
  assert.equal(total(80), 80);
});

test('narrow terminals drop the least useful columns first, never PID, RSS, GROWTH or COMMAND', () => {
  const ids = layoutColumns(45).map((c) => c.id);
  for (const kept of ['pid', 'rss', 'growth', 'command'] as const) assert.ok(ids.includes(kept), kept);
  assert.ok(!ids.includes('heapSpark'));
  for (let width = 40; width <= 240; width++) assert.ok(total(width) <= width, `width ${width}`);
});

test('with no heap figures yet, the blank heap sparkline gives its room to the command', () => {
  const without = layoutColumns(80, { heapKnown: false });
  assert.ok(!without.some((c) => c.id === 'heapSpark'));
  assert.ok(without.find((c) => c.id === 'command')!.width > layoutColumns(80).find((c) => c.id === 'command')!.width);
  assert.ok(layoutColumns(120, { heapKnown: true }).some((c) => c.id === 'heapSpark'));
});

test('the LEAK? column is laid out only when a row has a growth that holds, and never brings back a dropped column', () => {
  const without = layoutColumns(80, { heapKnown: false });
  assert.ok(!without.some((c) => c.id === 'leak'));
  const withLeak = layoutColumns(80, { heapKnown: false, leakShown: true });
  const ids = withLeak.map((c) => c.id);
  assert.ok(ids.indexOf('leak') === ids.indexOf('growth') + 1, ids.join());
  assert.ok(!ids.includes('heapSpark'), 'no heap figures: no heap sparkline, even while columns shrink');
  assert.equal(withLeak.reduce((sum, c) => sum + c.width + 1, -1), 80);
});
