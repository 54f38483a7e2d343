import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeGrowth, timeToLimitSeconds, type MemoryReading } from '../../../src/core/growth/judge-growth.js';

const MB = 1e6;
const T0 = 1_795_000_000_000;

/** A deterministic noise source (LCG), -1…1: the same series on every run. */
function noise(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s / 2 ** 32) * 2 - 1;
  };
}

interface Shape {
  seconds: number;
  /** Heap floor at second t, bytes (undefined: no inspector). */
  floor?: (t: number) => number;
  /** Height of the GC sawtooth above the floor, bytes; its period in seconds. */
  tooth?: number;
  period?: number;
  /** Scatter of each GC's floor (what a scavenge left of old-generation garbage), bytes. */
  floorScatter?: number;
  rss: (t: number) => number;
  rssScatter?: number;
  external?: (t: number) => number;
  workers?: (t: number) => number;
  /** Seconds at which a reading is taken right after a forced GC (exactly on the floor). */
  forcedGcAt?: readonly number[];
}

/** One reading a second of a process shaped like the real cases of issue 16. */
function series(shape: Shape, seed = 1): MemoryReading[] {
  const r = noise(seed);
  const readings: MemoryReading[] = [];
  const period = shape.period ?? 6;
  const cycleScatter: number[] = [];
  for (let t = 0; t <= shape.seconds; t++) {
    const reading: MemoryReading = { atMs: T0 + t * 1000, rssBytes: shape.rss(t) + r() * (shape.rssScatter ?? 0) };
    if (shape.floor) {
      const forced = shape.forcedGcAt?.includes(t) ?? false;
      const phase = (t % period) / period;
      // One scatter per GC cycle: between two GCs the used heap only rises.
      const cycle = Math.floor(t / period);
      while (cycleScatter.length <= cycle) cycleScatter.push(Math.abs(r()) * (shape.floorScatter ?? 0));
      const scatter = cycleScatter[cycle]!;
      reading.heapUsedBytes = forced ? shape.floor(t) : shape.floor(t) + scatter + phase * (shape.tooth ?? 0);
      if (forced) reading.afterGc = true;
    }
    if (shape.external) reading.externalBytes = shape.external(t);
    if (shape.workers) reading.workersHeapUsedBytes = shape.workers(t);
    readings.push(reading);
  }
  return readings;
}

/** The bounded control: a 12.8…28.1 MB sawtooth (GC every 6 s), floors scattered by 1 MB, RSS ±2 MB. */
const churn: Shape = { seconds: 120, floor: () => 12.8 * MB, tooth: 15.3 * MB, floorScatter: 1 * MB, rss: () => 80 * MB, rssScatter: 2 * MB, external: () => 2 * MB };

test('a 6 MB/min leak under a 12.8…28.1 MB sawtooth is heap growth at its floor rate', () => {
  const leak = (t: number) => 12.8 * MB + (6 * MB * t) / 60;
  const readings = series({ ...churn, floor: leak, rss: (t) => 80 * MB + (7 * MB * t) / 60 });
  const judged = judgeGrowth(readings, []);
  assert.equal(judged.kind, 'heap', judged.reason);
  assert.equal(judged.holds, true);
  const perMin = judged.rates.heapFloor! * 60;
  assert.ok(Math.abs(perMin - 6 * MB) < 1 * MB, `heap floor ${perMin / MB} MB/min`);
  assert.match(judged.reason, /^heap floor \+5\.\d MiB\/min over 120 s, R² 0\.\d\d/);
  assert.equal(judged.windowMs, 120_000);
});

test('a bounded churning sawtooth is none, though its pre-GC peaks swing by 15 MB', () => {
  for (const seed of [1, 2, 3, 4, 5]) {
    const judged = judgeGrowth(series(churn, seed), []);
    assert.equal(judged.kind, 'none', `seed ${seed}: ${judged.reason}`);
    assert.equal(judged.holds, false);
    assert.match(judged.reason, /^bounded: heap floor/);
  }
});

test('before the minimum window nothing is judged, and moreMs says how long is left', () => {
  const leak = (t: number) => 12.8 * MB + (30 * MB * t) / 60;
  const judged = judgeGrowth(series({ ...churn, seconds: 20, floor: leak, rss: (t) => 80 * MB + MB * t }), []);
  assert.equal(judged.kind, 'unsure', judged.reason);
  assert.equal(judged.moreMs, 40_000);
  assert.equal(judged.holds, false);
  assert.equal(judgeGrowth([], []).moreMs, 60_000);
  // The window is an option (the monitor's --growth-window).
  const shortWindow = judgeGrowth(series({ ...churn, seconds: 20, period: 2, floor: leak }), [], { minWindowMs: 15_000, minFloors: 3 });
  assert.equal(shortWindow.kind, 'heap', shortWindow.reason);
});

