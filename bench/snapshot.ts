/**
 * `npm run bench` (last part): reading heap snapshots. leaktop's streaming parser + summary, against two baselines
 * measured in the same run on the same files: the naive way (`JSON.parse` of the whole file, then count by name)
 * and Chrome DevTools' own loader (HeapSnapshotLoader + JSHeapSnapshot, as the Memory panel runs it, bundled from
 * the `chrome-devtools-frontend` package by test/helpers/devtools-snapshot-loader.ts).
 *
 *   node dist/bench/snapshot.js [--large] [--corpus-node PATH]
 *
 * The corpus is made here: child processes fill their heap with a known number of small object graphs and call
 * `v8.writeHeapSnapshot` — a small (~10 MB) and a medium (~150 MB) file, plus a second medium file for the diff
 * (the same process, 5 % more objects), and with `--large` a ~1 GB file. Every measurement runs in a fresh child
 * process, so its peak RSS (VmHWM) is that method's alone; leaktop, which takes seconds where the baselines take
 * minutes, runs three times and reports the median, so that one unlucky second of this shared machine does not
 * decide its figure. On the largest file, the same summary also runs without leaktop's two layers of speed (one
 * thread; then the JavaScript loops alone, without the WebAssembly scanner). The files are flushed to disk before
 * any measurement. They live in one temporary directory that is
 * deleted at the end, also on an error or a signal; every child is ended by PID.
 */
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyzeSnapshotFile } from '../src/cli/read-snapshot-file.js';
import { diffSnapshots } from '../src/core/snapshot/diff-snapshots.js';
import { SnapshotParser } from '../src/core/snapshot/parse-snapshot.js';
import { summarize } from '../src/core/snapshot/summarize.js';
import { devToolsAvailable, loadWithDevTools } from '../test/helpers/devtools-snapshot-loader.js';
import { installSignalCleanup, stopAllOwnedAndReport } from './helpers/owned.js';
import { peakRss } from './helpers/proc-usage.js';
import { runJsonChild } from './helpers/run-json-child.js';
import { flushToDisk, writeSnapshotCorpus } from './helpers/snapshot-corpus.js';

const thisFile = fileURLToPath(import.meta.url);

/**
 * Object graphs per file. One unit (an `Order` with a string id, an items array, a nested plain object and a closure)
 * adds ~690 bytes of snapshot to the ~4.3 MB of an empty Node 20 heap (measured: 100,000 units → 73.6 MB).
 */
const CORPUS = {
  small: 8_000,
  medium: 210_000,
  large: 1_450_000,
} as const;
/** The second medium snapshot, for the diff: this many more units, written by the same process. */
const DIFF_GROWTH = 0.05;
/** Heap limit of every child: only a ceiling (the naive and DevTools baselines need several GB on the large file). */
const CHILD_HEAP_MB = 16_384;
const READ_CHUNK_BYTES = 1024 * 1024;

const TARGETS = {
  largeSummarySeconds: 2.5,
  largePeakRssBytes: 1e9,
  speedupVsDevTools: 20,
  rssFractionOfDevTools: 0.25,
} as const;

// ── children ────────────────────────────────────────────────────────────────────────────────────────────────────

type Method = 'leaktop' | 'one-thread' | 'javascript' | 'naive' | 'devtools' | 'leaktop-diff' | 'naive-diff';

interface ChildResult {
  seconds: number;
  peakRssBytes: number;
  /** Objects counted (a sanity check that the methods read the same thing). */
  nodes: number;
  /** Set when the method cannot read the file, e.g. "fails (string length)". */
  failed?: string;
}

