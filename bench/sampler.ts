/**
 * `npm run bench`: what one tick of leaktop's process sampler costs, against systeminformation.processes() measured
 * in the same run on the same processes, and what the full-screen UI costs while it sits open.
 *
 *   node dist/bench/sampler.js [--procs N] [--json-out]
 *
 * Default: 50 idle Node processes, then 100. `--procs N`: only N. `--json-out` also writes the figures to
 * bench/results/sampler-latest.json. Every process started here is ended by PID before the bench exits, also on
 * an error or a signal.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { arch, cpus, platform, release } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import si from 'systeminformation';
import { ProcessSampler, type ProcessHarvest } from '../src/proc/index.js';
import { spawnIdleNodes, type IdleNode } from './helpers/idle-nodes.js';
import { installSignalCleanup, stopAllOwnedAndReport } from './helpers/owned.js';
import { countPids } from './helpers/proc-usage.js';
import { summarize, type Summary } from './helpers/stats.js';
import { measureTui, type TuiFigures } from './helpers/tui.js';

/** dist/bench/sampler.js → the repository root (bin/leaktop.js and bench/results live there). */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

const DEFAULT_SIZES = [50, 100];
const SAMPLER_WARMUP_TICKS = 5;
const SAMPLER_TIMED_TICKS = 50;
const BASELINE_TIMED_CALLS = 5;
/** systeminformation.processes() returns its previous result, without running anything, for 500 ms after a call. */
const BASELINE_SPACING_MS = 600;
const TUI_WARMUP_MS = 5_000;
const TUI_WINDOW_MS = 20_000;

const TARGETS = {
  tickMsAt100Procs: 15,
  tuiCpuPercentOfOneCore: 1,
  tuiRssBytes: 100e6,
} as const;

interface SamplerFigures {
  /** The very first tick of a new sampler: it identifies every process (readlink, stat, cmdline, status). */
  firstTickMs: number;
  /** Steady ticks: processes already known cost a readlink, plus a stat read if they are Node. */
  tickMs: Summary;
  /** Node processes the sampler reported (ours plus any other Node process on the host, e.g. npm). */
  nodeProcessesSeen: number;
  /** How many of the idle nodes we spawned it found: must be all of them. */
  ownNodesSeen: number;
  /** All PIDs in /proc: the sampler readlinks each one, so its cost follows this, not only the Node count. */
  pidsOnHost: number;
  usPerNodeProcess: number;
}

interface BaselineFigures {
  name: string;
  callMs: Summary;
  /** Processes it listed (all of them, not only Node); 0 means `ps` is missing and the figure is meaningless. */
  processesListed: number;
}

interface SizeResult {
  idleNodes: number;
  spawnMs: number;
  ours: SamplerFigures;
  baseline: BaselineFigures;
  /** Baseline mean over our mean. */
  speedup: number;
}

// ── measurements ────────────────────────────────────────────────────────────────────────────────────────────────

/**
 * Times `sample()` synchronously with performance.now(): it is a synchronous function, so wall time is its cost.
 * The first tick is reported apart (it is what starting leaktop costs once), then a few untimed ticks let the JIT
 * settle, then K ticks are timed back to back. Back to back, not 1 s apart as in the UI, so the run stays short;
 * the kernel work per tick (one readlink per PID, one stat read per Node process) is the same either way.
 */
function measureOurSampler(nodes: readonly IdleNode[]): SamplerFigures {
  const sampler = new ProcessSampler();
  const firstStartMs = performance.now();
  sampler.sample();
  const firstTickMs = performance.now() - firstStartMs;

  for (let i = 0; i < SAMPLER_WARMUP_TICKS; i++) sampler.sample();

  const tickMsSamples: number[] = [];
  let lastHarvest: ProcessHarvest | undefined;
  for (let i = 0; i < SAMPLER_TIMED_TICKS; i++) {
    const startMs = performance.now();
    lastHarvest = sampler.sample();
    tickMsSamples.push(performance.now() - startMs);
  }
  if (lastHarvest === undefined) throw new Error('no timed tick');

  const seenPids = new Set(lastHarvest.processes.map((p) => p.pid));
  const tickMs = summarize(tickMsSamples);
  const nodeProcessesSeen = lastHarvest.processes.length;
  return {
    firstTickMs,
    tickMs,
    nodeProcessesSeen,
    ownNodesSeen: nodes.filter((n) => seenPids.has(n.pid)).length,
    pidsOnHost: countPids(),
    usPerNodeProcess: (tickMs.mean * 1000) / Math.max(1, nodeProcessesSeen),
  };
}

