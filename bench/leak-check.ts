/**
 * The three-snapshot leak check on listener and promise-chain leaks, against the summary of the same files (issue
 * 13: the leak check within twice the summary's time, leaktop's memory within ~3× the largest snapshot file).
 *
 *   node dist/bench/leak-check.js [--modes emitter,abort,race] [--emitter-prefill N]
 *
 * Per mode, test/fixtures/targets/listener-leaks.cjs writes three snapshots of one process (the fixture's default
 * prefill, so ~100,000 → 300,000 listener closures for `emitter`), flushed to disk; then, each in a fresh process
 * (peak RSS = its VmHWM, Node included): `leaktop summary` of each file (parse, summary, retained sizes), and
 * `leaktop leaks A B C` (parse the three — of the first two only the ids are kept — then dominators, candidates and
 * their retainer paths), the same calls as the commands. Prints both and the two ratios against the targets; the
 * memory also above the floor (Node with leaktop's modules loaded), which dominates for small files.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyzeSnapshotFile, readSnapshotFile } from '../src/cli/read-snapshot-file.js';
import { findLeakCandidates, snapshotIds } from '../src/core/snapshot/leak-candidates.js';
import { withRetainedSizes } from '../src/core/snapshot/retained.js';
import { summarize } from '../src/core/snapshot/summarize.js';
import { fixture } from '../test/helpers/targets.js';
import { installSignalCleanup, stopAllOwnedAndReport } from './helpers/owned.js';
import { peakRss } from './helpers/proc-usage.js';
import { runJsonChild } from './helpers/run-json-child.js';
import { flushToDisk } from './helpers/snapshot-corpus.js';

const thisFile = fileURLToPath(import.meta.url);
const TARGETS = { timeVsSummary: 2, rssVsLargestFile: 3 } as const;
const MODES = ['emitter', 'abort', 'race'] as const;
const MB = 1e6;

interface Measured {
  seconds: number;
  peakRssBytes: number;
  /** What was found, a sanity check: rows of the summary, or the candidates with their top path. */
  detail: string;
}