test('one 6 MB RSS step in a bounded process is not growth, wherever it falls in the window', () => {
  for (let stepAt = 10; stepAt <= 110; stepAt += 10) {
    const readings = series({ seconds: 120, rss: (t) => 80 * MB + (t >= stepAt ? 6 * MB : 0), rssScatter: 0.3 * MB }, stepAt);
    const judged = judgeGrowth(readings, []);
    assert.equal(judged.holds, false, `step at ${stepAt} s: ${judged.reason}`);
    assert.notEqual(judged.kind, 'native');
  }
  // Well inside the window, a step that stayed flat is plainly bounded.
  const judged = judgeGrowth(series({ seconds: 120, rss: (t) => 80 * MB + (t >= 40 ? 6 * MB : 0) }), []);
  assert.equal(judged.kind, 'none', judged.reason);
});

test("leaktop's own snapshots move RSS by hundreds of MB: spliced out, not growth", () => {
  // A snapshot every 10 s (a user pressing s again and again), each leaving RSS 20 MB higher: a staircase that reads
  // as growth; the heap stays a bounded sawtooth. Marks settle in 3 s here, so that readings remain between them.
  const at = [5, 15, 25, 35, 45, 55, 65, 75, 85, 95, 105, 115];
  const rss = (t: number) => 80 * MB + at.filter((s) => t >= s).length * 20 * MB;
  const marks = at.map((s) => ({ atMs: T0 + s * 1000, action: 'snapshot', untilMs: T0 + (s + 1) * 1000 }));
  const judged = judgeGrowth(series({ ...churn, seconds: 120, rss }), marks, { markSettleMs: 3000 });
  assert.equal(judged.kind, 'none', judged.reason);
  assert.ok(Math.abs(judged.rates.rss! * 60) < 2 * MB, `RSS ${judged.rates.rss! * 60} B/min`);
  // The same series without the marks reads as growth: the marks are what keeps it out.
  const unmarked = judgeGrowth(series({ ...churn, seconds: 120, rss }), [], { markSettleMs: 3000 });
  assert.equal(unmarked.holds, true, unmarked.reason);
});

