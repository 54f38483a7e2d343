import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TimeSeries } from '../../src/core/time-series.js';

test('keeps the newest samples, oldest first, once full', () => {
  const s = new TimeSeries(3);
  for (let i = 1; i <= 5; i++) s.push(i * 1000, i * 10);
  assert.equal(s.length, 3);
  assert.deepEqual(s.values(), [30, 40, 50]);
  assert.deepEqual(s.times(), [3000, 4000, 5000]);
  assert.deepEqual(s.values(2), [40, 50]);
  assert.equal(s.last(), 50);
});

test('a gap stays a gap (NaN), not a zero', () => {
  const s = new TimeSeries(4);
  s.push(1, 5);
  s.push(2, Number.NaN);
  s.push(3, 7);
  assert.ok(Number.isNaN(s.values()[1]!));
});

test('pruneBefore drops samples older than the limit, across the wrap-around', () => {
  const s = new TimeSeries(4);
  for (let t = 1; t <= 6; t++) s.push(t, t);
  s.pruneBefore(5);
  assert.deepEqual(s.times(), [5, 6]);
  s.push(7, 7);
  assert.deepEqual(s.values(), [5, 6, 7]);
});

test('countSince counts the newest samples at or after a time, across the wrap-around', () => {
  const s = new TimeSeries(4);
  for (let t = 1; t <= 6; t++) s.push(t * 1000, t);
  assert.equal(s.countSince(4500), 2);
  assert.equal(s.countSince(5000), 2);
  assert.equal(s.countSince(0), 4, 'at most what is kept');
  assert.equal(s.countSince(7000), 0);
  assert.deepEqual(s.times(s.countSince(4000)), [4000, 5000, 6000]);
  assert.equal(new TimeSeries(2).countSince(0), 0);
});

test('empty series and bad capacity', () => {
  const s = new TimeSeries(2);
  assert.equal(s.last(), undefined);
  assert.deepEqual(s.values(), []);
  assert.throws(() => new TimeSeries(0), RangeError);
});
