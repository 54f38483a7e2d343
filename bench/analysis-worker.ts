/**
 * What the analysis worker costs and what it buys (issue 13, "never block"): the same analysis of one snapshot
 * file — read, grouping, dominator tree, retained sizes, summary, then the retainer paths of its biggest
 * constructor — on leaktop's main thread (as before the worker) and through the worker, with the longest gap
 * between the ticks of a 5 ms timer on the main thread meanwhile: the longest time a key, a redraw or a signal
 * would have waited.
 *
 *   node dist/bench/analysis-worker.js [--objects N]      (default 600,000 small objects: a ~145 MB file)
 *
 * The file is a snapshot of this process holding N small objects, written to a temp dir that is deleted at the end.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { writeHeapSnapshot } from 'node:v8';
import { AnalysisWorker } from '../src/analysis/index.js';
import { analyzeSnapshotFile } from '../src/cli/read-snapshot-file.js';
import { classObjects, withRetainedSizes } from '../src/core/snapshot/retained.js';
import { summarize } from '../src/core/snapshot/summarize.js';

const { values } = parseArgs({ options: { objects: { type: 'string', default: '600000' } } });
const count = Number(values.objects);

class BenchItem {
  constructor(
    readonly label: string,
    readonly n: number,
  ) {}
}

/** Runs `run` while a 5 ms ticker records the longest gap between its ticks: how long the main thread was busy. */
async function measure(run: () => Promise<string>): Promise<{ ms: number; maxDelayMs: number; top: string }> {
  let last = performance.now();
  let maxGapMs = 0;
  const ticker = setInterval(() => {
    const now = performance.now();
    maxGapMs = Math.max(maxGapMs, now - last);
    last = now;
  }, 5);
  await new Promise((r) => setTimeout(r, 20)); // the ticker runs before the work starts
  const started = performance.now();
  const top = await run();
  const ms = performance.now() - started;
  maxGapMs = Math.max(maxGapMs, performance.now() - last);
  clearInterval(ticker);
  return { ms, maxDelayMs: maxGapMs, top };
}

const dir = mkdtempSync(join(tmpdir(), 'leaktop-bench-analysis-'));
try {
  let items: BenchItem[] | null = Array.from({ length: count }, (_, i) => new BenchItem(`item ${i}`, i));
  const file = writeHeapSnapshot(join(dir, 'bench.heapsnapshot'));
  console.log(`snapshot of ${items.length.toLocaleString('en')} objects: ${(statSync(file).size / 1024 / 1024).toFixed(0)} MB`);
  items = null;

  const inThread = await measure(async () => {
    const analysis = await analyzeSnapshotFile(file);
    const { snapshot, grouping } = analysis;
    const sizes = analysis.retained();
    const summary = withRetainedSizes(summarize(snapshot, grouping), sizes.byClass);
    classObjects(snapshot, grouping, analysis.paths(), 'BenchItem', { tree: sizes.tree, limit: 10, pathLimit: 5 });
    return summary.rows[0]!.name;
  });
  const analysis = AnalysisWorker.start();
  const inWorker = await measure(async () => {
    await analysis.readFile('f', file, { group: true });
    const summary = await analysis.summary('f', { retained: true });
    await analysis.classObjects({ id: 'f', ref: { name: 'BenchItem' }, limit: 10, pathLimit: 5 });
    return summary.rows[0]!.name;
  });
  await analysis.terminate();
  console.log('                 total    main thread blocked at most');
  console.log(`main thread  ${(inThread.ms / 1000).toFixed(2).padStart(8)} s  ${inThread.maxDelayMs.toFixed(0).padStart(8)} ms`);
  console.log(`worker       ${(inWorker.ms / 1000).toFixed(2).padStart(8)} s  ${inWorker.maxDelayMs.toFixed(0).padStart(8)} ms`);
  if (inThread.top !== inWorker.top) throw new Error(`different results: ${inThread.top} vs ${inWorker.top}`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