/** `leaktop summary FILE` (with retained sizes, its default), timed in this fresh process. */
async function summaryChild(file: string): Promise<void> {
  const start = performance.now();
  const analysis = await analyzeSnapshotFile(file);
  const summary = withRetainedSizes(summarize(analysis.snapshot, analysis.grouping), analysis.retained().byClass);
  const result: Measured = { seconds: (performance.now() - start) / 1000, peakRssBytes: peakRss(), detail: `${summary.nodes} objects, ${summary.rows.length} rows` };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** `leaktop leaks A B C`, timed in this fresh process: as runLeaksFiles, one file at a time. */
async function leaksChild(files: string[]): Promise<void> {
  const start = performance.now();
  const baseline = snapshotIds(await readSnapshotFile(files[0]!));
  const target = snapshotIds(await readSnapshotFile(files[1]!));
  const final = await analyzeSnapshotFile(files[2]!);
  const report = findLeakCandidates(baseline, target, final.snapshot, { final: { grouping: final.grouping } });
  const seconds = (performance.now() - start) / 1000;
  const request = report.candidates.find((c) => c.name === 'RequestContext');
  const detail = request ? `${report.candidates.length} candidates; ${request.count} RequestContext: ${request.paths[0]?.count}× ${request.paths[0]?.text}` : `no RequestContext among ${report.candidates.length} candidates`;
  process.stdout.write(`${JSON.stringify({ seconds, peakRssBytes: peakRss(), detail } satisfies Measured)}\n`);
}

/** The floor: Node with the modules above loaded and nothing read (what any leaktop run costs). */
function floorChild(): void {
  process.stdout.write(`${JSON.stringify({ seconds: 0, peakRssBytes: peakRss(), detail: 'modules loaded' } satisfies Measured)}\n`);
}

const child = (args: string[], label: string) => runJsonChild<Measured>(['--max-old-space-size=8192', thisFile, ...args], label);

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { modes: { type: 'string', default: MODES.join(',') }, 'emitter-prefill': { type: 'string' } },
    strict: true,
  });
  const modes = values.modes.split(',');
  for (const mode of modes) if (!(MODES as readonly string[]).includes(mode)) throw new Error(`unknown mode '${mode}': one of ${MODES.join(', ')}`);
  installSignalCleanup();
  const dir = mkdtempSync(join(tmpdir(), 'leaktop-bench-leak-check-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  console.log('');
  console.log('leaktop leak-check benchmark (listener and promise-chain leaks)');
  console.log(`date:    ${new Date().toISOString()}`);
  console.log(`machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} CPUs; node ${process.version}`);
  console.log('each figure: one run in a fresh process (peak RSS = its VmHWM, Node itself included)');
  try {
    const floor = await child(['--floor'], 'floor');
    console.log(`floor:   ${(floor.peakRssBytes / MB).toFixed(0)} MB peak RSS with leaktop's modules loaded and nothing read`);
    for (const mode of modes) {
      const files = ['a', 'b', 'c'].map((s) => join(dir, `${mode}-${s}.heapsnapshot`));
      const prefill = mode === 'emitter' && values['emitter-prefill'] ? ['--prefill', values['emitter-prefill']] : [];
      const made = await runJsonChild<{ made: number }>([fixture('listener-leaks.cjs'), mode, ...prefill, ...files], `fixture ${mode}`);
      for (const file of files) flushToDisk(file);
      const sizes = files.map((f) => statSync(f).size);
      console.log('');
      console.log(`── ${mode}: ${made.made.toLocaleString('en-US')} requests; snapshots ${sizes.map((s) => (s / MB).toFixed(1)).join(', ')} MB ${'─'.repeat(30)}`);
      const summaries: Measured[] = [];
      for (const [i, file] of files.entries()) summaries.push(await child(['--summary', file], `summary ${mode} ${i}`));
      const leaks = await child(['--leaks', ...files], `leaks ${mode}`);
      const summarySeconds = summaries.reduce((sum, m) => sum + m.seconds, 0);
      const summaryPeak = Math.max(...summaries.map((m) => m.peakRssBytes));
      const largest = Math.max(...sizes);
      const row = (name: string, seconds: number, peak: number) => console.log(`  ${name.padEnd(40)}${`${seconds.toFixed(2)} s`.padStart(9)}    peak RSS ${(peak / MB).toFixed(0).padStart(6)} MB`);
      summaries.forEach((m, i) => row(`summary ${'ABC'[i]}`, m.seconds, m.peakRssBytes));
      row('summary of the three', summarySeconds, summaryPeak);
      row('leaks A B C', leaks.seconds, leaks.peakRssBytes);
      console.log(`    ${leaks.detail.slice(0, 300)}`);
      const timeRatio = leaks.seconds / summarySeconds;
      const rssRatio = leaks.peakRssBytes / largest;
      const verdict = (ok: boolean) => (ok ? 'met' : 'MISSED');
      console.log(`  time: ${timeRatio.toFixed(2)}× the summary of the three (${(leaks.seconds / summaries[2]!.seconds).toFixed(2)}× that of C alone); target ≤ ${TARGETS.timeVsSummary}×: ${verdict(timeRatio <= TARGETS.timeVsSummary)}`);
      const aboveFloor = (leaks.peakRssBytes - floor.peakRssBytes) / largest;
      console.log(`  memory: ${rssRatio.toFixed(2)}× the largest file (${(largest / MB).toFixed(1)} MB); target ≤ ~${TARGETS.rssVsLargestFile}×: ${verdict(rssRatio <= TARGETS.rssVsLargestFile)}`);
      console.log(`          ${aboveFloor.toFixed(2)}× above the floor; ${(leaks.peakRssBytes / summaryPeak).toFixed(2)}× the peak of the summary of C`);
      for (const file of files) rmSync(file, { force: true });
    }
  } finally {
    await stopAllOwnedAndReport();
    removeDir();
  }
}

const [flag, ...rest] = process.argv.slice(2);
if (flag === '--summary') await summaryChild(rest[0]!);
else if (flag === '--leaks') await leaksChild(rest);
else if (flag === '--floor') floorChild();
else await main();
