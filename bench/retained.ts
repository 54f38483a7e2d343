/**
 * Micro-benchmark of retained sizes: parse + summary + dominator tree + per-class retained sizes of one snapshot
 * file, in a fresh child process, so its peak RSS (VmHWM) is this work's alone.
 *
 *   node dist/bench/retained.js [--large]      (`npm run bench`'s step: makes its own corpus, see `corpusMain`)
 *   node dist/bench/retained.js FILE [--devtools-seconds S --devtools-rss-mb MB] [--paths]
 *
 * Prints the time of each step, the total and the peak RSS. With DevTools' figures for the same file (its full
 * load computes retained sizes too; measure it with bench/snapshot.ts's method — it needs ~4 GB, so it is not run
 * here), also the ratios against the issue's targets: ≥ 5× faster, ≤ ⅓ of the peak RSS. `--paths` adds the
 * distances and the shortest-path tree that retainer paths need (not part of the graded figure).
 */
import { createReadStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { analyzeSnapshotFile } from '../src/cli/read-snapshot-file.js';
import { dominate } from '../src/core/snapshot/analyze.js';
import { groupRetainedSizes } from '../src/core/snapshot/dominators.js';
import { buildPathTree, computeDistances } from '../src/core/snapshot/retainer-paths.js';
import { summarize } from '../src/core/snapshot/summarize.js';
import { devToolsAvailable, loadWithDevTools } from '../test/helpers/devtools-snapshot-loader.js';
import { installSignalCleanup, stopAllOwnedAndReport } from './helpers/owned.js';
import { peakRss } from './helpers/proc-usage.js';
import { runJsonChild } from './helpers/run-json-child.js';
import { flushToDisk, writeSnapshotCorpus } from './helpers/snapshot-corpus.js';

const thisFile = fileURLToPath(import.meta.url);
const TARGETS = { speedupVsDevTools: 5, rssFractionOfDevTools: 1 / 3 } as const;
/** Heap limit of the child: only a ceiling. */
const CHILD_HEAP_MB = 8192;

interface ChildResult {
  steps: Array<{ step: string; seconds: number; peakRssBytes: number }>;
  seconds: number;
  peakRssBytes: number;
  nodes: number;
  edges: number;
  /** The root's retained size: everything reachable, a sanity check. */
  rootRetained: number;
  /** The biggest class by retained size. */
  top: { name: string; retainedSize: number };
}

async function childMain(file: string, withPaths: boolean): Promise<void> {
  const start = performance.now();
  const steps: ChildResult['steps'] = [];
  let last = start;
  const mark = (step: string) => {
    const now = performance.now();
    steps.push({ step, seconds: (now - last) / 1000, peakRssBytes: peakRss() });
    last = now;
  };
  const { snapshot, grouping } = await analyzeSnapshotFile(file);
  mark('parse + group (fold, shapes; two threads on large files)');
  const summary = summarize(snapshot, grouping);
  mark('summary');
  const tree = dominate(snapshot, grouping);
  mark('dominator tree + retained sizes');
  const classes = groupRetainedSizes(tree, grouping.groupOfNode, grouping.names.length);
  mark('class retained sizes');
  const seconds = (performance.now() - start) / 1000;
  const peakRssBytes = peakRss();
  if (withPaths) {
    buildPathTree(snapshot, computeDistances(snapshot));
    mark('distances + shortest-path tree (for paths)');
  }
  let top = 0;
  for (let g = 1; g < classes.length; g++) if (classes[g]! > classes[top]!) top = g;
  const result: ChildResult = {
    steps,
    seconds,
    peakRssBytes,
    nodes: summary.nodes,
    edges: snapshot.edgeCount,
    rootRetained: tree.retainedSize[0] ?? 0,
    top: { name: grouping.names[top] ?? '', retainedSize: classes[top] ?? 0 },
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

function runChild(file: string, withPaths: boolean): Promise<ChildResult> {
  return runJsonChild<ChildResult>([`--max-old-space-size=${CHILD_HEAP_MB}`, thisFile, '--child', file, ...(withPaths ? ['--paths'] : [])], 'retained child');
}

const MB = 1e6;

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: process.argv.slice(2),
    options: { 'devtools-seconds': { type: 'string' }, 'devtools-rss-mb': { type: 'string' }, paths: { type: 'boolean', default: false } },
    allowPositionals: true,
    strict: true,
  });
  const file = positionals[0];
  if (file === undefined) throw new Error('usage: node dist/bench/retained.js FILE [--devtools-seconds S --devtools-rss-mb MB] [--paths]');
  installSignalCleanup();
  const bytes = statSync(file).size;
  console.log('leaktop retained-size benchmark');
  console.log(`date:    ${new Date().toISOString()}`);
  console.log(`machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} CPUs; node ${process.version}`);
  console.log(`file:    ${file} (${(bytes / MB).toFixed(1)} MB); one run in a fresh process, peak RSS = its VmHWM`);
  try {
    const r = await runChild(file, values.paths);
    console.log(`  ${r.nodes.toLocaleString('en-US')} objects counted, ${r.edges.toLocaleString('en-US')} edges; root retains ${(r.rootRetained / MB).toFixed(1)} MB; biggest class by retained size: ${r.top.name} (${(r.top.retainedSize / MB).toFixed(1)} MB)`);
    for (const s of r.steps) console.log(`  ${s.step.padEnd(44)}${`${s.seconds.toFixed(2)} s`.padStart(9)}    peak RSS so far ${(s.peakRssBytes / MB).toFixed(0).padStart(6)} MB`);
    console.log(`  ${'total: parse + summary + retained sizes'.padEnd(44)}${`${r.seconds.toFixed(2)} s`.padStart(9)}    peak RSS        ${(r.peakRssBytes / MB).toFixed(0).padStart(6)} MB`);
    const devSeconds = Number(values['devtools-seconds']);
    const devRss = Number(values['devtools-rss-mb']) * MB;
    if (devSeconds > 0 && devRss > 0) {
      const speedup = devSeconds / r.seconds;
      const fraction = r.peakRssBytes / devRss;
      const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');
      console.log(`  vs DevTools' full load (${devSeconds} s, ${(devRss / MB).toFixed(0)} MB, as given):`);
      console.log(`    ≥ ${TARGETS.speedupVsDevTools}× faster:        ${speedup.toFixed(1)}× → ${verdict(speedup >= TARGETS.speedupVsDevTools)}`);
      console.log(`    ≤ ⅓ of its peak RSS:  ${fraction.toFixed(2)} → ${verdict(fraction <= TARGETS.rssFractionOfDevTools)}`);
    }
  } finally {
    await stopAllOwnedAndReport();
  }
}

