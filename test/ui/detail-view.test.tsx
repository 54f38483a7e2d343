import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderToString } from '../../src/ui/ink.js';
import { MonitorStore, type HeapReading } from '../../src/state/index.js';
import { DetailView, placeLines } from '../../src/ui/components/detail-view.js';
import { ThemeContext, createTheme } from '../../src/ui/theme.js';
import { stripPaint } from '../../src/ui/paint.js';
import { fakeSample } from '../helpers/process-sample.js';

const MB = 1e6;
const KEY = '4242@4242';

interface Shape {
  seconds: number;
  rss: (t: number) => number;
  /** Heap figures from an inspector session, when attached. */
  heap?: (t: number) => { used: number; external: number; workers?: number };
  /** leaktop's own actions: [action, at second, until second]. */
  marks?: ReadonlyArray<readonly [string, number, number]>;
}

/** The detail view of one process fed one reading a second; its lines, painted. */
function detail(shape: Shape): string[] {
  const store = new MonitorStore();
  for (let t = 0; t <= shape.seconds; t++) {
    for (const [action, at, until] of shape.marks ?? []) if (at === t) store.markAction(KEY, action, { atMs: at * 1000, untilMs: until * 1000 });
    const h = shape.heap?.(t);
    const heap = h && new Map<string, HeapReading>([[KEY, { usedBytes: h.used, totalBytes: h.used * 2, memory: { rss: shape.rss(t), heapTotal: h.used * 2, heapUsed: h.used, external: h.external, arrayBuffers: h.external }, ...(h.workers === undefined ? {} : { workersHeapUsedBytes: h.workers }) }]]);
    store.ingestProcesses({ sampledAtMs: t * 1000, processes: [fakeSample(4242, shape.rss(t))] }, undefined, heap);
  }
  const process = store.getState().processes[0]!;
  const out = renderToString(
    <ThemeContext.Provider value={createTheme({ color: true, ascii: false })}>
      <DetailView process={process} width={100} height={30} nowMs={shape.seconds * 1000} />
    </ThemeContext.Provider>,
    { columns: 100 },
  );
  return out.split('\n');
}

