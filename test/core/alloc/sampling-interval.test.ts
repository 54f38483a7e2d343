import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allocationRateOf, chooseSamplingInterval, describeIntervalChoice, MAX_SAMPLING_INTERVAL_BYTES, MIN_GROWTH_SAMPLES, SAMPLES_PER_SECOND_BUDGET, samplingChoice } from '../../../src/core/alloc/sampling-interval.js';
import { DEFAULT_SAMPLING_INTERVAL_BYTES, type SamplingProfile } from '../../../src/core/alloc/sampling-profile.js';

const KiB = 1024;
const MiB = 1024 * KiB;
const head = { callFrame: { functionName: '(root)', scriptId: '0', url: '', lineNumber: -1, columnNumber: -1 }, selfSize: 0, id: 1, children: [] };
const profileWith = (ordinals: number[]): SamplingProfile => ({ head, samples: ordinals.map((ordinal) => ({ size: 100, nodeId: 1, ordinal })) });
const range = (n: number, from = 1) => Array.from({ length: n }, (_, i) => from + i);

describe('allocationRateOf', () => {
  it('counts every sample by its highest ordinal: samples × interval over the window', () => {
    const rate = allocationRateOf(profileWith(range(500)), 4 * MiB, 10_000)!;
    assert.equal(rate.bytesPerSecond, (500 * 4 * MiB) / 10);
    assert.equal(rate.samples, 500);
    assert.equal(rate.lowerBound, false);
  });

  it('a lower bound when the GC dropped the dead samples (V8 ignored includeObjectsCollectedBy…): the newest live ordinal', () => {
    const rate = allocationRateOf(profileWith([3, 40, 77]), MiB, 1000)!;
    assert.equal(rate.bytesPerSecond, 77 * MiB);
    assert.equal(rate.lowerBound, true);
  });

  it('no samples: a rate of 0 (below one interval over the window); an empty window: null', () => {
    assert.deepEqual(allocationRateOf(profileWith([]), MiB, 5000), { bytesPerSecond: 0, samples: 0, lowerBound: false });
    assert.equal(allocationRateOf(profileWith([1]), MiB, 0), null);
  });
});

describe('chooseSamplingInterval', () => {
  const window = 20_000;
  it('the default when the rate is unknown, zero or low enough for the budget at the default', () => {
    assert.deepEqual(chooseSamplingInterval({ allocationBytesPerSecond: null, growthBytesPerSecond: MiB, windowMs: window }), { intervalBytes: DEFAULT_SAMPLING_INTERVAL_BYTES, by: 'default', expectedSamplesPerSecond: null });
    assert.equal(chooseSamplingInterval({ allocationBytesPerSecond: 0, growthBytesPerSecond: MiB, windowMs: window }).intervalBytes, DEFAULT_SAMPLING_INTERVAL_BYTES);
    const low = chooseSamplingInterval({ allocationBytesPerSecond: 2 * MiB, growthBytesPerSecond: MiB, windowMs: window });
    assert.equal(low.intervalBytes, DEFAULT_SAMPLING_INTERVAL_BYTES);
    assert.equal(low.by, 'default');
    assert.equal(low.expectedSamplesPerSecond, 16);
  });

  it('rate / budget when the growth allows it, in whole 64 KiB steps, at most the budget per second', () => {
    const choice = chooseSamplingInterval({ allocationBytesPerSecond: 200e6, growthBytesPerSecond: 4 * MiB, windowMs: window });
    assert.equal(choice.by, 'budget');
    assert.equal(choice.intervalBytes % (64 * KiB), 0);
    assert.ok(choice.intervalBytes <= 200e6 / SAMPLES_PER_SECOND_BUDGET && choice.intervalBytes > 200e6 / SAMPLES_PER_SECOND_BUDGET - 64 * KiB);
    assert.ok(choice.expectedSamplesPerSecond! >= SAMPLES_PER_SECOND_BUDGET && choice.expectedSamplesPerSecond! < SAMPLES_PER_SECOND_BUDGET * 1.05);
  });

  it('no coarser than lets the growth collect MIN_GROWTH_SAMPLES over the window: a slow leak keeps a finer interval, a longer window a coarser one', () => {
    const slow = chooseSamplingInterval({ allocationBytesPerSecond: 200e6, growthBytesPerSecond: 270e3, windowMs: window });
    assert.equal(slow.by, 'growth');
    assert.ok((270e3 * 20) / slow.intervalBytes >= MIN_GROWTH_SAMPLES);
    const longer = chooseSamplingInterval({ allocationBytesPerSecond: 200e6, growthBytesPerSecond: 270e3, windowMs: 3 * window });
    assert.ok(longer.intervalBytes > slow.intervalBytes);
    assert.ok((270e3 * 60) / longer.intervalBytes >= MIN_GROWTH_SAMPLES);
  });

  it('without a growth to go by (none seen, off-heap with a flat heap): the default, whatever the rate', () => {
    for (const growth of [null, 0, -MiB]) {
      const choice = chooseSamplingInterval({ allocationBytesPerSecond: 200e6, growthBytesPerSecond: growth, windowMs: window });
      assert.equal(choice.intervalBytes, DEFAULT_SAMPLING_INTERVAL_BYTES, String(growth));
      assert.equal(choice.by, 'default');
    }
  });

  it('never above the maximum, never below the default', () => {
    const huge = chooseSamplingInterval({ allocationBytesPerSecond: 50e9, growthBytesPerSecond: 1e9, windowMs: 600_000 });
    assert.equal(huge.intervalBytes, MAX_SAMPLING_INTERVAL_BYTES);
    assert.equal(huge.by, 'max');
    const tiny = chooseSamplingInterval({ allocationBytesPerSecond: 14e6, growthBytesPerSecond: 1e9, windowMs: window, samplesPerSecond: 100 });
    assert.ok(tiny.intervalBytes >= DEFAULT_SAMPLING_INTERVAL_BYTES);
  });

  it('a budget of its own', () => {
    const choice = chooseSamplingInterval({ allocationBytesPerSecond: 100 * MiB, growthBytesPerSecond: 100 * MiB, windowMs: window, samplesPerSecond: 50 });
    assert.equal(choice.intervalBytes, 2 * MiB);
  });
});