/**
 * systeminformation.processes() is what leaktop would use without its own sampler. One untimed call first (module
 * warm-up, and it has no CPU baseline yet), then each timed call waits out the library's 500 ms result cache:
 * a call inside that window returns the cached list in microseconds and would flatter the baseline.
 */
async function measureBaseline(): Promise<BaselineFigures> {
  await si.processes();
  const callMsSamples: number[] = [];
  let processesListed = 0;
  for (let i = 0; i < BASELINE_TIMED_CALLS; i++) {
    await sleep(BASELINE_SPACING_MS);
    const startMs = performance.now();
    const result = await si.processes();
    callMsSamples.push(performance.now() - startMs);
    processesListed = result.list.length;
  }
  return { name: 'systeminformation.processes()', callMs: summarize(callMsSamples), processesListed };
}

// ── output ──────────────────────────────────────────────────────────────────────────────────────────────────────

const ms = (x: number) => `${x.toFixed(2)} ms`;
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

function printHeader(): void {
  const cpu = cpus()[0]?.model.trim() ?? 'unknown CPU';
  console.log('leaktop sampler benchmark');
  console.log(`date:    ${new Date().toISOString()}`);
  console.log(`machine: ${cpu}, ${cpus().length} CPUs, ${platform()} ${release()} ${arch()}`);
  console.log(`node:    ${process.version}`);
}

function printSize(result: SizeResult): void {
  const { ours, baseline } = result;
  console.log('');
  console.log(`── ${result.idleNodes} idle Node processes ${'─'.repeat(60)}`);
  console.log(
    `spawned in ${(result.spawnMs / 1000).toFixed(1)} s; /proc lists ${ours.pidsOnHost} PIDs; ` +
      `the sampler sees ${ours.nodeProcessesSeen} Node processes (${ours.ownNodesSeen}/${result.idleNodes} of the spawned ones)`,
  );
  console.log('ours: ProcessSampler.sample() (reads /proc)');
  console.log(`  first tick (identifies all):  ${ms(ours.firstTickMs)}`);
  console.log(
    `  steady tick over ${ours.tickMs.count}:        mean ${ms(ours.tickMs.mean)}, median ${ms(ours.tickMs.median)}, ` +
      `p95 ${ms(ours.tickMs.p95)} (max ${ms(ours.tickMs.max)})`,
  );
  console.log(`  per Node process:             ${ours.usPerNodeProcess.toFixed(1)} µs (mean tick / ${ours.nodeProcessesSeen})`);
  if (result.idleNodes === 100) {
    console.log(`  target: full tick ≤ ${TARGETS.tickMsAt100Procs} ms at 100 processes: p95 ${ms(ours.tickMs.p95)} → ${verdict(ours.tickMs.p95 <= TARGETS.tickMsAt100Procs)}`);
  } else {
    console.log(`  target: full tick ≤ ${TARGETS.tickMsAt100Procs} ms at 100 processes (not graded at ${result.idleNodes})`);
  }
  console.log(`baseline: ${baseline.name} (runs ps, then one shell with a cat per PID)`);
  console.log(
    `  call over ${baseline.callMs.count}:                mean ${ms(baseline.callMs.mean)}, median ${ms(baseline.callMs.median)}, ` +
      `max ${ms(baseline.callMs.max)}; lists ${baseline.processesListed} processes (all, not only Node)`,
  );
  if (baseline.processesListed === 0) {
    console.log('  WARNING: the baseline listed nothing (no `ps` here?): the ratio below is meaningless');
  }
  console.log(`→ ours is ${result.speedup.toFixed(0)}× faster than ${baseline.name} (mean / mean)`);
}

