/**
 * `npm run bench` (diff latency): how long after the key press the diff of `leaktop diff --pid` is ready, against
 * V8's own capture time measured in the same run, on the same process, in the same inspector session.
 *
 *   node dist/bench/diff-latency.js [--sizes 50,150]
 *
 * Target (the issue): diff ready ≤ 1.2× V8's own capture time, because parsing overlaps the stream.
 *
 * A real child Node process holds a heap of many small objects and strings (~50 MB; and ~150 MB when the first
 * size projects the whole run to fit in ~2 minutes, or when --sizes asks for it). One InspectorSession is
 * attached to it; the first snapshot of the pair (A) is taken and parsed once. Then, for the second snapshot:
 *
 *   (a) baseline: takeSnapshot with gc:false writing the file, nothing else — from the call until the file is complete;
 *   (b) leaktop:  the same capture with onChunk feeding a SnapshotParser, then parser.end() and diffSnapshots(A, B)
 *                 — from the call until the diff result exists (what `leaktop diff --pid` does).
 *
 * One warm-up of each, then 3 of each alternating (a)/(b); medians and the ratio (b)/(a). leaktop's own CPU time
 * (process.cpuUsage) is measured over each run. The child is ended by PID and every file is deleted at the end,
 * also on an error or a signal; the session is detached first, so the inspector leaktop opened is closed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { cpus, totalmem, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { analyze } from '../src/core/snapshot/analyze.js';
import { diffSnapshots, type DiffInput, type SnapshotDiff } from '../src/core/snapshot/diff-snapshots.js';
import type { HeapSnapshot } from '../src/core/snapshot/heap-snapshot.js';
import { SnapshotParser } from '../src/core/snapshot/parse-snapshot.js';
import { InspectorSession } from '../src/inspector/session.js';
import { takeSnapshot } from '../src/inspector/take-snapshot.js';
import { everOwnedPids, killPid, spawnOwned, stopAllOwned, stopAllOwnedAndReport } from './helpers/owned.js';
import { isAlive } from './helpers/proc-usage.js';
import { summarize } from './helpers/stats.js';

const thisFile = fileURLToPath(import.meta.url);

const TARGET_RATIO = 1.2;
const REPEATS = 3;
/** The larger size runs only if the whole bench is projected to stay within this (unless --sizes names it). */
const TIME_BUDGET_S = 120;
const DEFAULT_SIZES_MB = [50, 150];
/** Of the held objects, this fraction is replaced every CHURN_INTERVAL_MS, so the diff has new and freed objects. */
const CHURN_FRACTION = 0.002;
const CHURN_INTERVAL_MS = 250;
const CHILD_HEAP_LIMIT_MB = 4096;

const MB = 1e6;

// ── the child: a heap of many small objects and strings ─────────────────────────────────────────────────────

function childMain(targetMb: number): void {
  class Item {
    id: string;
    label: string;
    n: number;
    tags: string[];
    meta: { kind: string; seq: number };
    constructor(i: number, prev: Item | undefined) {
      this.id = `item-${i}-${(i * 2654435761) % 1_000_003}`;
      this.label = `label:${i % 5000}:${String.fromCharCode(97 + (i % 26))}`;
      this.n = i;
      this.tags = [`t${i % 97}`, `u${i}`];
      this.meta = { kind: i % 3 === 0 ? 'a' : 'b', seq: prev ? prev.n : -1 };
    }
  }
  const keep: Item[] = [];
  (globalThis as { keep?: unknown }).keep = keep;
  let made = 0;
  while (process.memoryUsage().heapUsed < targetMb * MB) {
    for (let k = 0; k < 10_000; k++, made++) keep.push(new Item(made, keep[keep.length - 1]));
  }
  // Stable size, changing content: a few objects replaced now and then (runs between snapshots, never during one).
  setInterval(() => {
    const count = Math.max(1, Math.round(keep.length * CHURN_FRACTION));
    for (let k = 0; k < count; k++) keep[Math.floor(Math.random() * keep.length)] = new Item(made++, undefined);
  }, CHURN_INTERVAL_MS);
  const usage = process.memoryUsage();
  process.stdout.write(`${JSON.stringify({ ready: true, objects: keep.length, heapUsed: usage.heapUsed, rss: usage.rss })}\n`);
}

interface ChildInfo {
  pid: number;
  objects: number;
  heapUsed: number;
  rss: number;
}

