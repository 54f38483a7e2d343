/**
 * The process tracker's cost rule: a process with no heap reading is judged again once per rejudge period, at its
 * own phase, and gets the judgement it would have got on every tick; an attached process and a changed mark are
 * judged on every tick. GROWTH's wait before the growth window counts down on every tick from the last judgement,
 * which is redone when the wait runs out or at the process's phase. A row not judged keeps its judgement object, so
 * "judged this tick" is "a new `growth` object".
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProcessTracker, type HeapReading } from '../../src/state/index.js';
import { fakeSample } from '../helpers/process-sample.js';
import { judgeGrowth, type MemoryReading } from '../../src/core/growth/judge-growth.js';

const PROCESSES = 24;

/** Tick `t` (1 s apart) of PROCESSES processes: every third grows 0.2 MB a second, the others hold their level. */
function harvest(t: number) {
  return {
    sampledAtMs: t * 1000,
    processes: Array.from({ length: PROCESSES }, (_, p) => fakeSample(100 + p, 50e6 + (p % 3 === 0 ? t * 0.2e6 : ((t * 7 + p) % 5) * 1e5))),
  };
}

test('an unattached process is judged once per rejudge period, at spread phases, as it would be on every tick', () => {
  const lazy = new ProcessTracker();
  const eager = new ProcessTracker({ rejudgeMs: 0 });
  const judgedAt = new Map<string, number[]>();
  const ranOut = new Set<string>();
  const perTick: number[] = [];
  for (let t = 0; t <= 180; t++) {
    const before = new Map(lazy.processes.map((p) => [p.key, p.growth]));
    // The wait each row showed a tick ago: a judgement when it runs out is not one of the phase's.
    const waited = new Map(lazy.processes.map((p) => [p.key, p.shownGrowth.waitMs]));
    lazy.ingest(harvest(t));
    eager.ingest(harvest(t));
    let judged = 0;
    for (const [i, row] of lazy.processes.entries()) {
      if (row.growth === before.get(row.key)) {
        // Not judged: the judgement of an earlier tick; a wait counts down as judging on every tick would say it.
        assert.equal(row.shownGrowth.waitMs, eager.processes[i]!.shownGrowth.waitMs, `${row.key} at ${t} s`);
        continue;
      }
      judged++;
      judgedAt.set(row.key, [...(judgedAt.get(row.key) ?? []), t]);
      // Judged at its phase, or because its wait ran out: the growing ones (they started at the first tick) wait
      // again after their first minute, until their rise is judged after it (judge-growth's afterWarmUp).
      const wait = waited.get(row.key);
      if (wait !== null && wait !== undefined && wait <= 1000) ranOut.add(`${row.key} ${t}`);
      assert.deepEqual(row.growth, eager.processes[i]!.growth, `${row.key} at ${t} s: the judgement of the every-tick tracker`);
      assert.deepEqual(row.shownGrowth, eager.processes[i]!.shownGrowth);
    }
    if (t > 70) perTick.push(judged);
  }
  // Past the 60 s window: every 5 s (1/24 of the two-minute window) for each process, and once more where its wait
  // ran out between two of those.
  for (const [key, ticks] of judgedAt) {
    const late = ticks.filter((t) => t > 70);
    const extra = late.filter((t) => ranOut.has(`${key} ${t}`)).length;
    assert.ok(late.length >= 21 && late.length <= 23 + extra, `${key}: ${late.length} judgements in 110 s`);
    for (let i = 1; i < late.length; i++) {
      if (late[i]! - late[i - 1]! === 5) continue;
      // Off the phase: a wait that ran out, between two judgements 5 s apart.
      const at = ranOut.has(`${key} ${late[i]}`) ? i : ranOut.has(`${key} ${late[i - 1]}`) ? i - 1 : -1;
      assert.ok(at > 0 && at < late.length - 1 && late[at + 1]! - late[at - 1]! === 5, `${key}: ${late.join(',')}`);
    }
  }
  // Spread: each tick judges about a fifth of them, never most of them at once.
  assert.ok(Math.max(...perTick) <= PROCESSES / 2, `per tick: ${perTick.join(',')}`);
  assert.ok(Math.min(...perTick) >= 1, `per tick: ${perTick.join(',')}`);
  // The judgements tell the growing processes from the others.
  assert.deepEqual(
    lazy.processes.map((p) => p.shownGrowth.leak !== null),
    lazy.processes.map((_, p) => p % 3 === 0),
  );
});

