/**
 * Worker-thread rows (issue 15) in the store and the table: the rows of an attached process's workers keep their
 * own heap history and growth, follow their process's sample, and go with it; a worker row draws `└ ID`, its name
 * and script, its heap and growth, and leaves the process's columns blank.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderToString } from '../../src/ui/ink.js';
import { layoutColumns } from '../../src/core/table-layout.js';
import { findRow, MonitorStore, processKeyOf, threadKey, type HeapReading } from '../../src/state/index.js';
import { ProcessTable } from '../../src/ui/components/process-table.js';
import { ThemeContext, createTheme } from '../../src/ui/theme.js';
import { stripPaint } from '../../src/ui/paint.js';
import { fakeSample } from '../helpers/process-sample.js';

const sample = (rssBytes: number) => fakeSample(4242, rssBytes, { command: 'node /srv/app/server.js', uid: 1000, user: 'app', startTimeTicks: 1, cpuPercent: 2.5 });
const KEY = '4242@1';
const LEAKY = threadKey(KEY, 1);
const reading = (usedBytes: number): HeapReading => ({ usedBytes, totalBytes: usedBytes * 2 });

function storeWithWorkers(ticks: number): MonitorStore {
  // A growth window of 10 s: the workers' growth is judged within the 12 ticks of the longest use.
  const store = new MonitorStore({ judge: { minWindowMs: 10_000 } });
  store.ingestProcesses({ sampledAtMs: 0, processes: [sample(50e6)] });
  store.setThreads(KEY, [
    { threadId: 2, name: 'idle-worker', url: 'file:///srv/app/worker.js' },
    { threadId: 1, name: 'leaky-worker', url: 'file:///srv/app/worker.js' },
  ]);
  for (let i = 1; i <= ticks; i++) {
    // The process and the idle worker are flat; the leaky worker grows 1 MB a second.
    store.ingestProcesses({ sampledAtMs: i * 1000, processes: [sample(50e6)] }, undefined, new Map([[KEY, reading(10e6)], [LEAKY, reading(5e6 + i * 1e6)], [threadKey(KEY, 2), reading(4e6)]]));
  }
  return store;
}

test('keys: a worker row is its process key and /tID', () => {
  assert.equal(LEAKY, '4242@1/t1');
  assert.equal(processKeyOf(LEAKY), KEY);
  assert.equal(processKeyOf(KEY), KEY);
});

test('worker rows in thread order, with their own heap and its growth, sharing the process sample', () => {
  const state = storeWithWorkers(12).getState();
  const rows = state.threads?.get(KEY) ?? [];
  assert.deepEqual(rows.map((r) => r.thread?.threadId), [1, 2]);
  const leaky = findRow(state, LEAKY)!;
  assert.equal(leaky.heapUsedBytes.last(), 17e6);
  assert.ok(Math.abs(leaky.shownGrowth.bytesPerMin! - 60e6) < 1e6, `60 MB/min, got ${leaky.shownGrowth.bytesPerMin}`);
  assert.equal(findRow(state, threadKey(KEY, 2))!.shownGrowth.bytesPerMin, 0);
  assert.equal(leaky.sample, state.processes[0]!.sample, 'the process sample (PID, user) for questions and room');
  assert.equal(findRow(state, KEY), state.processes[0]);
  assert.equal(findRow(state, threadKey(KEY, 9)), null);
});

test("the process row's workers' heap is the sum of its worker rows' readings, so its judgement counts a worker's leak as heap", () => {
  const store = storeWithWorkers(3);
  const process = () => store.getState().processes[0]!;
  // Tick 1 had the rows and their readings: 6e6 + 4e6; tick 3: 8e6 + 4e6.
  assert.deepEqual(process().workersHeapUsedBytes.values(), [Number.NaN, 10e6, 11e6, 12e6]);
  // A tick with a worker's reading missing is a gap, not a fall.
  store.ingestProcesses({ sampledAtMs: 4000, processes: [sample(50e6)] }, undefined, new Map([[KEY, reading(10e6)], [LEAKY, reading(9e6)]]));
  assert.ok(Number.isNaN(process().workersHeapUsedBytes.last()!));
  // Over a judged window, the leaky worker's heap (1 MB/s) is the process's growth: heap, from the workers' floor.
  const long = new MonitorStore({ judge: { minWindowMs: 30_000, maxWindowMs: 60_000, markSettleMs: 0 } });
  long.ingestProcesses({ sampledAtMs: 0, processes: [sample(50e6)] });
  long.setThreads(KEY, [{ threadId: 1, name: 'leaky-worker', url: 'file:///srv/app/worker.js' }]);
  for (let i = 1; i <= 40; i++) {
    // A sawtooth with a rising floor: the worker's heap, GC'd every 4 ticks; the process's RSS follows it.
    const used = 5e6 + i * 1e6 + (i % 4) * 3e6;
    long.ingestProcesses({ sampledAtMs: i * 1000, processes: [sample(50e6 + i * 1e6)] }, undefined, new Map([[KEY, reading(10e6)], [LEAKY, reading(used)]]));
  }
  const judged = long.getState().processes[0]!.growth;
  assert.equal(judged.kind, 'heap', judged.reason);
  assert.ok(judged.rates.workersHeapFloor! > 0, judged.reason);
});

test('a worker listed again keeps its history; one gone loses its row; the process exiting drops them all', () => {
  const store = storeWithWorkers(3);
  store.setThreads(KEY, [{ threadId: 1, name: 'leaky-worker', url: 'file:///srv/app/worker.js' }]);
  assert.deepEqual(store.getState().threads?.get(KEY)?.map((r) => r.key), [LEAKY]);
  assert.equal(findRow(store.getState(), LEAKY)!.heapUsedBytes.values().length, 3);
  store.ingestProcesses({ sampledAtMs: 10_000, processes: [] });
  assert.equal(store.getState().threads?.has(KEY), false);
  store.setThreads(KEY, []);
  assert.equal(store.getState().threads?.size, 0);
});

test('a worker row draws └ ID, its name and script, its heap and growth; the process columns stay blank', () => {
  // Past the growth judgement's minimum window, so that the worker's heap growth shows as a rate.
  const state = storeWithWorkers(121).getState();
  const rows = [state.processes[0]!, ...(state.threads?.get(KEY) ?? [])];
  const render = (ascii: boolean, width = 120) =>
    renderToString(
      <ThemeContext.Provider value={createTheme({ color: false, ascii })}>
        <ProcessTable rows={rows} columns={layoutColumns(width)} selectedKey={KEY} top={0} height={10} sortColumn="rss" descending width={width} />
      </ThemeContext.Provider>,
      { columns: width },
    )
      .split('\n')
      .map(stripPaint);
  const lines = render(false);
  const leaky = lines.find((l) => l.includes('leaky-worker'))!;
  assert.match(leaky, /^\s+└ 1\s+12\dM /, 'the thread id under the PID, the heap under HEAP');
  assert.match(leaky, /\+57\.2M\/m\s+leaky-worker  \/srv\/app\/worker\.js$/);
  assert.ok(!leaky.includes('app ') && !leaky.includes('2.5'), 'no user or CPU of its own');
  assert.equal(lines.indexOf(leaky), 2, 'right under its process');
  assert.match(render(true).find((l) => l.includes('leaky-worker'))!, /^\s+`- 1\s/, 'ASCII mode');
  assert.match(render(false, 80).find((l) => l.includes('└ 1'))!, /\s{2}leaky-worker\s*$/, 'at 80 columns the name whole, the script left out');
});
