/**
 * The GROWTH cell of the demo's leaky server (demo-leaky-server-readings.ts says how it was recorded), judged at every
 * reading as the tracker judges a process it saw start, on RSS alone, with the monitor's defaults: until its rise is
 * told from its warm-up, the cell is the wait — not `bounded`, which told the user of a leaking process the wrong thing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { judgeGrowth, type GrowthJudgement, type MemoryReading } from '../../../src/core/growth/judge-growth.js';
import { growthCellText, shownGrowth } from '../../../src/core/growth/shown-growth.js';
import { demoLeakyServer, demoLeakyServerAgain, demoLeakyServerThird, demoSteadyWorker, sessionLeakBoundedUnattached } from './demo-leaky-server-readings.js';
import type { Recording } from './young-process-readings.js';

/** When the recorded process started, epoch ms (the recordings are in ms since its start). */
const STARTED = 1_795_000_000_000;
/** The monitor's default minimum window, ms. */
const MIN_WINDOW_MS = 60_000;

/** The judgement and GROWTH cell after each reading, over the newest two minutes, its start known. */
function judgedAtEveryReading(recording: Recording): Array<{ ms: number; judged: GrowthJudgement; cell: string }> {
  const readings: MemoryReading[] = recording.readings.map(([ms, rss]) => ({ atMs: STARTED + ms!, rssBytes: rss! * 1024 }));
  return readings.map((r, i) => {
    const judged = judgeGrowth(readings.slice(0, i + 1).filter((x) => x.atMs >= r.atMs - 120_000), [], {}, STARTED);
    return { ms: r.atMs - STARTED, judged, cell: growthCellText(shownGrowth(judged), false) };
  });
}

test('the demo’s leaky server on RSS alone (recorded): the wait until its rise is told, never bounded, then LEAK? rss', () => {
  for (const [name, recording] of [['first run', demoLeakyServer], ['second run', demoLeakyServerAgain], ['third run', demoLeakyServerThird]] as const) {
    const judgements = judgedAtEveryReading(recording);
    const marked = judgements.findIndex(({ judged }) => judged.holds);
    assert.ok(marked > 0, `${name}: never marked`);
    // Never `bounded` before the mark (the judgement before this test: at 80-90 s, 78-92 s, 75-91 s and 106-121 s).
    const before = judgements.slice(0, marked);
    assert.deepEqual(before.filter(({ cell }) => cell === 'bounded').map(({ ms, judged }) => `${Math.round(ms / 1000)} s: ${judged.reason}`), [], `${name}: bounded before the leak was marked`);
    // Every cell before it is the wait (`…45s`): no figure that the judgement does not stand by yet either.
    for (const { ms, judged, cell } of before) assert.match(cell, /^…(\d+m)?\d+s$/, `${name}, ${Math.round(ms / 1000)} s: ${cell}: ${judged.kind}: ${judged.reason}`);
    // Marked once its rise holds after its first minute too: a minimum window after it (120-127 s), as before.
    const { ms, judged, cell } = judgements[marked]!;
    assert.ok(ms <= 2 * MIN_WINDOW_MS + 10_000, `${name}: marked at ${Math.round(ms / 1000)} s`);
    assert.equal(shownGrowth(judged).leak, 'rss', judged.reason);
    // Its figure then is the RSS rate, ~10 MB/min.
    const perMin = shownGrowth(judged).bytesPerMin! / 2 ** 20;
    assert.ok(perMin > 5 && perMin < 15, `${name}: ${cell}`);
  }
});

test('the bounded controls beside it (recorded: the demo’s steady worker, session-leak.cjs bounded): never LEAK?, bounded once their readings after the first minute tell', () => {
  for (const [name, recording] of [['steady worker', demoSteadyWorker], ['session-leak bounded', sessionLeakBoundedUnattached]] as const) {
    const judgements = judgedAtEveryReading(recording);
    for (const { ms, judged, cell } of judgements) assert.equal(judged.holds, false, `${name}, ${Math.round(ms / 1000)} s: ${cell}: ${judged.reason}`);
    // The wait until then, and bounded from then on: not a figure of their warm-up.
    for (const { ms, judged, cell } of judgements) assert.match(cell, ms < 2 * MIN_WINDOW_MS ? /^…/ : /^bounded$/, `${name}, ${Math.round(ms / 1000)} s: ${cell}: ${judged.reason}`);
  }
});
