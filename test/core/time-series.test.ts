import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SeriesGroup, TimeSeries } from '../../src/core/time-series.js';

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

/** The plain model a series must agree with: every sample kept in an array, the oldest dropped past the capacity. */
class ModelSeries {
  readonly samples: Array<{ t: number; v: number }> = [];
  constructor(readonly capacity: number) {}
  push(t: number, v: number) {
    this.samples.push({ t, v });
    if (this.samples.length > this.capacity) this.samples.shift();
  }
  pruneBefore(t: number) {
    while (this.samples.length > 0 && this.samples[0]!.t < t) this.samples.shift();
  }
}

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((x, i) => Object.is(x, b[i]));

test('growing on demand keeps the same windows as a series that held everything', () => {
  // Capacities around the doublings (16, 32, …), gaps first then values, prunes that shrink it across wrap-arounds.
  for (const capacity of [1, 5, 16, 17, 40, 100, 2400]) {
    const s = new TimeSeries(capacity);
    const m = new ModelSeries(capacity);
    for (let tick = 1; tick <= 700; tick++) {
      const v = tick < 30 || tick % 13 === 0 ? Number.NaN : tick * 3 + (tick % 7);
      s.push(tick * 1000, v);
      m.push(tick * 1000, v);
      if (tick % 50 === 0) {
        s.pruneBefore((tick - 35) * 1000);
        m.pruneBefore((tick - 35) * 1000);
      }
      assert.equal(s.length, m.samples.length);
      for (const count of [undefined, 0, 1, 7, 80, 1000]) {
        const n = count ?? m.samples.length;
        const want = m.samples.slice(Math.max(0, m.samples.length - n));
        assert.ok(same(s.values(count), want.map((x) => x.v)), `values(${count}) at tick ${tick}, capacity ${capacity}`);
        assert.ok(same(s.times(count), want.map((x) => x.t)), `times(${count}) at tick ${tick}, capacity ${capacity}`);
      }
      assert.ok(Object.is(s.last(), m.samples.at(-1)?.v));
      for (let i = 0; i < s.length; i++) {
        assert.ok(Object.is(s.valueAt(i), m.samples[i]!.v));
        assert.equal(s.timeAt(i), m.samples[i]!.t);
      }
      assert.equal(s.countSince((tick - 9) * 1000), Math.min(10, m.samples.length));
    }
  }
});

test('a series of gaps only says so, and stops saying so at its first value', () => {
  const s = new TimeSeries(100);
  assert.equal(s.onlyGaps, true);
  for (let t = 1; t <= 40; t++) s.push(t, Number.NaN);
  assert.equal(s.onlyGaps, true);
  assert.ok(Number.isNaN(s.last()!));
  assert.ok(s.values(3).every(Number.isNaN));
  s.push(41, 5);
  assert.equal(s.onlyGaps, false);
  assert.equal(s.last(), 5);
  assert.equal(s.values(41).filter((v) => !Number.isNaN(v)).length, 1);
});

test('series of a group share their times and keep the same windows as series of their own', () => {
  for (const capacity of [3, 16, 40, 2400]) {
    const group = new SeriesGroup(capacity, 3);
    const alone = [0, 1, 2].map(() => new TimeSeries(capacity));
    for (let tick = 1; tick <= 300; tick++) {
      group.push(tick * 1000);
      const values = [tick, tick % 5 === 0 ? tick * 2 : Number.NaN, tick > 100 ? -tick : Number.NaN];
      // A series left unset this tick holds a gap, not the value its slot held before the ring wrapped.
      values.forEach((v, i) => (i === 1 && Number.isNaN(v) ? undefined : group.series[i]!.setNewest(v)));
      values.forEach((v, i) => alone[i]!.push(tick * 1000, v));
      if (tick % 40 === 0) {
        group.pruneBefore((tick - 25) * 1000);
        for (const s of alone) s.pruneBefore((tick - 25) * 1000);
      }
      group.series.forEach((s, i) => {
        assert.ok(same(s.values(), alone[i]!.values()), `series ${i} at tick ${tick}, capacity ${capacity}`);
        assert.ok(same(s.times(), alone[i]!.times()));
        assert.ok(Object.is(s.last(), alone[i]!.last()));
        assert.equal(s.onlyGaps, alone[i]!.onlyGaps);
      });
    }
  }
  assert.throws(() => new SeriesGroup(5, 2).series[0]!.push(1, 1), /group/);
  assert.throws(() => new SeriesGroup(5, 2).series[0]!.setNewest(1), /no sample/);
});