describe('describeIntervalChoice', () => {
  it('says the interval, the rate seen and the bound that decided', () => {
    const budget = chooseSamplingInterval({ allocationBytesPerSecond: 200 * MiB, growthBytesPerSecond: 100 * MiB, windowMs: 20_000 });
    assert.equal(describeIntervalChoice(budget, 200 * MiB), `every 2 MiB: 200 MiB/s allocated, for ≤ ${SAMPLES_PER_SECOND_BUDGET} samples/s`);
    assert.match(describeIntervalChoice(budget, 200 * MiB, true), /≥ 200 MiB\/s allocated/);
    const unknown = chooseSamplingInterval({ allocationBytesPerSecond: null, growthBytesPerSecond: null, windowMs: 20_000 });
    assert.equal(describeIntervalChoice(unknown, null), 'every 128 KiB: the default (allocation rate not measured)');
    const growth = chooseSamplingInterval({ allocationBytesPerSecond: 200 * MiB, growthBytesPerSecond: 300 * KiB, windowMs: 20_000 });
    assert.match(describeIntervalChoice(growth, 200 * MiB), /^every \d+ KiB: 200 MiB\/s allocated, ~\d+ samples\/s; no coarser, so that the growth seen gets ≥ 16 samples in the window$/);
  });
});

describe('samplingChoice', () => {
  it('an explicit interval wins, the rate seen still said', () => {
    const choice = samplingChoice({ explicit: 32 * KiB, rate: { bytesPerSecond: 200 * MiB, samples: 1000, lowerBound: false }, growthBytesPerSecond: MiB, windowMs: 20_000 });
    assert.equal(choice.intervalBytes, 32 * KiB);
    assert.equal(choice.chosenBy, 'option');
    assert.equal(choice.reason, 'every 32 KiB: as asked (200 MiB/s allocated)');
  });

  it('from the probe\'s rate otherwise; the reason the rate is missing when it is', () => {
    const chosen = samplingChoice({ rate: { bytesPerSecond: 200 * MiB, samples: 1000, lowerBound: false }, growthBytesPerSecond: 100 * MiB, windowMs: 20_000 });
    assert.equal(chosen.intervalBytes, 2 * MiB);
    assert.equal(chosen.chosenBy, 'budget');
    assert.equal(chosen.allocationBytesPerSecond, 200 * MiB);
    const unmeasured = samplingChoice({ rate: null, growthBytesPerSecond: MiB, windowMs: 20_000, unmeasured: 'another tool samples allocations' });
    assert.equal(unmeasured.intervalBytes, DEFAULT_SAMPLING_INTERVAL_BYTES);
    assert.equal(unmeasured.reason, 'every 128 KiB: the default (allocation rate not measured: another tool samples allocations)');
  });
});