// ── the corpus run (`npm run bench`) ────────────────────────────────────────────────────────────────────────────

/** Object graphs per file, as bench/snapshot.ts makes them (~690 bytes of snapshot each): ~150 MB and ~1 GB. */
const CORPUS = { medium: 210_000, large: 1_450_000 } as const;

interface Measured {
  seconds: number;
  peakRssBytes: number;
  /** Objects counted, a sanity check that the methods read the same thing. */
  nodes: number;
}

/** A fresh-process measurement: `summary` (parse + summary), `retained` (+ dominators + class retained sizes), `devtools`. */
async function measureMain(method: string, file: string): Promise<void> {
  if (method === 'devtools') await devToolsAvailable(); // bundling DevTools is this harness's cost, not DevTools'
  const start = performance.now();
  let nodes = 0;
  if (method === 'devtools') {
    const chunks = createReadStream(file, { encoding: 'utf8', highWaterMark: 1024 * 1024 }) as AsyncIterable<string>;
    for (const row of await loadWithDevTools(chunks, { secondThread: true })) nodes += row.count;
  } else {
    const { snapshot, grouping } = await analyzeSnapshotFile(file);
    nodes = summarize(snapshot, grouping).nodes;
    if (method === 'retained') {
      const tree = dominate(snapshot, grouping);
      groupRetainedSizes(tree, grouping.groupOfNode, grouping.names.length);
    }
  }
  const result: Measured = { seconds: (performance.now() - start) / 1000, peakRssBytes: peakRss(), nodes };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** The corpus writer, the same object graphs as bench/snapshot.ts: `units` of them, then a snapshot to `file`. */
function generateMain(units: number, file: string): void {
  writeSnapshotCorpus(units, [file]);
  process.stdout.write(`${JSON.stringify({ ok: true })}\n`);
}

/** Runs this file as a child with `args`, owned by PID; its last stdout line as JSON. */
function runOwned<T>(args: string[], label: string, env: NodeJS.ProcessEnv): Promise<T> {
  return runJsonChild<T>([`--max-old-space-size=${CHILD_HEAP_MB * 2}`, thisFile, ...args], label, env);
}

/**
 * `npm run bench`'s retained-size step: writes a ~150 MB snapshot (and ~1 GB with `--large`) into a temporary
 * directory, then per file, each in a fresh process: leaktop's summary without retained sizes (`summary
 * --no-retained`), with them (`summary`), and DevTools' full load (HeapSnapshotLoader + JSHeapSnapshot, which
 * computes the dominator tree and retained sizes too). Prints the cost of retained sizes and the ratios against
 * DevTools; the targets (≥ 5× faster, ≤ ⅓ of the peak RSS) are graded on the ~1 GB file.
 */
async function corpusMain(large: boolean): Promise<void> {
  const runStart = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'leaktop-bench-retained-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  installSignalCleanup();
  const env = { ...process.env, TMPDIR: dir };
  console.log('');
  console.log('leaktop retained-size benchmark');
  console.log(`date:    ${new Date().toISOString()}`);
  console.log(`machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} CPUs; node ${process.version}`);
  console.log('each figure: one run in a fresh process (peak RSS = its VmHWM, Node itself included)');
  try {
    const files: Array<[string, string]> = [['medium', join(dir, 'medium.heapsnapshot')]];
    if (large) files.push(['large', join(dir, 'large.heapsnapshot')]);
    for (const [label, file] of files) {
      await runOwned(['--generate', String(CORPUS[label as keyof typeof CORPUS]), file], `generate ${label}`, env);
      flushToDisk(file);
      const bytes = statSync(file).size;
      console.log('');
      console.log(`── ${label}: ${(bytes / MB).toFixed(1)} MB snapshot ${'─'.repeat(50)}`);
      const row = (name: string, m: Measured) =>
        console.log(`  ${name.padEnd(46)}${`${m.seconds.toFixed(2)} s`.padStart(9)}    peak RSS ${(m.peakRssBytes / MB).toFixed(0).padStart(6)} MB   ${m.nodes.toLocaleString('en-US')} objects`);
      const without = await runOwned<Measured>(['--measure', 'summary', file], 'summary', env);
      row('leaktop summary --no-retained', without);
      const withRetained = await runOwned<Measured>(['--measure', 'retained', file], 'summary with retained', env);
      row('leaktop summary (with retained sizes)', withRetained);
      const devtools = await runOwned<Measured>(['--measure', 'devtools', file], 'devtools', env).catch((error: Error) => {
        console.log(`  DevTools: fails (${error.message.split('\n')[0]})`);
        return null;
      });
      if (devtools) row('DevTools: HeapSnapshotLoader + JSHeapSnapshot', devtools);
      console.log(`  → retained sizes cost ${(withRetained.seconds - without.seconds).toFixed(2)} s (${(withRetained.seconds / without.seconds).toFixed(2)}× the summary's time), ` +
        `${((withRetained.peakRssBytes - without.peakRssBytes) / MB).toFixed(0)} MB more peak RSS`);
      if (devtools) {
        const speedup = devtools.seconds / withRetained.seconds;
        const fraction = withRetained.peakRssBytes / devtools.peakRssBytes;
        const graded = label === 'large';
        const verdict = (ok: boolean) => (graded ? (ok ? 'ok' : 'MISSED') : '— (graded on the ~1 GB file: --large)');
        console.log(`  → with retained vs DevTools: ${speedup.toFixed(1)}× faster (target ≥ ${TARGETS.speedupVsDevTools}×: ${verdict(speedup >= TARGETS.speedupVsDevTools)}), ` +
          `${fraction.toFixed(2)} of its peak RSS (target ≤ 0.33: ${verdict(fraction <= TARGETS.rssFractionOfDevTools)})`);
      }
    }
  } finally {
    await stopAllOwnedAndReport(`${dir} removed`, removeDir);
  }
  console.log(`retained bench took ${((performance.now() - runStart) / 1000).toFixed(1)} s`);
}

if (process.argv[2] === '--generate') {
  generateMain(Number(process.argv[3]), process.argv[4]!);
} else if (process.argv[2] === '--measure') {
  measureMain(process.argv[3]!, process.argv[4]!).catch((error: unknown) => {
    console.error((error as Error)?.stack ?? String(error));
    process.exitCode = 1;
  });
} else if (process.argv[2] === undefined || process.argv[2] === '--large') {
  corpusMain(process.argv[2] === '--large').catch((error: unknown) => {
    console.error(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
    process.exitCode = 1;
  });
} else if (process.argv[2] === '--child') {
  childMain(process.argv[3]!, process.argv[4] === '--paths').catch((error: unknown) => {
    console.error((error as Error)?.stack ?? String(error));
    process.exitCode = 1;
  });
} else {
  main().catch((error: unknown) => {
    console.error(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
    process.exitCode = 1;
  });
}
