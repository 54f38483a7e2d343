/**
 * The analysis worker on real snapshots of this test process: a file read in the worker summarises as in this
 * thread; a snapshot streamed in chunks is diffed and its objects explained; an analysis that runs out of memory
 * kills the worker, not this process, with one clear error for every pending request; `terminate` stops a running
 * analysis at once.
 */
import assert from 'node:assert/strict';
import { createReadStream, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeHeapSnapshot } from 'node:v8';
import { after, before, test } from 'node:test';
import { AnalysisWorker } from '../../src/analysis/index.js';
import { analyzeSnapshotFile } from '../../src/cli/read-snapshot-file.js';
import { summarize } from '../../src/core/snapshot/summarize.js';
import { UserError } from '../../src/core/user-error.js';
import { tempDir } from '../helpers/temp-dir.js';

class AnalysisWorkerMarker {
  constructor(readonly n: number) {}
}
const kept: AnalysisWorkerMarker[] = [];
let dir = '';
let first = '';
let second = '';
/** A snapshot with 30,000 object shapes: their names fill more than 8 MB of the analysing thread's heap. */
let shapes = '';

before(() => {
  dir = tempDir('leaktop-analysis-');
  for (let i = 0; i < 100; i++) kept.push(new AnalysisWorkerMarker(i));
  first = writeHeapSnapshot(join(dir, 'a.heapsnapshot'));
  for (let i = 0; i < 250; i++) kept.push(new AnalysisWorkerMarker(i));
  second = writeHeapSnapshot(join(dir, 'b.heapsnapshot'));
  let manyShapes: object[] | null = Array.from({ length: 30_000 }, (_, i) => ({ [`key${i}`]: `value${i}`, n: i }));
  shapes = writeHeapSnapshot(join(dir, 'shapes.heapsnapshot'));
  assert.equal(manyShapes.length, 30_000);
  manyShapes = null;
});

after(() => rmSync(dir, { recursive: true, force: true }));

async function stream(analysis: AnalysisWorker, id: string, path: string): Promise<void> {
  await analysis.open(id);
  for await (const chunk of createReadStream(path, { encoding: 'latin1', highWaterMark: 100 * 1024 })) analysis.write(id, chunk as string);
  await analysis.finish(id);
}

test('a file read in the worker summarises as in this thread', async () => {
  const analysis = AnalysisWorker.start();
  try {
    await analysis.readFile('a', first, { group: true });
    const summary = await analysis.summary('a', { retained: true });
    const here = await analyzeSnapshotFile(first);
    const local = summarize(here.snapshot, here.grouping);
    assert.deepEqual(summary.rows.map(({ name, count, selfSize }) => ({ name, count, selfSize })), local.rows.map(({ name, count, selfSize }) => ({ name, count, selfSize })));
    const row = summary.rows.find((r) => r.name === 'AnalysisWorkerMarker');
    assert.equal(row?.count, 100);
    assert.ok((row?.retainedSize ?? 0) > 0, 'retained sizes computed in the worker');
  } finally {
    await analysis.terminate();
  }
});

test('streamed snapshots: diff by id, the objects of a row with their path, leak candidates; errors keep their class', async () => {
  const analysis = AnalysisWorker.start();
  try {
    await stream(analysis, 'a', first);
    await stream(analysis, 'b', second);
    await analysis.prepare('a', { retained: true });
    const diff = await analysis.diff({ a: 'a', b: 'b', sort: 'size', idsComparable: true, retained: true, paths: true, top: 10 });
    const row = diff.rows.find((r) => r.name === 'AnalysisWorkerMarker');
    assert.equal(row?.countDelta, 250);
    assert.equal(row?.new, 250);
    assert.ok(row?.paths?.[0]?.text.includes('kept'), JSON.stringify(row?.paths));
    const { found } = await analysis.classObjects({ id: 'b', earlier: 'a', ref: { name: 'AnalysisWorkerMarker' }, limit: 5, pathLimit: 2 });
    assert.equal(found?.count, 350);
    assert.equal(found?.newCount, 250);
    assert.equal(found?.objects.length, 5);
    assert.equal(found?.objects[0]?.isNew, true, 'new ones first');
    const missing = await analysis.classObjects({ id: 'b', ref: { name: 'analysisworkermark' }, limit: 5, pathLimit: 2 });
    assert.equal(missing.found, null);
    assert.deepEqual(missing.near, ['AnalysisWorkerMarker']);
    await analysis.idsOnly('a');
    await assert.rejects(analysis.summary('a', { retained: false }), /reduced to its ids/, 'only the ids are left');
    await assert.rejects(analysis.readFile('c', join(dir, 'missing.heapsnapshot'), { group: true }), (error: unknown) => error instanceof UserError && /no such file/.test(error.message) && error.exitCode === 2);
    await analysis.open('bad');
    analysis.write('bad', '{"snapshot": 42');
    await assert.rejects(analysis.finish('bad'), /heap snapshot|snapshot/i);
  } finally {
    await analysis.terminate();
  }
});

test('out of memory: the worker dies, this process does not; every pending and later request gets one clear error', async () => {
  const analysis = AnalysisWorker.start({ heapLimitMb: 8 });
  await analysis.readFile('a', first, { group: true }); // alive and working before
  const pending = [analysis.readFile('s', shapes, { group: true }), analysis.summary('s', { retained: true }), analysis.summary('a', { retained: false })];
  for (const request of pending) request.catch(() => undefined);
  for (const request of pending) {
    await assert.rejects(request, (error: unknown) => error instanceof UserError && error.message === 'the analysis ran out of memory (8 MB limit)' && /LEAKTOP_ANALYSIS_HEAP_MB/.test(error.hint ?? ''));
  }
  await assert.rejects(analysis.summary('a', { retained: false }), /ran out of memory/);
  await analysis.terminate();
});

test('terminate stops a running analysis and rejects what was pending', async () => {
  process.env.LEAKTOP_TEST_ANALYSIS_DELAY_MS = '60000';
  const analysis = AnalysisWorker.start();
  delete process.env.LEAKTOP_TEST_ANALYSIS_DELAY_MS;
  await analysis.readFile('a', first, { group: true });
  const running = analysis.summary('a', { retained: true });
  running.catch(() => undefined);
  await analysis.terminate();
  await assert.rejects(running, /the analysis was stopped/);
});
