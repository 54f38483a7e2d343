/**
 * The growth judgement on real processes in their first minute (young-process-readings.ts says where each series
 * comes from), judged at every reading as the monitor judges an attached process on every tick, with the pty test's
 * 30 s window (`--growth-window 30`); and the young-process cases of its rules on made-up series.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeGrowth, type ActionMark, type GrowthJudgement, type JudgeOptions, type MemoryReading } from '../../../src/core/growth/judge-growth.js';
import { boundedAttachedAt10s, boundedAttachedAt10sOldSpaceFill, boundedUnattached, nativeLeakAttachedAt8s, type Recording } from './young-process-readings.js';

/** When the recorded process started, epoch ms (the recordings are in ms since its start). */
const STARTED = 1_795_000_000_000;
const KiB = 1024;
const MB = 1e6;
const WINDOW: JudgeOptions = { minWindowMs: 30_000 };

function readingsOf(recording: Recording): MemoryReading[] {
  return recording.readings.map(([ms, rss, used, total, external, oldSpace]) => {
    const reading: MemoryReading = { atMs: STARTED + ms!, rssBytes: rss! * KiB };
    if (used !== undefined) Object.assign(reading, { heapUsedBytes: used * KiB, heapTotalBytes: total! * KiB, externalBytes: external! * KiB, oldSpaceUsedBytes: oldSpace! * KiB });
    return reading;
  });
}

function marksOf(recording: Recording): ActionMark[] {
  return recording.attach ? [{ atMs: STARTED + recording.attach[0], action: 'attach', untilMs: STARTED + recording.attach[1] }] : [];
}

/** The judgement after each reading, over the newest two minutes, as the tracker judges (the process's start known). */
function judgedAtEveryReading(recording: Recording): Array<{ second: number; judged: GrowthJudgement }> {
  const readings = readingsOf(recording);
  const marks = marksOf(recording);
  return readings.map((r, i) => ({
    second: Math.round((r.atMs - STARTED) / 1000),
    judged: judgeGrowth(
      readings.slice(0, i + 1).filter((x) => x.atMs >= r.atMs - 120_000),
      marks.filter((m) => m.atMs <= r.atMs),
      WINDOW,
      STARTED,
    ),
  }));
}

test('a young bounded process attached in its eleventh second (recorded): no judgement of its first 80 s holds, none is native', () => {
  for (const [name, recording] of [['its young generation touched after the attach', boundedAttachedAt10s], ['its old space filling to a full GC', boundedAttachedAt10sOldSpaceFill]] as const) {
    const judgements = judgedAtEveryReading(recording);
    for (const { second, judged } of judgements) {
      assert.equal(judged.holds, false, `${name}, ${second} s: ${judged.kind}: ${judged.reason}`);
      assert.ok(judged.kind === 'none' || judged.kind === 'unsure', `${name}, ${second} s: ${judged.kind}: ${judged.reason}`);
    }
    // Not merely never judged: bounded once the window is full.
    assert.ok(judgements.some(({ judged }) => judged.kind === 'none'), `${name}: never judged bounded`);
  }
});

test('the same process never attached (recorded): RSS alone never holds in its first 100 s, and it is judged bounded', () => {
  const judgements = judgedAtEveryReading(boundedUnattached);
  for (const { second, judged } of judgements) assert.equal(judged.holds, false, `${second} s: ${judged.kind}: ${judged.reason}`);
  assert.equal(judgements.at(-1)!.judged.kind, 'none', judgements.at(-1)!.judged.reason);
});

test('a real native leak attached in its young seconds (recorded) is still native, at the addon’s rate', () => {
  const judged = judgedAtEveryReading(nativeLeakAttachedAt8s).at(-1)!.judged;
  assert.equal(judged.kind, 'native', judged.reason);
  assert.equal(judged.holds, true);
  // The addon mallocs 64 KiB every 30 ms: 125 MiB/min; RSS beyond the committed heap shows about that.
  const perMin = (judged.rates.native! * 60) / (1024 * KiB);
  assert.ok(perMin > 90 && perMin < 160, `${perMin} MiB/min`);
  assert.match(judged.reason, /^native \(RSS beyond the committed heap \+ external\)/);
});

/** One reading a second of made-up figures. */
function made(seconds: number, reading: (t: number) => Omit<MemoryReading, 'atMs'>): MemoryReading[] {
  return Array.from({ length: seconds + 1 }, (_, t) => ({ atMs: STARTED + t * 1000, ...reading(t) }));
}

test('native is judged on RSS beyond the committed heap: a semispace step that RSS follows is not, a malloc leak across it is', () => {
  // A bounded sawtooth whose committed heap steps 24 → 41 MB at 70 s (V8 doubling its semispaces) while RSS follows
  // over 4 s as the pages are touched: RSS rises 17 MB in the window, none of it beyond the committed heap.
  const used = (t: number) => 8 * MB + ((t % 6) / 6) * 8 * MB;
  const total = (t: number) => (t < 70 ? 24 * MB : 41 * MB);
  const touched = (t: number) => Math.min(1, Math.max(0, (t - 70) / 4)) * 17 * MB;
  const step = made(120, (t) => ({ rssBytes: 60 * MB + touched(t), heapUsedBytes: used(t), heapTotalBytes: total(t), externalBytes: 1.4 * MB }));
  const stepped = judgeGrowth(step, []);
  assert.notEqual(stepped.kind, 'native', stepped.reason);
  assert.equal(stepped.holds, false, stepped.reason);
  // The same with 8 MB/min of malloc on top: native, at that rate.
  const leak = made(120, (t) => ({ rssBytes: 60 * MB + touched(t) + (8 * MB * t) / 60, heapUsedBytes: used(t), heapTotalBytes: total(t), externalBytes: 1.4 * MB }));
  const leaking = judgeGrowth(leak, []);
  assert.equal(leaking.kind, 'native', leaking.reason);
  assert.ok(Math.abs(leaking.rates.native! * 60 - 8 * MB) < 1 * MB, leaking.reason);
});

test('RSS alone, from the process’s start: a leak holds once it holds after the first window; a warm-up that plateaus never', () => {
  const leak = made(130, (t) => ({ rssBytes: 45 * MB + (10 * MB * t) / 60 }));
  // 70 s in: only 10 s after its first minute, not yet (the rate is known; GROWTH shows the wait: `warmingUp`).
  const early = judgeGrowth(leak.slice(0, 71), [], {}, STARTED);
  assert.equal(early.holds, false, early.reason);
  assert.equal(early.kind, 'unsure');
  assert.ok(early.moreMs! > 0 && early.rates.rss! > 0, early.reason);
  assert.equal(early.warmingUp, true, early.reason);
  const later = judgeGrowth(leak, [], {}, STARTED);
  assert.equal(later.holds, true, later.reason);
  // The same line with no start known (a process older than the window): it holds at its first judgement.
  assert.equal(judgeGrowth(leak.slice(0, 71), []).holds, true);
  // A warm-up: +40 MB in 40 s, then a sawtooth (±2 MB, 11 s) that the whole window's slope lifted into "growth".
  const warmUp = made(130, (t) => ({ rssBytes: 45 * MB + Math.min(t, 40) * MB + ((t % 11) / 11) * 4 * MB }));
  for (let end = 60; end <= 130; end += 5) {
    const judged = judgeGrowth(warmUp.slice(0, end + 1), [], {}, STARTED);
    assert.equal(judged.holds, false, `${end} s: ${judged.reason}`);
  }
});
