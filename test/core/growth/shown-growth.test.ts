/**
 * The GROWTH cell's wait: shown in 5 s steps (a row's cell changes once per step, not every tick), rounded up so it
 * never says less time is left than is.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatRate } from '../../../src/core/format.js';
import { growthCellText, shownGrowth, WAIT_STEP_MS, type ShownGrowth } from '../../../src/core/growth/shown-growth.js';

const waiting = (waitMs: number): ShownGrowth => ({ bytesPerMin: null, waitMs, leak: null, bounded: false });

test('the wait is shown in 5 s steps, rounded up, never less than is left', () => {
  assert.equal(WAIT_STEP_MS, 5_000);
  assert.equal(growthCellText(waiting(60_000), false), '…1m00s');
  assert.equal(growthCellText(waiting(59_999), false), '…1m00s');
  assert.equal(growthCellText(waiting(50_001), false), '…55s');
  assert.equal(growthCellText(waiting(55_000), false), '…55s');
  assert.equal(growthCellText(waiting(54_999), true), '..55s');
  assert.equal(growthCellText(waiting(1), true), '..5s');
  assert.equal(growthCellText(waiting(0), true), '..0s');
  assert.equal(growthCellText(waiting(297_000), false), '…5m00s');
  // Every wait of a minute counted down by the second: never below the time left, at most one step above it, and
  // the cell changes only when a step is crossed (12 changes in 60 s, not 60).
  let changes = 0;
  let before = '';
  for (let ms = 60_000; ms >= 0; ms -= 1000) {
    const text = growthCellText(waiting(ms), false);
    const [, minutes, seconds] = /^…(?:(\d+)m)?(\d+)s$/.exec(text)!;
    const shownMs = (Number(minutes ?? 0) * 60 + Number(seconds)) * 1000;
    assert.ok(shownMs >= ms && shownMs - ms < WAIT_STEP_MS, `${ms} ms left shown as ${text}`);
    if (text !== before) changes++;
    before = text;
  }
  assert.equal(changes, 13, 'from …1m00s down to …0s: 13 distinct cells');
});

test('a figure, bounded and unknown are unchanged', () => {
  assert.equal(growthCellText({ bytesPerMin: 0, waitMs: null, leak: null, bounded: true }, false), 'bounded');
  assert.equal(growthCellText({ bytesPerMin: null, waitMs: null, leak: null, bounded: false }, false), '-');
});

test('a young process’s rise not yet judged after its first minute (warmingUp) shows the wait, not its RSS rate', () => {
  const rates = { rss: 200_000, heapFloor: null, external: null, native: null, workersHeapFloor: null };
  const judged = { kind: 'unsure', rates, windowMs: 70_000, reason: 'RSS +11 MiB/min over 70 s', moreMs: 50_000, holds: false } as const;
  // The same judgement without the flag shows its figure (an unconfirmed rise of a process past its first minute).
  assert.equal(growthCellText(shownGrowth(judged), false), formatRate(12_000_000));
  const waiting = shownGrowth({ ...judged, warmingUp: true });
  assert.deepEqual(waiting, { bytesPerMin: null, waitMs: 50_000, leak: null, bounded: false });
  assert.equal(growthCellText(waiting, false), '…50s');
});
