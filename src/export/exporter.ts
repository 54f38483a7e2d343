import { availableParallelism } from 'node:os';
import { placeOf, type ExportTick, type ProcessFigures } from '../core/exported-metrics.js';
import { isUnavailable } from '../proc/read-file.js';
import { readMemoryCgroup } from '../proc/read-memory-cgroup.js';
import { readMeminfo } from '../proc/read-meminfo.js';
// Not ../proc/index.js: that also loads the host sampler's systeminformation, which serve never uses.
import { ProcessSampler } from '../proc/process-sampler.js';
import { MonitorStore, type TrackedProcess } from '../state/index.js';
import type { HeapSessions } from './heap-sessions.js';

/** The newest span the growth judgement looks at (its maxWindowMs default). */
const JUDGED_SPAN_MS = 120_000;

/** Options of `Exporter`. */
export interface ExporterOptions {
  intervalMs: number;
  /** Attach to every Node.js process for V8 heap figures. */
  heap: boolean;
  /** Leave command lines out of the labels. */
  redactCommand: boolean;
  /** Only these PIDs; every Node.js process when empty or undefined. */
  pids?: readonly number[];
  /** The growth judgement's minimum window, ms (its default when undefined). */
  growthWindowMs?: number;
  /** Where log lines go (stderr in serve). */
  log: (line: string) => void;
}

/**
 * The sampling side of `leaktop serve`: the same ProcessSampler and MonitorStore as `list`, `watch` and the monitor,
 * one tick at a time, turned into ExportTicks that the Prometheus, textfile and OTLP writers read. Opens nothing in
 * the processes unless `heap` (HeapSessions); `close` undoes what it opened.
 */
export class Exporter {
  readonly #sampler = new ProcessSampler();
  readonly #store: MonitorStore;
  /** With `heap`, from the first tick on: loaded then, so that serve without --heap never loads the inspector client. */
  #heap: HeapSessions | null = null;
  readonly #options: ExporterOptions;
  /** Each process instance's memory limit, read once (a cgroup and two small files), by key. */
  readonly #limits = new Map<string, number | null>();
  readonly #cpuCount = availableParallelism();
  #latest: ExportTick | null = null;
  /** `pids` as a set (a list of 300 was searched once per process per tick), or null for every process. */
  readonly #only: ReadonlySet<number> | null;

  constructor(options: ExporterOptions) {
    this.#options = options;
    this.#only = options.pids && options.pids.length > 0 ? new Set(options.pids) : null;
    // History for the judgement's window and no more: the monitor's default (10 minutes, 2400 samples a series,
    // allocated up front) is 70 MB of series with 300 processes; serve has no chart to draw from it.
    const retentionMs = Math.max(JUDGED_SPAN_MS, options.growthWindowMs ?? 0) + 2 * options.intervalMs;
    this.#store = new MonitorStore({
      intervalMs: options.intervalMs,
      retentionMs,
      historyCapacity: Math.ceil(retentionMs / options.intervalMs) + 2,
      judge: options.growthWindowMs === undefined ? {} : { minWindowMs: options.growthWindowMs },
    });
  }

  /** The newest tick; null before the first. */
  latest = (): ExportTick | null => this.#latest;

  /** Samples once and replaces the newest tick. */
  async tick(): Promise<ExportTick> {
    if (this.#options.heap && !this.#heap) this.#heap = new (await import('./heap-sessions.js')).HeapSessions(this.#store, this.#options.log);
    const sampled = this.#sampler.sample();
    const only = this.#only;
    const harvest = only === null ? sampled : { sampledAtMs: sampled.sampledAtMs, processes: sampled.processes.filter((p) => only.has(p.pid)) };
    const heap = this.#heap ? await this.#heap.read() : undefined;
    this.#store.ingestProcesses(harvest, undefined, heap);
    const processes = this.#store.getState().processes;
    this.#heap?.follow(processes);
    const live = new Set(processes.map((p) => p.key));
    for (const key of this.#limits.keys()) if (!live.has(key)) this.#limits.delete(key);
    this.#latest = { atMs: harvest.sampledAtMs, processes: processes.map((tracked) => this.#figures(tracked, heap?.get(tracked.key)?.totalBytes ?? null)) };
    return this.#latest;
  }

  /** One process's figures; `heapTotalBytes` from this tick's heap reading, null without one. */
  #figures(tracked: TrackedProcess, heapTotalBytes: number | null): ProcessFigures {
    const s = tracked.sample;
    const heapUsed = tracked.heapUsedBytes.last();
    return {
      pid: s.pid,
      command: this.#options.redactCommand ? null : s.command,
      place: placeOf(s),
      rssBytes: s.rssBytes,
      cpuUtilization: s.cpuPercent === null ? null : s.cpuPercent / 100 / this.#cpuCount,
      growth: { rss: tracked.growth.rates.rss, heapFloor: tracked.growth.rates.heapFloor, external: tracked.growth.rates.external, native: tracked.growth.rates.native },
      verdict: tracked.growth.kind,
      growthHolds: tracked.growth.holds,
      limitBytes: this.#limitOf(tracked),
      heapUsedBytes: heapUsed === undefined || Number.isNaN(heapUsed) ? null : heapUsed,
      heapTotalBytes,
    };
  }

  #limitOf(tracked: TrackedProcess): number | null {
    if (!this.#limits.has(tracked.key)) {
      const cgroup = readMemoryCgroup(tracked.sample.pid);
      const cgroupLimit = cgroup === null || isUnavailable(cgroup) ? null : (cgroup.tightest?.limitBytes ?? null);
      const host = cgroupLimit === null ? readMeminfo() : null;
      this.#limits.set(tracked.key, cgroupLimit ?? (host === null || isUnavailable(host) ? null : host.memTotalBytes));
    }
    return this.#limits.get(tracked.key) ?? null;
  }

  /** Detaches every heap session (closing the inspectors leaktop opened) and closes the held /proc files. */
  async close(): Promise<void> {
    this.#sampler.close();
    await this.#heap?.close();
  }
}
