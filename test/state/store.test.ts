import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MonitorStore } from '../../src/state/index.js';
import { fakeSample } from '../helpers/process-sample.js';

const sample = (pid: number, startTimeTicks: number, rssBytes: number) => fakeSample(pid, rssBytes, { startTimeTicks });

test('ingest builds history per process and computes growth once there is enough', () => {
  const store = new MonitorStore();
  const ingest = (i: number) => store.ingestProcesses({ sampledAtMs: i * 1000, processes: [sample(10, 5, 1e6 + i * 1e5)] });
  for (let i = 0; i < 12; i++) ingest(i);
  let [tracked] = store.getState().processes;
  assert.equal(tracked!.rssBytes.length, 12);
  // The judged growth (what GROWTH, list and watch show): nothing before the growth window, then the rate.
  assert.equal(tracked!.shownGrowth.bytesPerMin, null);
  assert.ok(tracked!.shownGrowth.waitMs! > 0, 'GROWTH counts down the wait');
  // The process started at the first tick (fakeSample's start time): its rise is judged after its first minute, so
  // the rate comes a minimum window after it.
  for (let i = 12; i <= 130; i++) ingest(i);
  [tracked] = store.getState().processes;
  assert.ok(Math.abs(tracked!.shownGrowth.bytesPerMin! - 6e6) < 1, String(tracked!.shownGrowth.bytesPerMin));
  assert.ok(Number.isNaN(tracked!.heapUsedBytes.last()!), 'heap unknown is a gap, not a zero');
});

test('a PID reused by a new process starts a fresh history; exited processes are dropped', () => {
  const store = new MonitorStore();
  for (let i = 0; i < 6; i++) store.ingestProcesses({ sampledAtMs: i * 1000, processes: [sample(10, 5, 1e6), sample(11, 5, 1e6)] });
  store.ingestProcesses({ sampledAtMs: 7000, processes: [sample(10, 900, 2e6)] });
  const { processes } = store.getState();
  assert.equal(processes.length, 1);
  assert.equal(processes[0]!.key, '10@900');
  assert.equal(processes[0]!.rssBytes.length, 1);
  assert.equal(processes[0]!.shownGrowth.bytesPerMin, null);
});

test('history older than the retention is pruned', () => {
  const store = new MonitorStore({ retentionMs: 5000 });
  for (let i = 0; i < 20; i++) store.ingestProcesses({ sampledAtMs: i * 1000, processes: [sample(10, 5, i)] });
  assert.deepEqual(store.getState().processes[0]!.rssBytes.values(), [14, 15, 16, 17, 18, 19]);
});

test('actions change state and notify subscribers; the interval steps stay in range', () => {
  const store = new MonitorStore({ intervalMs: 1000 });
  let calls = 0;
  const unsubscribe = store.subscribe(() => calls++);
  const before = store.getState();
  store.togglePaused();
  assert.equal(store.getState().paused, true);
  assert.notEqual(store.getState(), before, 'a new state object on change');
  store.stepInterval(1);
  assert.equal(store.getState().intervalMs, 2000);
  store.stepInterval(-1);
  store.stepInterval(-1);
  store.stepInterval(-1);
  store.stepInterval(-1);
  assert.equal(store.getState().intervalMs, 250);
  store.setIntervalMs(10 ** 9);
  assert.equal(store.getState().intervalMs, 60_000);
  store.setStatus('boom', 'error');
  assert.deepEqual(store.getState().status, { text: 'boom', level: 'error' });
  unsubscribe();
  const seen = calls;
  store.clearStatus();
  assert.equal(calls, seen, 'no calls after unsubscribe');
});

test("leaktop's own actions are marks in the process's history, and the growth judgement leaves them out", () => {
  const feed = (withMarks: boolean) => {
    const store = new MonitorStore({ judge: { markSettleMs: 3000 } });
    for (let t = 0; t <= 120; t++) {
      // A snapshot every 10 s, each leaving RSS 20 MB higher (a staircase of leaktop's own making).
      if (withMarks && t % 10 === 5) store.markAction('10@5', 'snapshot', { atMs: t * 1000, untilMs: Infinity });
      if (withMarks && t % 10 === 6) store.endAction('10@5', 'snapshot', t * 1000);
      store.ingestProcesses({ sampledAtMs: t * 1000, processes: [sample(10, 5, 80e6 + Math.floor((t + 5) / 10) * 20e6)] });
    }
    return store.getState().processes[0]!;
  };
  const marked = feed(true);
  assert.equal(marked.marks.length, 12);
  assert.deepEqual(marked.marks.slice(0, 2).map((m) => [m.action, m.atMs, m.untilMs]), [['snapshot', 5000, 6000], ['snapshot', 15_000, 16_000]]);
  assert.equal(marked.growth.kind, 'none', marked.growth.reason);
  assert.equal(feed(false).growth.holds, true, 'without the marks the same RSS reads as growth');
  // A mark for a process the store does not know is dropped; ending one that is not running changes nothing.
  const store = new MonitorStore();
  store.markAction('nope@1', 'attach');
  store.endAction('nope@1', 'attach');
  assert.equal(store.getState().processes.length, 0);
});

test('marks older than the retention are dropped with the history', () => {
  const store = new MonitorStore({ retentionMs: 5000 });
  store.ingestProcesses({ sampledAtMs: 0, processes: [sample(10, 5, 1e6)] });
  store.markAction('10@5', 'gc', { atMs: 0 });
  for (let i = 1; i < 10; i++) store.ingestProcesses({ sampledAtMs: i * 1000, processes: [sample(10, 5, 1e6)] });
  assert.deepEqual(store.getState().processes[0]!.marks, []);
});

test('an inspector scan that finds what the last one found changes nothing and notifies no one', () => {
  const store = new MonitorStore();
  let notified = 0;
  store.subscribe(() => notified++);
  const found = (port: number) => ({ pid: 10, address: '127.0.0.1', port, nodeVersion: 'v22.0.0', openedBy: 'other' as const, leaktopPid: null });
  store.setOpenInspectors(new Map());
  assert.equal(notified, 1, 'the first scan is news even when it finds none');
  const before = store.getState();
  store.setOpenInspectors(new Map());
  assert.equal(notified, 1);
  assert.equal(store.getState(), before, 'the same state object: nothing to draw');
  store.setOpenInspectors(new Map([['10@1', found(9229)]]));
  assert.equal(notified, 2);
  store.setOpenInspectors(new Map([['10@1', found(9229)]]));
  assert.equal(notified, 2);
  store.setOpenInspectors(new Map([['10@1', found(9230)]]));
  assert.equal(notified, 3, 'another port');
  assert.equal(store.getState().openInspectors?.get('10@1')?.port, 9230);
  store.setOpenInspectors(new Map());
  assert.equal(notified, 4);
});
