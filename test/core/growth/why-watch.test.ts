/**
 * The growth judgement on `leaktop why`'s watch as it now runs: two forced full GCs (start and end), heapTotal and
 * the old space read at every tick — on readings recorded from the watch itself (why-watch-readings.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeGrowth, type ActionMark, type GrowthJudgement, type MemoryReading } from '../../../src/core/growth/judge-growth.js';
import { boundedChurn60s, boundedChurn8s, cacheFilledThenStopped36s, cacheLeak60s, cacheLeak6s, cacheLeakWithChurn36s, type WatchRecording } from './why-watch-readings.js';

const T0 = 1_796_000_000_000;
const KiB = 1024;

function readingsOf(recording: WatchRecording, keep: { heapTotal?: boolean; oldSpace?: boolean } = {}): MemoryReading[] {
  return recording.readings.map(([ms, rss, heapUsed, heapTotal, external, oldSpace, afterGc]) => ({
    atMs: T0 + ms,
    rssBytes: rss * KiB,
    heapUsedBytes: heapUsed * KiB,
    ...(keep.heapTotal === false ? {} : { heapTotalBytes: heapTotal * KiB }),
    externalBytes: external * KiB,
    ...(keep.oldSpace === false ? {} : { oldSpaceUsedBytes: oldSpace * KiB }),
    ...(afterGc === 1 ? { afterGc: true } : {}),
  }));
}

/** What the watch hands judgeGrowth (src/tasks/why.ts watchMemory): its options follow the window. */
function judgeAsWhy(recording: WatchRecording, keep?: { heapTotal?: boolean; oldSpace?: boolean }): GrowthJudgement {
  const { durationMs } = recording;
  const marks: ActionMark[] = [{ atMs: T0 + recording.attachMs, action: 'attach' }];
  return judgeGrowth(readingsOf(recording, keep), marks, { minWindowMs: Math.round(durationMs * 0.75), maxWindowMs: durationMs * 2, markSettleMs: Math.min(10_000, Math.round(durationMs / 8)) });
}

test('the recordings are of two forced floors, at the start and the end', () => {
  for (const recording of [boundedChurn8s, cacheLeak6s, boundedChurn60s, cacheLeak60s, cacheFilledThenStopped36s, cacheLeakWithChurn36s]) {
    const forced = recording.readings.filter((r) => r[6] === 1);
    assert.equal(forced.length, 2);
    assert.equal(forced[0], recording.readings[0]);
    assert.equal(forced[1], recording.readings[recording.readings.length - 1]);
  }
});

test('a young bounded churn whose heap commits pages ahead of use: none with heapTotal; without it, the false native that two floors gave', () => {
  const judged = judgeAsWhy(boundedChurn8s);
  assert.equal(judged.kind, 'none', judged.reason);
  assert.match(judged.reason, /beyond the committed heap/);
  // The cause, kept as a test: RSS less the heap floor and external takes the young generation's growth to its
  // working size (heapTotal 14 → 43 MB) for native growth.
  const withoutCommitted = judgeAsWhy(boundedChurn8s, { heapTotal: false });
  assert.equal(withoutCommitted.kind, 'native', withoutCommitted.reason);
});

test('a cache that never evicts: heap over 6 s and over 60 s (no full GC of its own in either)', () => {
  for (const recording of [cacheLeak6s, cacheLeak60s]) {
    const judged = judgeAsWhy(recording);
    assert.equal(judged.kind, 'heap', judged.reason);
    assert.ok(judged.rates.heapFloor! * 60 > 30 * 1024 * 1024, judged.reason);
  }
});

test('a bounded churn over the default 60 s, five full GCs of its own: none', () => {
  const judged = judgeAsWhy(boundedChurn60s);
  assert.equal(judged.kind, 'none', judged.reason);
});

test('a cache that filled, then stopped: the forced floors rise, the full GCs of its own between them say the rise flattened: none', () => {
  const judged = judgeAsWhy(cacheFilledThenStopped36s);
  assert.equal(judged.kind, 'none', judged.reason);
  assert.match(judged.reason, /heap floor \+\d+ MiB\/min over 36 s \(the old space rose 0\.0 MiB in the last 20 s \(after a full GC of its own\), of 9\.\d MiB: a rise that flattened\)/);
  // Without the old space the two floors alone say heap (what five forced floors were for).
  const floorsAlone = judgeAsWhy(cacheFilledThenStopped36s, { oldSpace: false });
  assert.equal(floorsAlone.kind, 'heap', floorsAlone.reason);
});

test('a leak under a churn that runs full GCs of its own: heap (the GCs between the forced floors follow it)', () => {
  const judged = judgeAsWhy(cacheLeakWithChurn36s);
  assert.equal(judged.kind, 'heap', judged.reason);
  assert.doesNotMatch(judged.reason, /flattened/);
});