test('a process with a heap reading and one whose marks changed are judged on every tick; one still in its growth window counts down on every tick', () => {
  const tracker = new ProcessTracker();
  const attached = '100@100';
  const marked = '101@101';
  const reading = (t: number): HeapReading => ({ usedBytes: 20e6 + (t % 8) * 1e6, totalBytes: 40e6 });
  const growthOf = (key: string) => tracker.processes.find((p) => p.key === key)!.growth;
  const waits: number[] = [];
  for (let t = 0; t <= 100; t++) {
    const before = tracker.get(attached)?.growth;
    tracker.ingest(harvest(t), new Map([[attached, reading(t)]]));
    if (t > 0) assert.notEqual(growthOf(attached), before, `attached, judged at ${t} s`);
    const waitMs = tracker.get(marked)!.shownGrowth.waitMs;
    if (waitMs !== null) waits.push(waitMs);
  }
  // The wait before the window counts down on every tick: 60 s, 59 s, …
  assert.ok(waits.length >= 59, `${waits.length} ticks of countdown`);
  for (let i = 1; i < waits.length; i++) assert.equal(waits[i - 1]! - waits[i]!, 1000, waits.join(','));
  // A tick that would not judge it: the one right after its judgement. A mark makes it judge (from the next tick on).
  let t = 101;
  for (let before = growthOf(marked); ; t++) {
    tracker.ingest(harvest(t));
    if (growthOf(marked) !== before) break;
    before = growthOf(marked);
  }
  const judged = growthOf(marked);
  assert.ok(tracker.markAction(marked, 'snapshot', t * 1000 + 500, Infinity));
  tracker.ingest(harvest(t + 1));
  assert.notEqual(growthOf(marked), judged, 'judged on the tick after the mark');
  assert.match(growthOf(marked).reason, /until leaktop's snapshot started/);
  assert.equal(tracker.markAction('999@1', 'snapshot', 0), false, 'no mark for a process not tracked');
  assert.equal(tracker.endAction(marked, 'gc', 0), false, 'nothing to end');
});

/** The readings of a row's window made afresh from its series, as the tracker made them before it kept them. */
function freshReadings(row: ProcessTracker['processes'][number], sinceMs: number): MemoryReading[] {
  const count = row.rssBytes.countSince(sinceMs);
  const [times, rss, heap, external, arrayBuffers, workers, oldSpace, heapTotal] = [row.rssBytes.times(count), ...[row.rssBytes, row.heapUsedBytes, row.externalBytes, row.arrayBuffersBytes, row.workersHeapUsedBytes, row.oldSpaceUsedBytes, row.heapTotalBytes].map((s) => s.values(count))];
  return times!.map((atMs, i) => {
    const reading: MemoryReading = { atMs, rssBytes: rss![i]! };
    const set = (field: Exclude<keyof MemoryReading, 'atMs' | 'rssBytes' | 'afterGc'>, v: number) => Number.isFinite(v) && (reading[field] = v);
    set('heapUsedBytes', heap![i]!);
    set('externalBytes', external![i]!);
    set('arrayBuffersBytes', arrayBuffers![i]!);
    set('workersHeapUsedBytes', workers![i]!);
    set('oldSpaceUsedBytes', oldSpace![i]!);
    set('heapTotalBytes', heapTotal![i]!);
    return reading;
  });
}

test('the readings kept from judgement to judgement give the judgement of readings made afresh', () => {
  // A small ring (it wraps within the window), heap readings that start late and stop, a mark, a process that exits
  // and one that starts: the kept readings must follow each.
  for (const [capacity, rejudgeMs] of [[2400, 5000], [70, 0], [70, 3000]] as const) {
    const tracker = new ProcessTracker({ historyCapacity: capacity, rejudgeMs, retentionMs: 300_000 });
    let checked = 0;
    for (let t = 0; t <= 260; t++) {
      const pids = [100, 101, t < 150 ? 102 : 103];
      const heap = new Map<string, HeapReading>();
      if (t > 40 && t < 200) heap.set('100@100', { usedBytes: 20e6 + (t % 6) * 1e6 + t * 5e4, totalBytes: 40e6, memory: { rss: 0, heapTotal: 40e6, heapUsed: 0, external: 1e6 + t * 1e4, arrayBuffers: 0 }, spaces: [{ name: 'old_space', sizeBytes: 0, usedBytes: 15e6, availableBytes: 0 }] });
      if (t === 90) tracker.markAction('101@101', 'snapshot', t * 1000, t * 1000 + 3000);
      const before = new Map(tracker.processes.map((p) => [p.key, p.growth]));
      tracker.ingest({ sampledAtMs: t * 1000, processes: pids.map((pid) => fakeSample(pid, 60e6 + (pid === 101 ? t * 0.3e6 : ((t * 7) % 5) * 1e5))) }, heap);
      for (const row of tracker.processes) {
        if (row.growth === before.get(row.key)) continue;
        checked++;
        assert.deepEqual(row.growth, judgeGrowth(freshReadings(row, t * 1000 - 120_000), row.marks, {}, row.sample.startTimeMs), `${row.key} at ${t} s, capacity ${capacity}`);
      }
    }
    assert.ok(checked > 200, `${checked} judgements checked`);
  }
});