test('a leak goes on showing across an attach; a running sampler keeps RSS judged up to its start', () => {
  const leak = (t: number) => 80 * MB + (8 * MB * t) / 60;
  const attachAt = [{ atMs: T0 + 60_000, action: 'attach', untilMs: T0 + 61_000 }];
  const attached = judgeGrowth(series({ seconds: 120, rss: (t) => leak(t) + (t >= 60 ? 20 * MB : 0) }), attachAt);
  assert.equal(attached.holds, true, attached.reason);
  // What it grew while the attach's readings were left out is spliced away with the step: a little under the rate.
  assert.ok(attached.rates.rss! * 60 > 6 * MB && attached.rates.rss! * 60 < 8.5 * MB, attached.reason);
  const sampling = [{ atMs: T0 + 100_000, action: 'sampling', untilMs: Infinity }];
  const sampled = judgeGrowth(series({ seconds: 120, rss: (t) => 80 * MB + (t >= 100 ? (t - 100) * 3 * MB : 0) }), sampling);
  assert.equal(sampled.holds, false, sampled.reason);
  assert.match(sampled.reason, /until leaktop's sampling started/);
});

test('Buffers kept: external grows with a flat heap floor: off-heap', () => {
  const readings = series({ ...churn, external: (t) => 2 * MB + (5 * MB * t) / 60 + ((t % 4) / 4) * 1 * MB, rss: (t) => 80 * MB + (5 * MB * t) / 60 });
  const judged = judgeGrowth(readings, []);
  assert.equal(judged.kind, 'off-heap', judged.reason);
  assert.ok(Math.abs(judged.rates.external! * 60 - 5 * MB) < 0.5 * MB);
});

test('RSS grows while heap, external and the workers stay flat: native', () => {
  const judged = judgeGrowth(series({ ...churn, workers: () => 5 * MB, rss: (t) => 80 * MB + (8 * MB * t) / 60 }), []);
  assert.equal(judged.kind, 'native', judged.reason);
  assert.ok(Math.abs(judged.rates.native! * 60 - 8 * MB) < 1 * MB);
  assert.match(judged.reason, /^native/);
});

test("a worker's heap leak with a flat main heap is heap growth, said to be the workers'", () => {
  const workers = (t: number) => 4 * MB + (6 * MB * t) / 60 + ((t % 5) / 5) * 3 * MB;
  const judged = judgeGrowth(series({ ...churn, workers, rss: (t) => 80 * MB + (6 * MB * t) / 60 }), []);
  assert.equal(judged.kind, 'heap', judged.reason);
  assert.match(judged.reason, /^workers' heap floor/);
  assert.ok(judged.rates.workersHeapFloor! > 0);
  assert.ok(Math.abs(judged.rates.heapFloor!) * 60 < 1 * MB);
});

test('forced GCs at the start and the end (why) carry the floor rate', () => {
  const leak = (t: number) => 12.8 * MB + (6 * MB * t) / 60;
  const leaking = judgeGrowth(series({ ...churn, seconds: 60, floor: leak, rss: (t) => 80 * MB + (6 * MB * t) / 60, forcedGcAt: [0, 60] }), []);
  assert.equal(leaking.kind, 'heap', leaking.reason);
  assert.ok(Math.abs(leaking.rates.heapFloor! * 60 - 6 * MB) < 0.1 * MB);
  const bounded = judgeGrowth(series({ ...churn, seconds: 60, forcedGcAt: [0, 60] }), []);
  assert.equal(bounded.kind, 'none', bounded.reason);
});

test('RSS growth without heap figures holds but cannot be told apart: unsure, attach to tell', () => {
  const judged = judgeGrowth(series({ seconds: 120, rss: (t) => 80 * MB + (10 * MB * t) / 60, rssScatter: 1 * MB }), []);
  assert.equal(judged.kind, 'unsure', judged.reason);
  assert.equal(judged.holds, true);
  assert.equal(judged.moreMs, undefined);
  assert.match(judged.reason, /attach/);
});

test('a leak that started half-way is not called bounded: unsure, watch on', () => {
  const floor = (t: number) => 12.8 * MB + (t > 60 ? (6 * MB * (t - 60)) / 60 : 0);
  const judged = judgeGrowth(series({ ...churn, floor, rss: (t) => 80 * MB + (t > 60 ? (6 * MB * (t - 60)) / 60 : 0) }), []);
  assert.equal(judged.kind, 'unsure', judged.reason);
  assert.ok(judged.moreMs! > 0);
});

test('a heap with too few GCs is unsure, unless even its pre-GC readings are flat', () => {
  // GC every 40 s: 2 floors in 90 s.
  const slow = { ...churn, seconds: 90, period: 40, floor: (t: number) => 12.8 * MB + (6 * MB * t) / 60, rss: () => 80 * MB };
  const judged = judgeGrowth(series(slow), []);
  assert.equal(judged.kind, 'unsure', judged.reason);
  assert.ok(judged.moreMs! >= 40_000, String(judged.moreMs));
  const idle = judgeGrowth(series({ seconds: 90, floor: () => 10 * MB, tooth: 0.2 * MB, period: 40, rss: () => 80 * MB }), []);
  assert.equal(idle.kind, 'none', idle.reason);
});

test('only the newest maxWindowMs are judged: an old leak that stopped is bounded now', () => {
  const floor = (t: number) => 12.8 * MB + (Math.min(t, 100) * 6 * MB) / 60;
  const judged = judgeGrowth(series({ ...churn, seconds: 300, floor, rss: (t) => 80 * MB + (Math.min(t, 100) * 6 * MB) / 60 }), []);
  assert.equal(judged.kind, 'none', judged.reason);
  assert.equal(judged.windowMs, 120_000);
});

test('time to the limit', () => {
  assert.equal(timeToLimitSeconds(100, 10, 200), 10);
  assert.equal(timeToLimitSeconds(300, 10, 200), 0);
  assert.equal(timeToLimitSeconds(100, 0, 200), null);
  assert.equal(timeToLimitSeconds(100, -5, 200), null);
  assert.equal(timeToLimitSeconds(100, null, 200), null);
  assert.equal(timeToLimitSeconds(100, 10, Number.POSITIVE_INFINITY), null);
});

test('a heap leak whose RSS grows faster than its heap floor (pages committed ahead) is heap, not native', () => {
  const judged = judgeGrowth(series({ ...churn, floor: (t) => 12.8 * MB + (3.6 * MB * t) / 60, rss: (t) => 60 * MB + (7 * MB * t) / 60 }), []);
  assert.equal(judged.kind, 'heap', judged.reason);
  assert.match(judged.reason, /; RSS \+6\.\d MiB\/min/);
});

test('a cache filling up (a rise that flattens) is not a leak, nor is promoted garbage a full GC takes back', () => {
  // 32 MB filled over the first 20 s, then full; judged at 34 s with a 30 s window.
  const fill = (t: number) => 12.8 * MB + Math.min(t, 20) * 1.6 * MB;
  const filling = judgeGrowth(series({ ...churn, seconds: 34, period: 2, floor: fill, rss: (t) => 60 * MB + Math.min(t, 20) * 1.8 * MB }), [], { minWindowMs: 30_000 });
  assert.notEqual(filling.kind, 'heap', filling.reason);
  assert.equal(filling.holds, false);
  // Scavenge troughs rising by promoted garbage for 100 s; the old space falls back at a full GC at 60 s.
  const readings = series({ ...churn, floor: (t) => 12.8 * MB + ((t % 60) * 6 * MB) / 60 + (t * 3 * MB) / 60, rss: () => 80 * MB });
  for (const r of readings) {
    const t = (r.atMs - T0) / 1000;
    r.oldSpaceUsedBytes = 8 * MB + ((t % 60) * 9 * MB) / 60;
  }
  assert.equal(judgeGrowth(readings, []).kind, 'none');
  // A leak whose full GC at 60 s frees 1.5 MB of promoted garbage and leaves the old space above its earlier lowest.
  const leaking = series({ ...churn, floor: (t) => 12.8 * MB + (t * 6 * MB) / 60, rss: (t) => 80 * MB + (t * 6 * MB) / 60 });
  for (const r of leaking) {
    const t = (r.atMs - T0) / 1000;
    r.oldSpaceUsedBytes = 8 * MB + (t * 6 * MB) / 60 + (t < 60 ? (t * 1.5 * MB) / 60 : 0);
  }
  const confirmed = judgeGrowth(leaking, []);
  assert.equal(confirmed.kind, 'heap', confirmed.reason);
});

test('RSS growing with the committed heap while the used floor is flat (a heap warming up) is not native', () => {
  const readings = series({ ...churn, rss: (t) => 60 * MB + (t * 20 * MB) / 60 });
  for (const r of readings) r.heapTotalBytes = 20 * MB + (((r.atMs - T0) / 1000) * 19 * MB) / 60;
  const judged = judgeGrowth(readings, []);
  assert.notEqual(judged.kind, 'native', judged.reason);
  assert.equal(judged.holds, false);
});

test('memory given back (Buffers freed, the committed heap shrinking) while RSS is flat or falls is not native growth', () => {
  // RSS flat while external falls 40 → 10 MB: RSS beyond the committed heap and external "rises" 30 MB.
  const freed = series({ ...churn, rss: () => 120 * MB, external: (t) => 40 * MB - (t * 30 * MB) / 120, seconds: 120 });
  for (const r of freed) r.heapTotalBytes = 30 * MB;
  const afterBurst = judgeGrowth(freed, []);
  assert.notEqual(afterBurst.kind, 'native', afterBurst.reason);
  assert.equal(afterBurst.holds, false);
  // RSS falling 130 → 120 MB while the committed heap shrinks 60 → 30 MB.
  const shrinking = series({ ...churn, rss: (t) => 130 * MB - (t * 10 * MB) / 120, seconds: 120 });
  for (const r of shrinking) r.heapTotalBytes = 60 * MB - (((r.atMs - T0) / 1000) * 30 * MB) / 120;
  const judged = judgeGrowth(shrinking, []);
  assert.notEqual(judged.kind, 'native', judged.reason);
  assert.equal(judged.holds, false);
  // The control: the same committed heap with RSS growing beyond it is native, at no more than RSS's own rate.
  const growing = series({ ...churn, rss: (t) => 120 * MB + (t * 20 * MB) / 120, seconds: 120 });
  for (const r of growing) r.heapTotalBytes = 30 * MB;
  const native = judgeGrowth(growing, []);
  assert.equal(native.kind, 'native', native.reason);
  assert.ok(native.rates.native! <= native.rates.rss! * 1.05, `native ${native.rates.native} vs RSS ${native.rates.rss}`);
});
