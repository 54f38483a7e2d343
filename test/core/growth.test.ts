import assert from 'node:assert/strict';
import { test } from 'node:test';
import { growthPerMinute, leastSquaresSlope } from '../../src/core/growth.js';

test('slope of an exact line', () => {
  assert.equal(leastSquaresSlope([0, 1, 2, 3], [1, 3, 5, 7]), 2);
});

test('slope ignores gaps and needs two points with different x', () => {
  assert.equal(leastSquaresSlope([0, 1, 2, 3], [0, Number.NaN, 4, 6]), 2);
  assert.equal(leastSquaresSlope([0, 1], [5, Number.NaN]), null);
  assert.equal(leastSquaresSlope([4, 4, 4], [1, 2, 3]), null);
});

test('slope stays precise with epoch-millisecond x values', () => {
  const t0 = 1_795_000_000_000;
  const xs = [t0, t0 + 1000, t0 + 2000, t0 + 3000];
  const slope = leastSquaresSlope(xs, [100, 200, 300, 400])!;
  assert.ok(Math.abs(slope - 0.1) < 1e-9, String(slope));
});

test('growth per minute of a steady 1 MiB/s leak with GC noise', () => {
  const times: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < 60; i++) {
    times.push(1_795_000_000_000 + i * 1000);
    values.push(100e6 + i * 1048576 + (i % 2 === 0 ? 3e6 : -3e6));
  }
  const growth = growthPerMinute(times, values)!;
  assert.ok(Math.abs(growth - 60 * 1048576) / (60 * 1048576) < 0.05, String(growth));
});

test('a flat series grows by zero', () => {
  const times = [0, 2000, 4000, 6000, 8000, 10_000, 12_000];
  assert.equal(growthPerMinute(times, times.map(() => 42)), 0);
});

test('too little history gives null', () => {
  assert.equal(growthPerMinute([], []), null);
  assert.equal(growthPerMinute([0, 1000, 2000], [1, 2, 3]), null, 'fewer than 5 samples');
  assert.equal(growthPerMinute([0, 2000, 4000, 6000, 8000], [1, 2, 3, 4, 5]), null, 'span under 10 s');
});

test('only the window counts: an old burst does not inflate the rate', () => {
  const times: number[] = [];
  const values: number[] = [];
  for (let i = 0; i < 300; i++) {
    times.push(i * 1000);
    values.push(i < 100 ? i * 1e6 : 100e6);
  }
  assert.equal(growthPerMinute(times, values, { windowMs: 60_000 }), 0);
});
