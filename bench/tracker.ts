/**
 * What the monitor's store costs per tick, apart from /proc and drawing: taking in one harvest of N processes
 * (series, growth judgement, PID@start keys), with ten minutes of history behind it, as the TUI holds after
 * running a while. CPU time of this thread, back to back over rounds of ticks; a few processes attached (heap
 * readings with a GC sawtooth), the rest RSS only, some of them growing.
 *
 *   node dist/bench/tracker.js [--procs 50,300] [--rounds 7] [--ticks 60] [--attached 2] [--history 600]
 *
 * `--history 20` is the monitor's first minute, when every process's GROWTH cell still counts down the wait and is
 * judged on every tick. Besides the CPU, the bytes the ticks allocate on the JS heap (from V8's GC statistics, so
 * typed arrays' contents are not in them) and the store's heap after a full GC when run with `--expose-gc`.
 *
 * Uses only `MonitorStore`'s public API, so the same file runs against an older build for a before/after.
 */
import { parseArgs } from 'node:util';
import v8 from 'node:v8';
import { MonitorStore, type HeapReading } from '../src/state/index.js';
import { fakeSample } from '../test/helpers/process-sample.js';
import { summarize } from './helpers/stats.js';

const INTERVAL_MS = 1000;

/** A deterministic wobble in [0, 1) from two integers: a sampled figure never sits exactly still. */
const wobble = (a: number, b: number) => (((a * 7919 + b * 104_729) % 1000) + 1000) % 1000 / 1000;

function harvest(tick: number, procs: number) {
  return {
    sampledAtMs: tick * INTERVAL_MS,
    processes: Array.from({ length: procs }, (_, p) => {
      const pid = 1000 + p;
      // One in ten grows 0.5 MB a second; the others hold their level within a few MB.
      const rss = 60e6 + p * 1e6 + (p % 10 === 0 ? tick * 0.5e6 : 0) + wobble(tick, p) * 4e6;
      return fakeSample(pid, rss, { cpuPercent: p % 7 });
    }),
  };
}

/** Heap readings for the first `attached` processes: a sawtooth with a GC every 8 ticks. */
function heapReadings(tick: number, attached: number): Map<string, HeapReading> {
  const readings = new Map<string, HeapReading>();
  for (let p = 0; p < attached; p++) {
    const pid = 1000 + p;
    const used = 20e6 + (tick % 8) * 2e6 + wobble(tick, p) * 1e5 + (p === 0 ? tick * 0.2e6 : 0);
    readings.set(`${pid}@${pid}`, {
      usedBytes: used,
      totalBytes: used * 1.5,
      memory: { rss: 80e6, heapTotal: used * 1.5, heapUsed: used, external: 2e6, arrayBuffers: 1e5 },
      spaces: [{ name: 'old_space', sizeBytes: used, usedBytes: used * 0.8, availableBytes: 0 }],
    });
  }
  return readings;
}

function cpuMs(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
}

/**
 * Bytes allocated on the JS heap while `work` runs: the heap's growth between GCs plus what each GC found in use
 * when it started, from the GC profiler's before/after figures.
 */
function allocatedBytes(work: () => void): number {
  const profiler = new v8.GCProfiler();
  profiler.start();
  const startUsed = v8.getHeapStatistics().used_heap_size;
  work();
  const endUsed = v8.getHeapStatistics().used_heap_size;
  let allocated = 0;
  let since = startUsed;
  for (const gc of profiler.stop().statistics) {
    allocated += gc.beforeGC.heapStatistics.usedHeapSize - since;
    since = gc.afterGC.heapStatistics.usedHeapSize;
  }
  return allocated + endUsed - since;
}

/** The JS heap in use after a full GC (external memory too: typed arrays' contents), or null without --expose-gc. */
function retainedBytes(): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) return null;
  gc();
  const { used_heap_size, external_memory } = v8.getHeapStatistics() as v8.HeapInfo & { external_memory: number };
  return used_heap_size + external_memory;
}

function run(procs: number, rounds: number, ticks: number, attached: number, history: number): { cpu: number[]; allocated: number[]; retained: number | null } {
  const before = retainedBytes();
  const store = new MonitorStore({ intervalMs: INTERVAL_MS });
  let tick = 0;
  for (; tick < history; tick++) store.ingestProcesses(harvest(tick, procs), undefined, heapReadings(tick, attached));
  const retained = before === null ? null : retainedBytes()! - before;
  const cpu: number[] = [];
  const allocated: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // The harvests are built outside the timed part: the sampler's work is not the store's. In the first minute,
    // each round starts again from `history` ticks, so that it measures that state and not a later one.
    const first = history < 60 ? history : tick;
    const timed = history < 60 ? new MonitorStore({ intervalMs: INTERVAL_MS }) : store;
    if (history < 60) for (let t = 0; t < history; t++) timed.ingestProcesses(harvest(t, procs), undefined, heapReadings(t, attached));
    const count = history < 60 ? Math.min(ticks, 60 - history) : ticks;
    const inputs = Array.from({ length: count }, (_, i) => [harvest(first + i, procs), heapReadings(first + i, attached)] as const);
    let cpuSpent = 0;
    allocated.push(allocatedBytes(() => {
      const start = cpuMs();
      for (const [h, heap] of inputs) timed.ingestProcesses(h, undefined, heap);
      cpuSpent = cpuMs() - start;
    }) / count);
    cpu.push(cpuSpent / count);
    if (history >= 60) tick += ticks;
  }
  return { cpu, allocated, retained };
}

function main(): void {
  const { values } = parseArgs({ options: { procs: { type: 'string', default: '50,300' }, rounds: { type: 'string', default: '7' }, ticks: { type: 'string', default: '60' }, attached: { type: 'string', default: '2' }, history: { type: 'string', default: '600' } } });
  const history = Number(values.history);
  const rounds = Number(values.rounds);
  const ticks = Number(values.ticks);
  const attached = Number(values.attached);
  console.log(`leaktop store per tick: CPU ms of one ingest, ${history} ticks of history, ${attached} attached; ${rounds} rounds of ${ticks} ticks`);
  for (const procs of values.procs.split(',').map(Number)) {
    const { cpu, allocated, retained } = run(procs, rounds, ticks, attached, history);
    const s = summarize(cpu);
    const a = summarize(allocated.map((bytes) => bytes / 1e6));
    const held = retained === null ? '' : `; the store holds ${(retained / 1e6).toFixed(1)} MB after the history`;
    console.log(`  ${String(procs).padStart(4)} processes: median ${s.median.toFixed(2)} ms per tick (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)}); allocated ${a.median.toFixed(2)} MB per tick (min ${a.min.toFixed(2)}, max ${a.max.toFixed(2)})${held}`);
  }
}

main();
