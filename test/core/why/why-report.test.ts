import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { GrowthJudgement } from '../../../src/core/growth/judge-growth.js';
import { fragmentationLikely, nextStep } from '../../../src/core/why/why-report.js';

const MiB = 1024 * 1024;
const judgement = (kind: GrowthJudgement['kind'], nativePerSecond: number | null): GrowthJudgement => ({
  kind,
  rates: { rss: nativePerSecond, heapFloor: 0, external: 0, native: nativePerSecond, workersHeapFloor: null },
  windowMs: 60_000,
  reason: '',
  holds: kind !== 'none',
});

describe('fragmentationLikely', () => {
  it('native growth that sits in many glibc arenas', () => {
    assert.equal(fragmentationLikely(judgement('native', MiB), { count: 12, committedBytes: 400 * MiB, grownBytes: 50 * MiB }, 60_000), true);
  });

  it('not with few arenas (a main-thread leak grows brk), nor when the arenas did not take the growth, nor for other kinds', () => {
    assert.equal(fragmentationLikely(judgement('native', MiB), { count: 4, committedBytes: 100 * MiB, grownBytes: 50 * MiB }, 60_000), false);
    assert.equal(fragmentationLikely(judgement('native', MiB), { count: 12, committedBytes: 400 * MiB, grownBytes: 2 * MiB }, 60_000), false);
    assert.equal(fragmentationLikely(judgement('heap', MiB), { count: 12, committedBytes: 400 * MiB, grownBytes: 50 * MiB }, 60_000), false);
    assert.equal(fragmentationLikely(judgement('native', MiB), null, 60_000), false);
  });
});

describe('nextStep', () => {
  const base = { fragmentation: false, snapshotsRan: true, named: true };
  it('names the tool for each verdict', () => {
    assert.match(nextStep(42, 'native', base), /heaptrack.*massif/);
    assert.match(nextStep(42, 'native', { ...base, fragmentation: true }), /MALLOC_ARENA_MAX=2.*jemalloc.*leaktop trim 42/);
    assert.match(nextStep(42, 'heap', { ...base, snapshotsRan: false, named: false }), /leaktop leaks --pid 42 --interval/);
    assert.match(nextStep(42, 'heap', { ...base, snapshotsRan: false, named: false, thread: 3 }), /leaktop leaks --pid 42 --thread 3 --interval/, 'a worker that grows: its thread');
    assert.match(nextStep(42, 'unsure', { ...base, longerSeconds: 150 }), /leaktop why 42 --duration 150/);
  });
});