/** Starts the heap-holding child, owned by PID, and resolves when its heap is built. */
function startChild(targetMb: number): Promise<ChildInfo> {
  return new Promise((resolve, reject) => {
    const { child, pid } = spawnOwned(process.execPath, [`--max-old-space-size=${CHILD_HEAP_LIMIT_MB}`, thisFile, '--child', String(targetMb)], `heap ${targetMb} MB`);
    let stdout = '';
    let stderr = '';
    let settled = false;
    child.stdout.on('data', (data: Buffer) => {
      stdout += data.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (!settled && line && stdout.includes('\n')) {
        settled = true;
        const info = JSON.parse(line) as Omit<ChildInfo, 'pid'>;
        resolve({ pid, ...info });
      }
    });
    // The inspector's "Debugger listening/attached" lines go here; only the tail is kept, for errors.
    child.stderr.on('data', (data: Buffer) => (stderr = (stderr + data.toString()).slice(-4000)));
    child.once('error', reject);
    child.once('close', (code, signal) => {
      if (!settled) {
        settled = true;
        reject(new Error(`child ended with code ${code}, signal ${signal}: ${stderr.trim().split('\n').slice(-5).join('\n')}`));
      }
    });
  });
}

// ── measurements ────────────────────────────────────────────────────────────────────────────────────────────

interface Run {
  kind: 'a' | 'b';
  /** From the takeSnapshot call until the file is complete (a) / the diff exists (b), ms. */
  wallMs: number;
  /** takeSnapshot's own durationMs: request until the file was complete. */
  captureMs: number;
  /** leaktop's CPU time (user + system) over the run, ms. */
  cpuMs: number;
  bytes: number;
  /** (b) only: parser.end() after the last chunk, and diffSnapshots, ms. */
  endMs?: number;
  diffMs?: number;
  diff?: SnapshotDiff;
  nodes?: number;
}