/** The naive baseline: the whole file as one string, JSON.parse, count nodes per name. */
function naiveCounts(file: string): Map<string, number> {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { snapshot: { meta: { node_fields: string[] } }; nodes: number[]; strings: string[] };
  const fields = json.snapshot.meta.node_fields;
  const stride = fields.length;
  const name = fields.indexOf('name');
  const counts = new Map<string, number>();
  for (let i = 0; i < json.nodes.length; i += stride) {
    const key = json.strings[json.nodes[i + name]!]!;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

async function runMethod(method: Method, files: string[]): Promise<ChildResult> {
  if (method === 'devtools') await devToolsAvailable(); // bundling is a one-off cost of this harness, not of DevTools
  const start = performance.now();
  let nodes = 0;
  try {
    switch (method) {
      case 'leaktop': {
        const { snapshot, grouping } = await analyzeSnapshotFile(files[0]!);
        const summary = summarize(snapshot, grouping);
        nodes = summary.nodes;
        break;
      }
      case 'one-thread':
      case 'javascript': {
        // The same summary from a one-piece parse, with the WebAssembly fast path or with the JavaScript loops alone.
        const parser = new SnapshotParser({ webAssembly: method === 'one-thread' });
        for await (const chunk of createReadStream(files[0]!, { highWaterMark: READ_CHUNK_BYTES })) parser.write(chunk as Buffer);
        nodes = summarize(parser.end()).nodes;
        break;
      }
      case 'naive': {
        for (const count of naiveCounts(files[0]!).values()) nodes += count;
        break;
      }
      case 'devtools': {
        const chunks = createReadStream(files[0]!, { encoding: 'utf8', highWaterMark: READ_CHUNK_BYTES }) as AsyncIterable<string>;
        for (const row of await loadWithDevTools(chunks, { secondThread: true })) nodes += row.count;
        break;
      }
      case 'leaktop-diff': {
        const a = await analyzeSnapshotFile(files[0]!);
        const b = await analyzeSnapshotFile(files[1]!);
        const diff = diffSnapshots(a.diffInput(true), b.diffInput(true), { idsComparable: true });
        nodes = diff.rows.reduce((sum, row) => sum + row.countB, 0);
        break;
      }
      case 'naive-diff': {
        const a = naiveCounts(files[0]!);
        const b = naiveCounts(files[1]!);
        let changed = 0;
        for (const [name, count] of b) {
          nodes += count;
          if (count !== a.get(name)) changed++;
        }
        if (changed === 0) throw new Error('no class changed between the two snapshots');
        break;
      }
    }
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const failed = code === 'ERR_STRING_TOO_LONG' || /string longer than/i.test((error as Error).message) ? 'fails (string length)' : `fails (${(error as Error).message.split('\n')[0]})`;
    return { seconds: (performance.now() - start) / 1000, peakRssBytes: peakRss(), nodes: 0, failed };
  }
  return { seconds: (performance.now() - start) / 1000, peakRssBytes: peakRss(), nodes };
}

/** The corpus writer: `units` object graphs, a snapshot to the first file; then 5 % more and one to the second. */
function generate(units: number, files: string[]): void {
  writeSnapshotCorpus(units, files, DIFF_GROWTH);
}

async function childMain(argv: string[]): Promise<void> {
  const [kind, ...rest] = argv;
  if (kind === 'generate') {
    generate(Number(rest[0]), rest.slice(1));
    process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
    return;
  }
  const result = await runMethod(kind as Method, rest);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** Runs this file as a child (`--child KIND ARGS…`), owned by PID, and returns its last stdout line as JSON. */
function runChild<T>(args: string[], label: string, dir: string, node = process.execPath): Promise<T> {
  // TMPDIR: the DevTools bundle a child writes goes into our directory, so it goes even if the child is killed.
  return runJsonChild<T>([`--max-old-space-size=${CHILD_HEAP_MB}`, thisFile, '--child', ...args], label, { ...process.env, TMPDIR: dir }, node);
}

// ── output ──────────────────────────────────────────────────────────────────────────────────────────────────────

const MB = 1e6;
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
const times = (x: number) => `${x >= 10 ? x.toFixed(0) : x.toFixed(1)}×`;

interface Measured extends ChildResult {
  method: string;
}

function row(m: Measured, inputBytes: number): string {
  const name = m.method.padEnd(46);
  if (m.failed) return `  ${name}${m.failed.padEnd(28)}peak RSS ${(m.peakRssBytes / MB).toFixed(0).padStart(6)} MB`;
  return (
    `  ${name}${`${m.seconds.toFixed(2)} s`.padStart(9)}${`${(inputBytes / MB / m.seconds).toFixed(0)} MB/s`.padStart(11)}` +
    `        peak RSS ${(m.peakRssBytes / MB).toFixed(0).padStart(6)} MB   ${m.nodes.toLocaleString('en-US')} objects`
  );
}

function ratios(ours: Measured, baseline: Measured): string {
  const name = baseline.method.split(':')[0]!;
  if (baseline.failed) return `leaktop vs ${name}: ${name} ${baseline.failed}`;
  return `leaktop vs ${name}: ${times(baseline.seconds / ours.seconds)} the speed, ${(ours.peakRssBytes / baseline.peakRssBytes).toFixed(2)} of the peak RSS`;
}

// ── driver ──────────────────────────────────────────────────────────────────────────────────────────────────────

interface FileResult {
  label: string;
  bytes: number;
  leaktop: Measured;
  naive: Measured;
  devtools: Measured;
}

async function measureFile(label: string, file: string, dir: string): Promise<FileResult> {
  const bytes = statSync(file).size;
  console.log('');
  console.log(`── ${label}: ${(bytes / MB).toFixed(1)} MB snapshot ${'─'.repeat(60)}`);
  const measure = async (method: Method, name: string) => {
    const m: Measured = { method: name, ...(await runChild<ChildResult>([method, file], `${method} ${label}`, dir)) };
    console.log(row(m, bytes));
    return m;
  };
  const leaktop = await measureMedian(file, bytes, dir, label);
  const naive = await measure('naive', 'naive: JSON.parse(whole file) + count by name');
  const devtools = await measure('devtools', 'DevTools: HeapSnapshotLoader + aggregates');
  console.log(`  → ${ratios(leaktop, naive)}`);
  console.log(`  → ${ratios(leaktop, devtools)}`);
  return { label, bytes, leaktop, naive, devtools };
}

/** leaktop's runs on one file: it takes seconds where the baselines take minutes, so it runs LEAKTOP_RUNS times. */
const LEAKTOP_RUNS = 3;

/** leaktop on `file`, LEAKTOP_RUNS fresh processes: the median time, and the highest peak RSS of the runs. */
async function measureMedian(file: string, bytes: number, dir: string, label: string): Promise<Measured> {
  const runs: ChildResult[] = [];
  for (let run = 0; run < LEAKTOP_RUNS; run++) runs.push(await runChild<ChildResult>(['leaktop', file], `leaktop ${label}`, dir));
  const bySeconds = [...runs].sort((a, b) => a.seconds - b.seconds);
  const median = bySeconds[Math.floor(runs.length / 2)]!;
  const m: Measured = { ...median, method: `leaktop: stream + summarize (median of ${LEAKTOP_RUNS})`, peakRssBytes: Math.max(...runs.map((r) => r.peakRssBytes)) };
  console.log(row(m, bytes));
  console.log(`  ${'  runs:'.padEnd(46)}${runs.map((r) => `${r.seconds.toFixed(2)} s`).join(', ')}`);
  return m;
}

/** What the two threads and the WebAssembly scanner each buy: the same summary without them, one run each. */
async function measureLayers(file: string, dir: string, measured: FileResult): Promise<void> {
  console.log('');
  console.log(`── the same ${measured.label} file without the layers ${'─'.repeat(50)}`);
  const run = async (method: Method, name: string) => {
    const m: Measured = { method: name, ...(await runChild<ChildResult>([method, file], `${method} ${measured.label}`, dir)) };
    console.log(row(m, measured.bytes));
    return m;
  };
  const oneThread = await run('one-thread', 'one thread, WebAssembly scanner');
  const javascript = await run('javascript', 'one thread, JavaScript loops alone');
  const { leaktop } = measured;
  console.log(`  → two threads: ${times(oneThread.seconds / leaktop.seconds)} the speed of one; WebAssembly: ${times(javascript.seconds / oneThread.seconds)} the speed of JavaScript alone (one thread)`);
}

function printTargets(large: FileResult | undefined, medium: FileResult): void {
  console.log('');
  console.log('── targets (graded on the ~1 GB snapshot) ' + '─'.repeat(50));
  const graded = large ?? medium;
  const { leaktop, devtools } = graded;
  const note = large ? '' : `   (not graded: no --large; figures of the ${(medium.bytes / MB).toFixed(0)} MB file)`;
  const speedup = devtools.failed ? Number.NaN : devtools.seconds / leaktop.seconds;
  const rssFraction = devtools.failed ? Number.NaN : leaktop.peakRssBytes / devtools.peakRssBytes;
  const grade = (ok: boolean) => (large ? verdict(ok) : '—');
  console.log(`  summary ≤ ${TARGETS.largeSummarySeconds} s:            ${leaktop.seconds.toFixed(2)} s → ${grade(leaktop.seconds <= TARGETS.largeSummarySeconds)}${note}`);
  console.log(`  peak RSS ≤ ${TARGETS.largePeakRssBytes / MB} MB:        ${(leaktop.peakRssBytes / MB).toFixed(0)} MB → ${grade(leaktop.peakRssBytes <= TARGETS.largePeakRssBytes)}`);
  console.log(`  ≥ ${TARGETS.speedupVsDevTools}× faster than DevTools:  ${times(speedup)} → ${grade(speedup >= TARGETS.speedupVsDevTools)}`);
  console.log(`  ≤ ¼ of DevTools' peak RSS:    ${rssFraction.toFixed(2)} → ${grade(rssFraction <= TARGETS.rssFractionOfDevTools)}`);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { large: { type: 'boolean', default: false }, 'corpus-node': { type: 'string', default: process.execPath } },
    strict: true,
  });
  // The Node that writes the corpus: V8's snapshot layout differs between versions (Node 24 writes no line break
  // between records), e.g. `--corpus-node node_modules/node24/bin/node`. Every measurement runs on this Node.
  const corpusNode = values['corpus-node'];
  const runStart = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'leaktop-bench-snapshot-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  // 'exit' also runs after installSignalCleanup's handlers call process.exit on a signal.
  process.once('exit', removeDir);
  installSignalCleanup();

  console.log('leaktop snapshot benchmark');
  console.log(`date:    ${new Date().toISOString()}`);
  console.log(`machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} CPUs; node ${process.version}`);
  if (corpusNode !== process.execPath) console.log(`corpus:  written by ${corpusNode} (${execFileSync(corpusNode, ['--version'], { encoding: 'utf8' }).trim()})`);
  console.log(`each figure: one run in a fresh process, but leaktop's: the median of ${LEAKTOP_RUNS} runs, with their highest peak RSS`);
  console.log(`(peak RSS = VmHWM, Node's own ~45 MB included); objects = what`);
  console.log(`each method counted (naive: every node; leaktop and DevTools: backing stores folded into owners, zero-size nodes left out)`);

  try {
    const file = (name: string) => join(dir, `${name}.heapsnapshot`);
    const generateStart = performance.now();
    await runChild(['generate', String(CORPUS.small), file('small')], 'generate small', dir, corpusNode);
    await runChild(['generate', String(CORPUS.medium), file('medium'), file('medium-b')], 'generate medium', dir, corpusNode);
    if (values.large) await runChild(['generate', String(CORPUS.large), file('large')], 'generate large', dir, corpusNode);
    for (const name of readdirSync(dir)) if (name.endsWith('.heapsnapshot')) flushToDisk(join(dir, name));
    console.log(`corpus written in ${((performance.now() - generateStart) / 1000).toFixed(1)} s to ${dir} (and flushed to disk)`);

    await measureFile('small', file('small'), dir);
    const medium = await measureFile('medium', file('medium'), dir);
    const large = values.large ? await measureFile('large', file('large'), dir) : undefined;

    const bytesA = statSync(file('medium')).size;
    const bytesB = statSync(file('medium-b')).size;
    console.log('');
    console.log(`── diff: medium A ${(bytesA / MB).toFixed(1)} MB → B ${(bytesB / MB).toFixed(1)} MB (+${DIFF_GROWTH * 100} % objects) ${'─'.repeat(30)}`);
    const diffOurs: Measured = { method: 'leaktop: stream both + diffSnapshots (ids)', ...(await runChild<ChildResult>(['leaktop-diff', file('medium'), file('medium-b')], 'leaktop diff', dir)) };
    console.log(row(diffOurs, bytesA + bytesB));
    const diffNaive: Measured = { method: 'naive: JSON.parse both + compare counts', ...(await runChild<ChildResult>(['naive-diff', file('medium'), file('medium-b')], 'naive diff', dir)) };
    console.log(row(diffNaive, bytesA + bytesB));
    console.log(`  → ${ratios(diffOurs, diffNaive)}`);

    await measureLayers(large ? file('large') : file('medium'), dir, large ?? medium);

    printTargets(large, medium);
  } finally {
    await stopAllOwnedAndReport(`${dir} removed`, removeDir);
  }
  console.log(`bench took ${((performance.now() - runStart) / 1000).toFixed(1)} s`);
}

if (process.argv[2] === '--child') {
  childMain(process.argv.slice(3)).catch((error: unknown) => {
    console.error((error as Error)?.stack ?? String(error));
    process.exitCode = 1;
  });
} else {
  main().catch((error: unknown) => {
    console.error(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
    process.exitCode = 1;
  });
}