/** The SGR codes right before the growth figure, and the figure. */
function growthStyle(lines: string[]): { codes: string; figure: string } {
  const line = lines.find((l) => l.includes('RSS ') && l.includes('growth '))!;
  const found = /growth ((?:\x1b\[[0-9;]*m)*)([^\x1b ]+)/.exec(line);
  assert.ok(found, line);
  return { codes: found[1]!, figure: found[2]! };
}

const verdict = (lines: string[]) => stripPaint(lines.find((l) => stripPaint(l).startsWith('growth: '))!);

/** A bounded GC sawtooth: 12.8…28.1 MB, a GC every 6 s. */
const sawtooth = (t: number) => 12.8 * MB + ((t % 6) / 6) * 15.3 * MB;

test('detail view: a growth that holds is red and bold from the alarm level, yellow below; LEAK? says the kind', () => {
  const alarm = detail({ seconds: 120, rss: (t) => 50 * MB + t * MB });
  assert.match(growthStyle(alarm).figure, /^\+5\d\.\dM\/m$/);
  assert.ok(growthStyle(alarm).codes.includes('\x1b[1m') && growthStyle(alarm).codes.includes('\x1b[31m'), JSON.stringify(growthStyle(alarm)));
  assert.match(verdict(alarm), /^growth: LEAK\? RSS growth \(attach to tell/);
  const warn = growthStyle(detail({ seconds: 120, rss: (t) => 50 * MB + t * 40_000 }));
  assert.match(warn.figure, /^\+2\.\d+M\/m$/);
  assert.ok(warn.codes.includes('\x1b[33m') && !warn.codes.includes('\x1b[1m'), `2.4 MB a minute: yellow (${JSON.stringify(warn.codes)})`);
});

test('detail view: no figure before the minimum window, a dim wait instead; flat or one step is plain and bounded', () => {
  const early = growthStyle(detail({ seconds: 12, rss: (t) => 50 * MB + t * MB }));
  assert.equal(early.figure, '…50s', '48 s left, shown in 5 s steps rounded up');
  // The verdict line says the same wait as the cell counts it down, not what the last judgement (up to 5 s ago) said.
  for (const seconds of [11, 12, 13, 14]) assert.match(verdict(detail({ seconds, rss: (t) => 50 * MB + t * MB })), new RegExp(`^growth: unsure: watching ${60 - seconds}s more`));
  assert.ok(early.codes.includes('\x1b[2m'), JSON.stringify(early.codes));
  const flat = detail({ seconds: 120, rss: () => 50 * MB });
  assert.deepEqual(growthStyle(flat), { codes: '', figure: 'bounded' });
  assert.match(verdict(flat), /^growth: bounded/);
  const step = detail({ seconds: 120, rss: (t) => 50 * MB + (t >= 40 ? 6 * MB : 0) });
  assert.equal(growthStyle(step).codes, '', 'one 6 MB step is no alarm');
  assert.match(verdict(step), /^growth: bounded/);
});

test("detail view: off-heap growth is read from external, a worker's heap leak is heap growth, not off-heap", () => {
  const buffers = detail({ seconds: 120, rss: (t) => 80 * MB + (t * 5 * MB) / 60, heap: (t) => ({ used: sawtooth(t), external: 2 * MB + (t * 5 * MB) / 60 }) });
  assert.match(verdict(buffers), /^growth: LEAK\? off-heap growth \(Buffers, ArrayBuffers\)/);
  const worker = detail({ seconds: 120, rss: (t) => 80 * MB + (t * 6 * MB) / 60, heap: (t) => ({ used: sawtooth(t), external: 2 * MB, workers: 4 * MB + (t * 6 * MB) / 60 }) });
  assert.match(verdict(worker), /^growth: LEAK\? heap growth/);
  assert.ok(!worker.some((l) => l.includes('off-heap')), 'not called off-heap');
});

test("detail view: leaktop's own snapshots are listed and left out: a heap leak right after two snapshots is still heap", () => {
  const lines = detail({
    seconds: 120,
    rss: (t) => 80 * MB + (t * 6 * MB) / 60 + (t >= 90 ? 150 * MB : 0) + (t >= 100 ? 100 * MB : 0),
    heap: (t) => ({ used: sawtooth(t) + (t * 6 * MB) / 60, external: 2 * MB }),
    marks: [['snapshot', 90, 93], ['snapshot', 100, 103]],
  });
  assert.match(verdict(lines), /^growth: LEAK\? heap growth/);
  assert.ok(lines.map(stripPaint).some((l) => /^leaktop's own, left out of it: snapshot 30s ago, snapshot 20s ago/.test(l)), lines.map(stripPaint).join('\n'));
});

test('detail view: where the process lives, the full container id when it fits, whole parts per line at 80 columns', () => {
  const id = '3f2c9e1a7b4d5c6e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9012345678abcd';
  const pod = '5d1b2c3e-4f56-4789-9abc-def012345678';
  assert.deepEqual(placeLines({ container: null, unit: null, nsPid: null }), []);
  assert.deepEqual(placeLines({ container: { runtime: 'docker', id, pod: null }, unit: null, nsPid: 1 }, 120), [`  PID 1 in its namespace  container docker ${id}`]);
  assert.deepEqual(placeLines({ container: { runtime: 'containerd', id, pod }, unit: null, nsPid: 1 }, 80), [
    '  PID 1 in its namespace  container containerd 3f2c9e1a7b4d',
    `  pod ${pod}`,
  ]);
  assert.deepEqual(placeLines({ container: null, unit: 'pm2-root.service', nsPid: null, pm2: { name: 'api', id: 0 } }, 80), ['  pm2 app api (id 0)  unit pm2-root.service']);
  const store = new MonitorStore();
  store.ingestProcesses({ sampledAtMs: 0, processes: [fakeSample(4242, 50e6, { container: { runtime: 'containerd', id, pod }, nsPid: 1 })] });
  const out = renderToString(
    <ThemeContext.Provider value={createTheme({ color: false, ascii: true })}>
      <DetailView process={store.getState().processes[0]!} width={80} height={24} nowMs={0} />
    </ThemeContext.Provider>,
    { columns: 80 },
  );
  assert.match(out, /PID 4242.*\n {2}PID 1 in its namespace {2}container containerd 3f2c9e1a7b4d\n {2}pod 5d1b2c3e-/);
});