/** A full GC in this process between runs, so garbage of one run is not collected during the next. */
function gcHere(): void {
  setFlagsFromString('--expose-gc');
  try {
    (runInNewContext('gc') as () => void)();
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
}

async function measureA(session: InspectorSession, path: string, signal: AbortSignal): Promise<Run> {
  gcHere();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const file = await takeSnapshot(session, { path, gc: false, signal });
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  await removeSnapshot(path);
  return { kind: 'a', wallMs, captureMs: file.durationMs, cpuMs: (cpu.user + cpu.system) / 1000, bytes: file.bytes };
}

async function measureB(session: InspectorSession, path: string, signal: AbortSignal, first: DiffInput): Promise<Run> {
  gcHere();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const parser = new SnapshotParser();
  const file = await takeSnapshot(session, { path, gc: false, signal, onChunk: (chunk) => parser.write(chunk) });
  const t1 = performance.now();
  const second = parser.end();
  const t2 = performance.now();
  const diff = diffSnapshots(first, analyze(second).diffInput(true), { idsComparable: true });
  const t3 = performance.now();
  const cpu = process.cpuUsage(cpu0);
  await removeSnapshot(path);
  return {
    kind: 'b',
    wallMs: t3 - t0,
    captureMs: file.durationMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    bytes: file.bytes,
    endMs: t2 - t1,
    diffMs: t3 - t2,
    diff,
    nodes: second.nodeCount,
  };
}

/** The snapshot the pair starts from, parsed while it streams (as `leaktop diff --pid` takes its first). */
async function takeFirst(session: InspectorSession, path: string, signal: AbortSignal): Promise<{ snapshot: HeapSnapshot; bytes: number; ms: number }> {
  const parser = new SnapshotParser();
  const t0 = performance.now();
  const file = await takeSnapshot(session, { path, gc: false, signal, onChunk: (chunk) => parser.write(chunk) });
  const snapshot = parser.end();
  const ms = performance.now() - t0;
  await removeSnapshot(path);
  return { snapshot, bytes: file.bytes, ms };
}

async function removeSnapshot(path: string): Promise<void> {
  await rm(path, { force: true });
  await rm(`${path}.json`, { force: true });
}

// ── output ──────────────────────────────────────────────────────────────────────────────────────────────────

const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const verdict = (ok: boolean) => (ok ? 'ok' : 'MISSED');

function runLine(label: string, r: Run): string {
  const head = `  ${label.padEnd(10)}(${r.kind}) ${r.kind === 'a' ? 'capture → file          ' : 'capture + parse + diff  '}${s(r.wallMs).padStart(8)}`;
  const cpu = `leaktop CPU ${s(r.cpuMs).padStart(7)} (${((r.cpuMs / r.wallMs) * 100).toFixed(0).padStart(3)} % of wall)`;
  if (r.kind === 'a') return `${head}   ${cpu}   takeSnapshot.durationMs ${s(r.captureMs)}`;
  return `${head}   ${cpu}   takeSnapshot.durationMs ${s(r.captureMs)}, then end ${r.endMs!.toFixed(0)} ms + diff ${r.diffMs!.toFixed(0)} ms`;
}

interface SizeResult {
  targetMb: number;
  heapUsed: number;
  bytes: number;
  medianA: number;
  medianB: number;
  ratio: number;
  medianCpuB: number;
  seconds: number;
}

async function measureSize(targetMb: number, dir: string, signal: AbortSignal, setSession: (s: InspectorSession | undefined) => void): Promise<SizeResult> {
  const started = performance.now();
  console.log('');
  console.log(`── heap ~${targetMb} MB ${'─'.repeat(90)}`);
  const child = await startChild(targetMb);
  console.log(`  child PID ${child.pid}: ${child.objects.toLocaleString('en-US')} items held, heapUsed ${(child.heapUsed / MB).toFixed(1)} MB, RSS ${(child.rss / MB).toFixed(0)} MB (built in ${s(performance.now() - started)})`);
  const session = await InspectorSession.attach(child.pid);
  setSession(session);
  try {
    console.log(`  attached: inspector ${session.openedByLeaktop ? 'opened by leaktop' : 'already open'} on 127.0.0.1:${session.port}, target node ${session.nodeVersion}`);
    const path = (name: string) => join(dir, `${targetMb}mb-${name}.heapsnapshot`);
    const first = await takeFirst(session, path('A'), signal);
    console.log(
      `  snapshot A (first of the pair, parsed while streaming): ${(first.bytes / MB).toFixed(1)} MB file, ` +
        `${first.snapshot.nodeCount.toLocaleString('en-US')} nodes, ${first.snapshot.edgeCount.toLocaleString('en-US')} edges, ${s(first.ms)}`,
    );
    console.log(`  second snapshot of the pair, ${REPEATS}× alternating after one warm-up:`);
    console.log(runLine('warm-up', await measureA(session, path('B'), signal)));
    // Prepared while waiting, as `leaktop diff --pid` does: only B is left to group and sort after its last chunk.
    const preparedA = analyze(first.snapshot).diffInput(true);
    console.log(runLine('warm-up', await measureB(session, path('B'), signal, preparedA)));
    const runsA: Run[] = [];
    const runsB: Run[] = [];
    for (let k = 1; k <= REPEATS; k++) {
      const a = await measureA(session, path('B'), signal);
      runsA.push(a);
      console.log(runLine(`run ${k}`, a));
      const b = await measureB(session, path('B'), signal, preparedA);
      runsB.push(b);
      console.log(runLine(`run ${k}`, b));
    }
    const last = runsB[runsB.length - 1]!;
    const diff = last.diff!;
    const newObjects = diff.rows.reduce((sum, r) => sum + (r.new ?? 0), 0);
    const deleted = diff.rows.reduce((sum, r) => sum + (r.deleted ?? 0), 0);
    const top = diff.rows.slice(0, 3).map((r) => `${r.name} ${r.countDelta >= 0 ? '+' : ''}${r.countDelta} (${r.new} new)`).join(', ');
    console.log(`  diff (last run): ${diff.rows.length} changed groups, ${newObjects.toLocaleString('en-US')} new / ${deleted.toLocaleString('en-US')} freed objects since A; top: ${top}`);

    const medianA = summarize(runsA.map((r) => r.wallMs)).median;
    const medianB = summarize(runsB.map((r) => r.wallMs)).median;
    const medianCpuA = summarize(runsA.map((r) => r.cpuMs)).median;
    const medianCpuB = summarize(runsB.map((r) => r.cpuMs)).median;
    const medianTail = summarize(runsB.map((r) => r.endMs! + r.diffMs!)).median;
    const bytes = summarize(runsB.map((r) => r.bytes)).median;
    const ratio = medianB / medianA;
    console.log(`  median (a) V8 capture → file:            ${s(medianA)}   (${(bytes / MB / (medianA / 1000)).toFixed(0)} MB/s of snapshot; leaktop CPU ${s(medianCpuA)})`);
    console.log(`  median (b) leaktop capture → diff ready: ${s(medianB)}   (leaktop CPU ${s(medianCpuB)} = ${((medianCpuB / medianB) * 100).toFixed(0)} % of one core; ${medianTail.toFixed(0)} ms after the last chunk)`);
    console.log(`  → (b)/(a) = ${ratio.toFixed(2)}×   target ≤ ${TARGET_RATIO}× → ${verdict(ratio <= TARGET_RATIO)}`);

    await session.detach();
    setSession(undefined);
    const stillListening = session.openedByLeaktop ? ' (the inspector leaktop opened is closed; its port no longer listens)' : '';
    console.log(`  session detached${stillListening}`);
    return { targetMb, heapUsed: child.heapUsed, bytes, medianA, medianB, ratio, medianCpuB, seconds: (performance.now() - started) / 1000 };
  } finally {
    // On the error path: detach here (the signal path detaches in its own handler).
    await session.detach().catch(() => undefined);
    setSession(undefined);
    await stopAllOwned();
  }
}

// ── driver ──────────────────────────────────────────────────────────────────────────────────────────────────

async function main(): Promise<void> {
  const { values } = parseArgs({ args: process.argv.slice(2), options: { sizes: { type: 'string' } }, strict: true });
  const explicit = values.sizes !== undefined;
  const sizes = explicit ? values.sizes!.split(',').map((x) => Number(x.trim())) : DEFAULT_SIZES_MB;
  if (sizes.some((x) => !Number.isFinite(x) || x <= 0)) throw new Error(`--sizes: expected MB values like 50,150, got '${values.sizes}'`);

  const runStart = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'leaktop-bench-diff-latency-'));
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  const abort = new AbortController();
  let session: InspectorSession | undefined;
  const setSession = (next: InspectorSession | undefined) => (session = next);

  // Last resort (an uncaught exception, process.exit): 'exit' runs synchronously; the child goes, and with it its inspector.
  const killChildrenNow = () => {
    for (const pid of everOwnedPids()) if (isAlive(pid)) killPid(pid);
  };
  process.once('exit', () => {
    killChildrenNow();
    removeDir();
  });
  // A signal: stop writing (takeSnapshot deletes its partial file), close the inspector leaktop opened if the
  // target answers within 2 s (it cannot during a capture: V8 serializes synchronously), then kill the child.
  const codes: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      process.stderr.write(`\nbench: ${sig}: detaching, killing the child, removing ${dir}\n`);
      abort.abort(new Error(sig));
      const detach = session ? session.detach().catch(() => undefined) : Promise.resolve();
      void Promise.race([detach, new Promise((r) => setTimeout(r, 2000))]).finally(() => {
        killChildrenNow();
        removeDir();
        process.exit(codes[sig] ?? 1);
      });
    });
  }

  console.log('leaktop diff-latency benchmark: `leaktop diff --pid` (parse while streaming, then diff) vs V8 capture alone');
  console.log(`date:    ${new Date().toISOString()}`);
  console.log(`machine: ${cpus()[0]?.model.trim() ?? 'unknown CPU'}, ${cpus().length} CPUs, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM; node ${process.version} (bench and target)`);
  console.log(`target:  diff ready ≤ ${TARGET_RATIO}× V8's own capture time after the key press (medians of ${REPEATS}, gc:false in both)`);

  const results: SizeResult[] = [];
  try {
    for (const [i, targetMb] of sizes.entries()) {
      if (i > 0 && !explicit) {
        const elapsed = (performance.now() - runStart) / 1000;
        const prev = results[results.length - 1]!;
        const projected = elapsed + prev.seconds * (targetMb / prev.targetMb);
        if (projected > TIME_BUDGET_S) {
          console.log('');
          console.log(`── heap ~${targetMb} MB: skipped — projected run ${projected.toFixed(0)} s > ${TIME_BUDGET_S} s budget (run with --sizes ${targetMb})`);
          continue;
        }
      }
      results.push(await measureSize(targetMb, dir, abort.signal, setSession));
    }

    console.log('');
    console.log(`── summary (target ≤ ${TARGET_RATIO}×) ${'─'.repeat(80)}`);
    for (const r of results) {
      console.log(
        `  heap ${(r.heapUsed / MB).toFixed(0).padStart(4)} MB, file ${(r.bytes / MB).toFixed(0).padStart(4)} MB:  (a) ${s(r.medianA)}  (b) ${s(r.medianB)}  ` +
          `ratio ${r.ratio.toFixed(2)}× → ${verdict(r.ratio <= TARGET_RATIO)}   leaktop CPU in (b) ${s(r.medianCpuB)}`,
      );
    }
  } finally {
    if (session) await session.detach().catch(() => undefined);
    await stopAllOwnedAndReport(`${dir} removed`, removeDir);
  }
  console.log(`bench took ${((performance.now() - runStart) / 1000).toFixed(1)} s`);
}

if (process.argv[2] === '--child') {
  childMain(Number(process.argv[3]));
} else {
  main().catch((error: unknown) => {
    console.error(`bench failed: ${(error as Error)?.stack ?? String(error)}`);
    process.exitCode = 1;
  });
}
