import assert from 'node:assert/strict';
import { test } from 'node:test';
import { layoutColumns, MIN_COMMAND_WIDTH, NARROW_CONTAINER_WIDTH } from '../../src/core/table-layout.js';

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

test('a CONTAINER column only when some row has a place; before COMMAND, as wide as its widest label', () => {
  assert.ok(!layoutColumns(200).some((c) => c.id === 'container'));
  assert.ok(!layoutColumns(200, { placeWidth: 0 }).some((c) => c.id === 'container'));
  const wide = layoutColumns(200, { placeWidth: 'docker:3f2c9e1a7b4d'.length });
  assert.deepEqual(wide.slice(-2).map((c) => [c.id, c.width]), [['container', 19], ['command', wide.at(-1)!.width]]);
  assert.equal(layoutColumns(200, { placeWidth: 4 }).find((c) => c.id === 'container')!.width, 'CONTAINER'.length, 'never narrower than its title');
  assert.equal(layoutColumns(200, { placeWidth: 60 }).find((c) => c.id === 'container')!.width, 20, 'long unit names are cut');
});

test('at 80 columns a host of containers keeps CONTAINER (a whole short id) and room for the command', () => {
  for (const heapKnown of [true, false]) {
    const columns = layoutColumns(80, { heapKnown, placeWidth: 19 });
    assert.equal(columns.find((c) => c.id === 'container')?.width, NARROW_CONTAINER_WIDTH, `heapKnown ${heapKnown}`);
    assert.ok(columns.find((c) => c.id === 'command')!.width >= MIN_COMMAND_WIDTH);
    for (const kept of ['pid', 'rss', 'heap', 'growth'] as const) assert.ok(columns.some((c) => c.id === kept), kept);
    assert.equal(columns.reduce((sum, c, i, all) => sum + c.width + (i < all.length - 1 ? 1 : 0), 0), 80);
  }
  // Narrower, it goes before the RSS sparkline, CPU and HEAP do.
  const narrow = layoutColumns(60, { placeWidth: 19 }).map((c) => c.id);
  assert.ok(!narrow.includes('container') && narrow.includes('rss') && narrow.includes('command'), narrow.join());
  for (let width = 40; width <= 240; width++) {
    const columns = layoutColumns(width, { placeWidth: 19 });
    assert.ok(columns.reduce((sum, c, i, all) => sum + c.width + (i < all.length - 1 ? 1 : 0), 0) <= width, `width ${width}`);
  }
});

test('no shrink step brings back the heap sparkline left out for want of heap figures', () => {
  for (let width = 40; width <= 120; width++) assert.ok(!layoutColumns(width, { heapKnown: false }).some((c) => c.id === 'heapSpark'), `width ${width}`);
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

test('LEAK? and CONTAINER together at 80 columns: both kept, the command keeps its minimum', () => {
  const columns = layoutColumns(80, { heapKnown: true, leakShown: true, placeWidth: 19 });
  const ids = columns.map((c) => c.id);
  assert.ok(ids.includes('leak') && ids.includes('container'), ids.join());
  assert.ok(columns.find((c) => c.id === 'command')!.width >= MIN_COMMAND_WIDTH);
  assert.ok(columns.reduce((sum, c) => sum + c.width + 1, -1) <= 80);
});
