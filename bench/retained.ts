/**
 * Micro-benchmark of retained sizes: parse + summary + dominator tree + per-class retained sizes of one snapshot
 * file, in a fresh child process, so its peak RSS (VmHWM) is this work's alone.
 *
 *   node dist/bench/retained.js FILE [--devtools-seconds S --devtools-rss-mb MB] [--paths]
 *
 * Prints the time of each step, the total and the peak RSS. With DevTools' figures for the same file (its full
 * load computes retained sizes too; measure it with bench/snapshot.ts's method — it needs ~4 GB, so it is not run
 * here), also the ratios against the issue's targets: ≥ 5× faster, ≤ ⅓ of the peak RSS. `--paths` adds the
 * reverse-edge index and distances that retainer paths need (not part of the graded figure).
 */
import { spawn } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { cpus } from 'node:os';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { readSnapshotFile } from '../src/cli/read-snapshot-file.js';
import { computeDominators, groupRetainedSizes } from '../src/core/snapshot/dominators.js';
import { buildRetainers, computeDistances } from '../src/core/snapshot/retainer-paths.js';
import { groupNodes, summarize } from '../src/core/snapshot/summarize.js';
import { disown, installSignalCleanup, killPid, own, stopAllOwnedAndReport } from './helpers/owned.js';

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

/** Peak resident set size of this process so far: VmHWM of /proc/self/status, in bytes. */
function peakRss(): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return match ? Number(match[1]) * 1024 : process.resourceUsage().maxRSS * 1024;
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
  const snapshot = await readSnapshotFile(file);
  mark('parse (stream 1 MiB reads)');
  const grouping = groupNodes(snapshot);
  const summary = summarize(snapshot, grouping);
  mark('summary (fold, shapes, group)');
  const tree = computeDominators(snapshot, { selfSizes: grouping.selfSizes });
  mark('dominator tree + retained sizes');
  const classes = groupRetainedSizes(tree, grouping.groupOfNode, grouping.names.length);
  mark('class retained sizes');
  const seconds = (performance.now() - start) / 1000;
  const peakRssBytes = peakRss();
  if (withPaths) {
    buildRetainers(snapshot);
    computeDistances(snapshot);
    mark('retainer index + distances (for paths)');
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
  return new Promise((resolve, reject) => {
    const args = [`--max-old-space-size=${CHILD_HEAP_MB}`, thisFile, '--child', file, ...(withPaths ? ['--paths'] : [])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const pid = child.pid;
    if (pid === undefined) {
      reject(new Error('could not start the measuring child'));
      return;
    }
    const exited = new Promise<void>((done) => child.once('close', () => done()));
    own(pid, {
      label: 'retained child',
      stop: async () => {
        killPid(pid);
        await exited;
      },
      killNow: () => killPid(pid),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (data: Buffer) => (stdout += data.toString()));
    child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      disown(pid);
      const lastLine = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || lastLine === '') {
        reject(new Error(`child ended with code ${code}, signal ${signal}: ${stderr.trim().split('\n').slice(-5).join('\n')}`));
        return;
      }
      resolve(JSON.parse(lastLine) as ChildResult);
    });
  });
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

if (process.argv[2] === '--child') {
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
