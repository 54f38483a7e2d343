/**
 * What the monitor's store costs per tick, apart from /proc and drawing: taking in one harvest of N processes
 * (series, growth judgement, PID@start keys), with ten minutes of history behind it, as the TUI holds after
 * running a while. CPU time of this thread, back to back over rounds of ticks; a few processes attached (heap
 * readings with a GC sawtooth), the rest RSS only, some of them growing.
 *
 *   node dist/bench/tracker.js [--procs 50,300] [--rounds 7] [--ticks 60] [--attached 2]
 *
 * Uses only `MonitorStore`'s public API, so the same file runs against an older build for a before/after.
 */
import { parseArgs } from 'node:util';
import { MonitorStore, type HeapReading } from '../src/state/index.js';
import { fakeSample } from '../test/helpers/process-sample.js';
import { summarize } from './helpers/stats.js';

const HISTORY_TICKS = 600;
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

function run(procs: number, rounds: number, ticks: number, attached: number): number[] {
  const store = new MonitorStore({ intervalMs: INTERVAL_MS });
  let tick = 0;
  for (; tick < HISTORY_TICKS; tick++) store.ingestProcesses(harvest(tick, procs), undefined, heapReadings(tick, attached));
  const perTick: number[] = [];
  for (let r = 0; r < rounds; r++) {
    // The harvests are built outside the timed part: the sampler's work is not the store's.
    const inputs = Array.from({ length: ticks }, (_, i) => [harvest(tick + i, procs), heapReadings(tick + i, attached)] as const);
    const before = cpuMs();
    for (const [h, heap] of inputs) store.ingestProcesses(h, undefined, heap);
    perTick.push((cpuMs() - before) / ticks);
    tick += ticks;
  }
  return perTick;
}

function main(): void {
  const { values } = parseArgs({ options: { procs: { type: 'string', default: '50,300' }, rounds: { type: 'string', default: '7' }, ticks: { type: 'string', default: '60' }, attached: { type: 'string', default: '2' } } });
  const rounds = Number(values.rounds);
  const ticks = Number(values.ticks);
  const attached = Number(values.attached);
  console.log(`leaktop store per tick: CPU ms of one ingest, ${HISTORY_TICKS} ticks of history, ${attached} attached; ${rounds} rounds of ${ticks} ticks`);
  for (const procs of values.procs.split(',').map(Number)) {
    const s = summarize(run(procs, rounds, ticks, attached));
    console.log(`  ${String(procs).padStart(4)} processes: median ${s.median.toFixed(2)} ms per tick (min ${s.min.toFixed(2)}, max ${s.max.toFixed(2)})`);
  }
}

main();
