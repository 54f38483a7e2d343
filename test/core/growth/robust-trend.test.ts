import assert from 'node:assert/strict';
import { test } from 'node:test';
import { heapFloors } from '../../../src/core/growth/heap-floors.js';
import { firstAtOrAfter, fitQuality, inTimeOrder, median, medianValue, theilSenSlope } from '../../../src/core/growth/robust-trend.js';

const points = (values: readonly number[]) => values.map((v, i) => ({ t: i * 1000, v }));

test('Theil–Sen: an exact line, and one outlier does not move it', () => {
  assert.equal(theilSenSlope(points([0, 2, 4, 6, 8])), 0.002);
  assert.equal(theilSenSlope(points([0, 2, 4, 600, 8, 10, 12])), 0.002);
  assert.equal(theilSenSlope(points([5])), null);
  assert.equal(median([3, 1, 2]), 2);
  assert.equal(median([4, 1, 2, 3]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test('the median by selection is the median of the sorted values, with repeats, even counts and a NaN', () => {
  const sorted = (values: readonly number[]) => {
    const s = [...values].sort((a, b) => a - b);
    const mid = s.length >> 1;
    return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
  };
  // A seeded generator: the same arrays on every run, so a failure can be replayed.
  let seed = 42;
  const random = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let round = 0; round < 2000; round++) {
    const length = 1 + Math.floor(random() * 300);
    // Some arrays of few distinct values (a flat series' slopes are all 0), some all equal, the rest spread.
    const kind = round % 3;
    const values = Array.from({ length }, () => (kind === 0 ? Math.floor(random() * 4) : kind === 1 ? 7 : random() * 2e6 - 1e6));
    const input = [...values];
    assert.equal(median(values), sorted(values), `round ${round}: ${values.join(',')}`);
    assert.deepEqual(values, input, 'the input is left as it was');
  }
  assert.equal(median([5, 1, 4, 2, 3, 9, 8, 7, 6, 0]), 4.5);
  // A NaN sorts last, as Float64Array#sort puts it.
  assert.equal(median([1, Number.NaN, 2]), 2);
  assert.ok(Number.isNaN(median([1, Number.NaN])));
});

test('fit quality: 1 for a line, low for a scatter, null for a constant', () => {
  assert.equal(fitQuality(points([0, 2, 4, 6, 8]), 0.002), 1);
  assert.ok(fitQuality(points([0, 9, 1, 8, 2, 7]), theilSenSlope(points([0, 9, 1, 8, 2, 7]))!)! < 0.3);
  assert.equal(fitQuality(points([3, 3, 3]), 0), null);
});

test('heap floors: the reading where each fall ends; a series that never falls is its own floor', () => {
  // Rises, a GC falls over two readings (10 -> 6 -> 4), rises, falls again at the end.
  const { floors, drops } = heapFloors(points([2, 5, 10, 6, 4, 7, 9, 3]));
  assert.deepEqual(floors.map((p) => p.v), [4, 3]);
  assert.equal(drops, 2);
  assert.deepEqual(heapFloors(points([1, 2, 2, 3])), { floors: points([1, 2, 2, 3]), drops: 0 });
});

/** The median by sorting a copy: the definition the selection must agree with. */
function sortedMedianOf(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

test('a fit over a range of the points is the fit of those points copied out, and the shared scratch leaks nothing between calls', () => {
  // A GC sawtooth on a leak, and a bounded one: 300 points (thinned to 64 in a fit), ranges of every size.
  const series = [0.2e6, 0].map((leak) => Array.from({ length: 300 }, (_, i) => ({ t: i * 1000, v: 20e6 + (i % 7) * 2e6 + leak * i + ((i * 7919) % 13) * 1e4 })));
  for (const points of series) {
    for (const [from, to] of [[0, 300], [0, 150], [150, 300], [200, 300], [10, 74], [10, 75], [3, 4], [5, 5]] as const) {
      const copied = theilSenSlope(points.slice(from, to));
      assert.ok(Object.is(theilSenSlope(points, from, to), copied), `[${from}, ${to})`);
      assert.ok(Object.is(medianValue(points, from, to), median(points.slice(from, to).map((p) => p.v))));
    }
  }
  const values = series[0]!.map((p) => p.v);
  for (const n of [1, 2, 3, 64, 65, 300]) {
    // Twice in a row, a longer call in between: the same answer as sorting each time.
    assert.equal(median(values.slice(0, n)), sortedMedianOf(values.slice(0, n)));
    median(values);
    assert.equal(median(values.slice(0, n)), sortedMedianOf(values.slice(0, n)));
  }
  assert.ok(Number.isNaN(median([])));
  assert.equal(median([3, Number.NaN, 1]), 3, 'a NaN sorts last, as before');
});

test('time order and the first point at or after a time', () => {
  const points = [1, 2, 2, 5, 9].map((t) => ({ t, v: 0 }));
  assert.equal(inTimeOrder(points), true);
  assert.equal(inTimeOrder([{ t: 2, v: 0 }, { t: 1, v: 0 }]), false);
  assert.equal(inTimeOrder([{ t: 1, v: 0 }, { t: Number.NaN, v: 0 }]), false);
  assert.deepEqual([0, 1, 2, 3, 5, 9, 10].map((t) => firstAtOrAfter(points, t)), [0, 0, 1, 3, 3, 4, 5]);
});