function printTui(tui: TuiFigures, idleNodes: number, size: string): void {
  console.log('');
  console.log(`── leaktop TUI: node bin/leaktop.js --interval 1, ${size} pty, ${idleNodes} idle nodes ${'─'.repeat(20)}`);
  console.log(
    `  CPU: ${tui.cpuPercentOfOneCore.toFixed(2)} % of one core (${tui.cpuTicks} ticks over ${(tui.windowMs / 1000).toFixed(1)} s, ` +
      `after ${TUI_WARMUP_MS / 1000} s warm-up)   target ≤ ${TARGETS.tuiCpuPercentOfOneCore} % → ${verdict(tui.cpuPercentOfOneCore <= TARGETS.tuiCpuPercentOfOneCore)}`,
  );
  console.log(
    `  RSS: ${(tui.rssBytes / 1e6).toFixed(1)} MB at the end of the window (${(tui.rssStartBytes / 1e6).toFixed(1)} MB at its start)   target ≤ ${TARGETS.tuiRssBytes / 1e6} MB → ${verdict(tui.rssBytes <= TARGETS.tuiRssBytes)}`,
  );
  console.log(`  terminal output: ${(tui.outputBytesPerSecond / 1000).toFixed(2)} kB/s; ended: ${tui.ended}`);
}

// ── driver ──────────────────────────────────────────────────────────────────────────────────────────────────────

interface Options {
  sizes: number[];
  jsonOut: boolean;
}

const USAGE = 'usage: node dist/bench/sampler.js [--procs N] [--json-out]';

/** A bad command line: reported as one line plus the usage, without a stack trace. */
class UsageError extends Error {}

function parseOptions(argv: string[]): Options {
  try {
    return parseOptionsOrThrow(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function parseOptionsOrThrow(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: { procs: { type: 'string' }, 'json-out': { type: 'boolean', default: false } },
    strict: true,
  });
  let sizes = DEFAULT_SIZES;
  if (values.procs !== undefined) {
    const n = Number(values.procs);
    if (!/^[1-9]\d*$/.test(values.procs) || n > 1000) throw new Error(`--procs: expected a whole number from 1 to 1000, got '${values.procs}'`);
    sizes = [n];
  }
  return { sizes, jsonOut: values['json-out'] === true };
}

/** Stops every spawned process and checks, by PID, that none is left. */
async function cleanUp(): Promise<void> {
  await stopAllOwnedAndReport();
}

async function main(): Promise<void> {
  const options = parseOptions(process.argv.slice(2));
  const runStartMs = performance.now();
  installSignalCleanup();
  printHeader();

  const sizes: SizeResult[] = [];
  let tui: Array<TuiFigures & { idleNodes: number; size: string }> | null = null;
  try {
    const nodes: IdleNode[] = [];
    for (const size of [...options.sizes].sort((a, b) => a - b)) {
      // Sizes grow, so the next size only adds the missing processes to those already running.
      const spawnStartMs = performance.now();
      nodes.push(...(await spawnIdleNodes(size - nodes.length, nodes.length)));
      const spawnMs = performance.now() - spawnStartMs;

      const ours = measureOurSampler(nodes);
      const baseline = await measureBaseline();
      const result: SizeResult = { idleNodes: size, spawnMs, ours, baseline, speedup: baseline.callMs.mean / ours.tickMs.mean };
      sizes.push(result);
      printSize(result);

      // The UI is measured once, with the smallest set (50 by default) still running.
      // Both the classic 80x24 terminal and a roomier one: a frame's cost grows with the cells drawn.
      if (tui === null) {
        tui = [];
        for (const [cols, rows] of [
          [80, 24],
          [120, 40],
        ] as const) {
          const figures = await measureTui({ repoRoot, cols, rows, warmupMs: TUI_WARMUP_MS, windowMs: TUI_WINDOW_MS });
          tui.push({ ...figures, idleNodes: size, size: `${cols}×${rows}` });
          printTui(figures, size, `${cols}×${rows}`);
        }
      }
    }
  } finally {
    await cleanUp();
  }

  const runS = (performance.now() - runStartMs) / 1000;
  console.log(`bench took ${runS.toFixed(1)} s`);

  if (options.jsonOut) {
    const path = join(repoRoot, 'bench', 'results', 'sampler-latest.json');
    mkdirSync(dirname(path), { recursive: true });
    const machine = { cpu: cpus()[0]?.model.trim() ?? null, cpuCount: cpus().length, platform: platform(), release: release(), arch: arch(), node: process.version };
    writeFileSync(path, `${JSON.stringify({ date: new Date().toISOString(), machine, targets: TARGETS, sizes, tui, runSeconds: runS }, null, 2)}\n`);
    console.log(`figures written to ${path}`);
  }
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) console.error(`bench: ${error.message}\n${USAGE}`);
  else console.error(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
  process.exitCode = 1;
});
