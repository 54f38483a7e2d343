/**
 * The process tracker: what `leaktop` (the TUI's store), `list`, `watch` and `serve` know of each Node process
 * between ticks — its series, keyed by PID@start so that a reused PID starts afresh, the marks of what leaktop did
 * to it, the growth judgement (core/growth/judge-growth.ts) and what the GROWTH column shows of it, and the rows of
 * its worker threads. Pure apart from the time passed in: no I/O, no clock of its own.
 *
 * Judging is the costly part (0.2–0.4 ms a process: Theil–Sen fits over the two-minute window), and a judgement
 * over two minutes moves little from one tick to the next. So a process without a heap reading this tick is judged
 * again once every `rejudgeMs` (1/24 of the window, 5 s by default), each at its own phase so that the work spreads
 * over the ticks — also while its GROWTH cell counts down the wait: between judgements the wait counts down from
 * what the last one said, and a wait that has run out is judged at once. An attached process (its heap read this
 * tick), a worker thread's row and a process whose marks changed are judged on every tick.
 */
import { judgeGrowth, type ActionMark, type GrowthJudgement, type JudgeOptions, type MemoryReading } from '../core/growth/judge-growth.js';
import { shownGrowth, type ShownGrowth } from '../core/growth/shown-growth.js';
import { SeriesGroup, TimeSeries } from '../core/time-series.js';
import type { ProcessHarvest, ProcessSample } from '../proc/index.js';

/** Heap figures of an attached process, from its inspector session, in one tick. */
export interface HeapReading {
  usedBytes: number;
  totalBytes: number;
  /** `process.memoryUsage()` of the target, bytes. */
  memory?: { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
  /** `v8.getHeapSpaceStatistics()`, bytes. */
  spaces?: ReadonlyArray<{ name: string; sizeBytes: number; usedBytes: number; availableBytes: number }>;
  /** Sum of the worker threads' heapUsed, bytes, when their heaps were read: the growth judgement counts them. */
  workersHeapUsedBytes?: number;
}

/** A process instance the tracker follows, with its history. */
export interface TrackedProcess {
  /** `PID@startTimeTicks`: a PID reused by a new process gets a new key, hence a fresh history. */
  key: string;
  /** The newest sample. */
  sample: ProcessSample;
  rssBytes: TimeSeries;
  cpuPercent: TimeSeries;
  /** V8 heap used, once an inspector session reports it; NaN until then. */
  heapUsedBytes: TimeSeries;
  /** `process.memoryUsage()` external and arrayBuffers, and the workers' summed heapUsed, when read; NaN otherwise. */
  externalBytes: TimeSeries;
  arrayBuffersBytes: TimeSeries;
  workersHeapUsedBytes: TimeSeries;
  /** V8's old space used (from the heap spaces), when read; NaN otherwise: its falls are the full GCs. */
  oldSpaceUsedBytes: TimeSeries;
  /** The committed heap (heapTotal), when read; NaN otherwise. */
  heapTotalBytes: TimeSeries;
  /** What leaktop did to it (attach, snapshot, gc, sampling, trim, …) within the retention, oldest first. */
  marks: readonly ActionMark[];
  /** The growth judgement over the history and the marks (core/growth/judge-growth.ts). */
  growth: GrowthJudgement;
  /**
   * What GROWTH and LEAK? show of `growth` (core/growth/shown-growth.ts), derived once when it is judged: the
   * table's cells, its colour, the sort and `list`/`watch`'s `growthBytesPerMin` read it.
   */
  shownGrowth: ShownGrowth;
  /** When leaktop first saw it, epoch ms. */
  firstSeenAtMs: number;
  /**
   * Set on the row of a worker thread (issue 15): it shares its process's `sample`, `rssBytes` and `cpuPercent`;
   * `heapUsedBytes` is the worker's own isolate, and its growth is that heap's (a worker has no RSS).
   */
  thread?: WorkerRow;
}

/** What a worker thread's row is of. */
export interface WorkerRow {
  /** `worker_threads.threadId`. */
  threadId: number;
  /** The name given to `new Worker`; '' when none. */
  name: string;
  /** Its script (`file:///…`); '' for an eval worker. */
  url: string;
  /** The key of its process. */
  processKey: string;
}

/** The key of a worker thread's row: its process's key and `/tTHREADID`. */
export function threadKey(processKey: string, threadId: number): string {
  return `${processKey}/t${threadId}`;
}

/** The key of the process a row is of: its own for a process row, its process's for a worker thread's. */
export function processKeyOf(key: string): string {
  const slash = key.indexOf('/t');
  return slash < 0 ? key : key.slice(0, slash);
}

/** Options of `ProcessTracker`. */
export interface TrackerOptions {
  /** History older than this is dropped. @default 600_000 (10 minutes) */
  retentionMs?: number;
  /** Samples kept per series at most, whatever the interval. @default 2400 */
  historyCapacity?: number;
  /** Options of the growth judgement (`--growth-window` sets `minWindowMs`). */
  judge?: JudgeOptions;
  /**
   * How often a process with no heap reading is judged again, ms; 0 judges every process on every tick.
   * @default 1/24 of the judged window (5 s for the default two minutes)
   */
  rejudgeMs?: number;
}

/** When a process was last judged, over which marks, and its phase in the rejudge period. */
interface JudgedAt {
  /** Null until its first judgement. */
  atMs: number | null;
  marks: readonly ActionMark[];
  phaseMs: number;
  /** The wait that judgement showed (GROWTH's countdown), ms, or null. */
  waitMs: number | null;
}

/**
 * The readings of a process's judged window, oldest first: those of its samples `next - readings.length` to
 * `next - 1` (numbered as `TimeSeries.pushed` counts them). A sample does not change once its tick is over, so
 * neither does its reading: the next judgement drops the ones that left the window and adds the new ones.
 */
interface JudgedWindow {
  readings: MemoryReading[];
  next: number;
}

/** Golden-ratio steps spread consecutive processes' phases evenly over the rejudge period. */
const PHASE_STEP = 0.618_033_988_75;

export class ProcessTracker {
  readonly #retentionMs: number;
  readonly #capacity: number;
  readonly #judge: JudgeOptions;
  /** The newest span the judgement reads: its max window, or its min window when that is longer. */
  readonly #judgedSpanMs: number;
  readonly #rejudgeMs: number;
  readonly #byKey = new Map<string, TrackedProcess>();
  readonly #judged = new Map<string, JudgedAt>();
  /** The series of each process row, sampled together: they share one ring of times. */
  readonly #groups = new Map<string, SeriesGroup>();
  /** The readings each process row was last judged on, extended at its next judgement rather than made afresh. */
  readonly #readings = new Map<string, JudgedWindow>();
  #processes: readonly TrackedProcess[] = [];
  #threads: ReadonlyMap<string, readonly TrackedProcess[]> | undefined = undefined;
  /** Rows created so far: each new one takes the next phase. */
  #created = 0;

  constructor(options: TrackerOptions = {}) {
    this.#retentionMs = options.retentionMs ?? 600_000;
    this.#capacity = options.historyCapacity ?? 2400;
    this.#judge = options.judge ?? {};
    this.#judgedSpanMs = Math.max(this.#judge.maxWindowMs ?? 120_000, this.#judge.minWindowMs ?? 0);
    this.#rejudgeMs = options.rejudgeMs ?? this.#judgedSpanMs / 24;
  }

  /** The processes of the last tick, in the harvest's order. */
  get processes(): readonly TrackedProcess[] {
    return this.#processes;
  }

  /** The worker threads of attached processes, by process key, each a row under its process (threadId order). */
  get threads(): ReadonlyMap<string, readonly TrackedProcess[]> | undefined {
    return this.#threads;
  }

  /** The process row with this key (not a worker thread's), or undefined. */
  get(key: string): TrackedProcess | undefined {
    return this.#byKey.get(key);
  }

  /**
   * Takes in one tick: updates known processes, adds new ones, drops the ones that exited; `heap` holds this tick's
   * heap readings of attached processes and worker threads, by row key. Every row is a new object afterwards (so
   * that memoized views re-render); the series inside are shared and grow in place.
   */
  ingest(harvest: ProcessHarvest, heap?: ReadonlyMap<string, HeapReading>): void {
    const now = harvest.sampledAtMs;
    const oldest = now - this.#retentionMs;
    const next: TrackedProcess[] = [];
    const live = new Set<string>();
    for (const sample of harvest.processes) {
      const key = `${sample.pid}@${sample.startTimeTicks}`;
      live.add(key);
      let tracked = this.#byKey.get(key);
      if (!tracked) {
        const group = new SeriesGroup(this.#capacity, 8);
        this.#groups.set(key, group);
        tracked = this.#newRow(key, sample, now, group.series);
        this.#byKey.set(key, tracked);
        // Each new process takes the next phase of the rejudge period; its first tick judges it.
        this.#judged.set(key, { atMs: null, marks: [], phaseMs: ((this.#created++ * PHASE_STEP) % 1) * this.#rejudgeMs, waitMs: null });
      }
      // One time for all of the row's series (they share it), then each one's value.
      const group = this.#groups.get(key)!;
      group.push(now);
      tracked.rssBytes.setNewest(sample.rssBytes);
      tracked.cpuPercent.setNewest(sample.cpuPercent ?? Number.NaN);
      // Without a session this tick the heap is a gap, so the heap chart starts (and stops) where data does.
      const reading = heap?.get(key);
      tracked.heapUsedBytes.setNewest(reading ? reading.usedBytes : Number.NaN);
      tracked.externalBytes.setNewest(reading?.memory?.external ?? Number.NaN);
      tracked.arrayBuffersBytes.setNewest(reading?.memory?.arrayBuffers ?? Number.NaN);
      tracked.workersHeapUsedBytes.setNewest(reading?.workersHeapUsedBytes ?? this.#workersHeap(key, heap));
      tracked.oldSpaceUsedBytes.setNewest(oldSpaceOf(reading));
      tracked.heapTotalBytes.setNewest(reading ? reading.totalBytes : Number.NaN);
      group.pruneBefore(oldest);
      const marks = tracked.marks.length > 0 && tracked.marks[0]!.atMs < oldest ? tracked.marks.filter((m) => (m.untilMs ?? m.atMs) >= oldest) : tracked.marks;
      let { growth, shownGrowth: shown } = tracked;
      if (this.#due(key, marks, now, reading !== undefined)) {
        let window = this.#readings.get(key);
        if (!window) this.#readings.set(key, (window = { readings: [], next: 0 }));
        growth = judgeGrowth(memoryReadings(tracked, now - this.#judgedSpanMs, window), marks, this.#judge, sample.startTimeMs);
        shown = shownGrowth(growth);
        this.#judged.set(key, { atMs: now, marks, phaseMs: this.#judged.get(key)!.phaseMs, waitMs: shown.waitMs });
      } else if (shown.waitMs !== null) {
        // Between judgements GROWTH's wait counts down from what the last one said, without judging again.
        const last = this.#judged.get(key)!;
        shown = { ...shown, waitMs: Math.max(0, last.waitMs! - (now - last.atMs!)) };
      }
      const updated = processRow(tracked, sample, marks, growth, shown);
      this.#byKey.set(key, updated);
      next.push(updated);
    }
    for (const key of this.#byKey.keys()) {
      if (live.has(key)) continue;
      this.#byKey.delete(key);
      this.#judged.delete(key);
      this.#groups.delete(key);
      this.#readings.delete(key);
    }
    this.#processes = next;
    this.#threads = this.#ingestThreads(now, live, heap);
  }

  /**
   * Is the process's judgement to be redone this tick? Always with a heap reading (attached: its heap floor is what
   * the user watches), after its marks changed (a mark is judged from the next tick on), and when the wait GROWTH
   * showed has run out. Otherwise once per rejudge period, at the process's own phase in it — also while the wait
   * counts down (in the first minute every process waits: judging each on every tick was a quarter of the
   * monitor's work then, issue 18).
   */
  #due(key: string, marks: readonly ActionMark[], now: number, attached: boolean): boolean {
    const last = this.#judged.get(key);
    if (!last || last.atMs === null || attached || marks !== last.marks || this.#rejudgeMs <= 0) return true;
    if (last.waitMs !== null && now - last.atMs >= last.waitMs) return true;
    return Math.floor((now + last.phaseMs) / this.#rejudgeMs) !== Math.floor((last.atMs + last.phaseMs) / this.#rejudgeMs);
  }

  /**
   * The sum of a process's worker heaps this tick, from its worker rows' readings, so the process's own judgement
   * counts them (a worker's leak is heap growth, not native); a gap unless every worker row has a reading (one
   * missing would read as a fall).
   */
  #workersHeap(processKey: string, heap: ReadonlyMap<string, HeapReading> | undefined): number {
    const rows = this.#threads?.get(processKey);
    if (!heap || !rows || rows.length === 0) return Number.NaN;
    let sum = 0;
    for (const row of rows) {
      const reading = heap.get(row.key);
      if (!reading) return Number.NaN;
      sum += reading.usedBytes;
    }
    return sum;
  }

  /**
   * The worker rows after a tick: each gets its heap reading (a gap without one), rows of exited processes go. A
   * worker row exists only while its process is attached, so it is judged on every tick.
   */
  #ingestThreads(now: number, live: ReadonlySet<string>, heap: ReadonlyMap<string, HeapReading> | undefined): ReadonlyMap<string, readonly TrackedProcess[]> | undefined {
    const current = this.#threads;
    if (!current || current.size === 0) return current;
    const next = new Map<string, readonly TrackedProcess[]>();
    for (const [processKey, rows] of current) {
      const parent = this.#byKey.get(processKey);
      if (!live.has(processKey) || !parent) continue;
      next.set(
        processKey,
        rows.map((row) => {
          const reading = heap?.get(row.key);
          row.heapUsedBytes.push(now, reading ? reading.usedBytes : Number.NaN);
          row.heapUsedBytes.pruneBefore(now - this.#retentionMs);
          row.oldSpaceUsedBytes.push(now, oldSpaceOf(reading));
          row.oldSpaceUsedBytes.pruneBefore(now - this.#retentionMs);
          // A worker has no RSS of its own: its judgement is of its isolate's heap alone, under its process's marks.
          const growth = judgeGrowth(isolateReadings(row, now - this.#judgedSpanMs), parent.marks, this.#judge);
          return { ...row, sample: parent.sample, rssBytes: parent.rssBytes, cpuPercent: parent.cpuPercent, growth, shownGrowth: shownGrowth(growth) };
        }),
      );
    }
    return next;
  }

  /**
   * A row with empty histories, as first seen: a process row's series are its group's eight (pushed together); a
   * worker row's, series of their own (only its heap and old space are pushed, on its own ticks).
   */
  #newRow(key: string, sample: ProcessSample, firstSeenAtMs: number, grouped?: readonly TimeSeries[]): TrackedProcess {
    const s = grouped ?? Array.from({ length: 8 }, () => new TimeSeries(this.#capacity));
    const growth = judgeGrowth([], [], this.#judge);
    return {
      key,
      sample,
      rssBytes: s[0]!,
      cpuPercent: s[1]!,
      heapUsedBytes: s[2]!,
      externalBytes: s[3]!,
      arrayBuffersBytes: s[4]!,
      workersHeapUsedBytes: s[5]!,
      oldSpaceUsedBytes: s[6]!,
      heapTotalBytes: s[7]!,
      marks: [],
      growth,
      shownGrowth: shownGrowth(growth),
      firstSeenAtMs,
    };
  }

  /**
   * The worker threads of an attached process, as its session lists them now: rows of threads already known keep
   * their heap history; an empty list removes them all (detached). `nowMs` is when a new row is first seen. False
   * when nothing changed (no rows to remove).
   */
  setThreads(processKey: string, workers: ReadonlyArray<Omit<WorkerRow, 'processKey'>>, nowMs: number): boolean {
    const parent = this.#byKey.get(processKey);
    const threads = new Map(this.#threads ?? []);
    if (!parent || workers.length === 0) {
      if (!threads.delete(processKey)) return false;
      this.#threads = threads;
      return true;
    }
    const known = new Map((threads.get(processKey) ?? []).map((row) => [row.key, row]));
    const rows = [...workers]
      .sort((a, b) => a.threadId - b.threadId)
      .map((worker): TrackedProcess => {
        const key = threadKey(processKey, worker.threadId);
        const thread = { ...worker, processKey };
        const existing = known.get(key);
        if (existing) return { ...existing, thread };
        // A worker shares its process's sample, RSS and CPU; its heap series are its own isolate's.
        return { ...this.#newRow(key, parent.sample, nowMs), rssBytes: parent.rssBytes, cpuPercent: parent.cpuPercent, thread };
      });
    threads.set(processKey, rows);
    this.#threads = threads;
    return true;
  }

  /**
   * Records something leaktop does to a process (attach, snapshot, gc, sampling, trim) at `atMs`: it moves the
   * process's memory by itself, and the growth judgement leaves it out. `untilMs`: Infinity while it runs
   * (`endAction` ends it), absent for a moment. Judged from the next tick on. False for a process not tracked.
   */
  markAction(key: string, action: string, atMs: number, untilMs?: number): boolean {
    const tracked = this.#byKey.get(key);
    if (!tracked) return false;
    const mark: ActionMark = { atMs, action, ...(untilMs === undefined ? {} : { untilMs }) };
    this.#replace({ ...tracked, marks: [...tracked.marks, mark] });
    return true;
  }

  /** Ends the newest running mark of `action` on the process at `atMs` (see `markAction`); false when none runs. */
  endAction(key: string, action: string, atMs: number): boolean {
    const tracked = this.#byKey.get(key);
    const index = tracked ? tracked.marks.findLastIndex((m) => m.action === action && m.untilMs === Infinity) : -1;
    if (!tracked || index < 0) return false;
    this.#replace({ ...tracked, marks: tracked.marks.map((m, i) => (i === index ? { ...m, untilMs: atMs } : m)) });
    return true;
  }

  #replace(updated: TrackedProcess): void {
    this.#byKey.set(updated.key, updated);
    this.#processes = this.#processes.map((p) => (p.key === updated.key ? updated : p));
  }
}

/**
 * A process row with this tick's sample, marks and judgement, its series shared. Written out rather than spread
 * (`{ ...row, sample, marks }`): a spread that overrides fields of a 14-field object takes V8's slow path, and it
 * was a third of the tracker's own time a tick. The fields and their order are `#newRow`'s.
 */
function processRow(row: TrackedProcess, sample: ProcessSample, marks: readonly ActionMark[], growth: GrowthJudgement, shown: ShownGrowth): TrackedProcess {
  return {
    key: row.key,
    sample,
    rssBytes: row.rssBytes,
    cpuPercent: row.cpuPercent,
    heapUsedBytes: row.heapUsedBytes,
    externalBytes: row.externalBytes,
    arrayBuffersBytes: row.arrayBuffersBytes,
    workersHeapUsedBytes: row.workersHeapUsedBytes,
    oldSpaceUsedBytes: row.oldSpaceUsedBytes,
    heapTotalBytes: row.heapTotalBytes,
    marks,
    growth,
    shownGrowth: shown,
    firstSeenAtMs: row.firstSeenAtMs,
  };
}

function oldSpaceOf(reading: HeapReading | undefined): number {
  return reading?.spaces?.find((sp) => sp.name === 'old_space')?.usedBytes ?? Number.NaN;
}

/**
 * The readings of a process since `sinceMs`, as the growth judgement takes them (a NaN figure is unknown): `window`
 * (kept from its last judgement) brought up to date and returned. Only the window is read out of the rings (the
 * retention holds five times more), in place; the readings already made are kept, so a judgement makes those of the
 * samples since the last one only (at a 1 s interval, 5 of the 120 of two minutes), where it made all of them.
 */
function memoryReadings(tracked: TrackedProcess, sinceMs: number, window: JudgedWindow): MemoryReading[] {
  const rssBytes = tracked.rssBytes;
  const count = rssBytes.countSince(sinceMs);
  const first = rssBytes.pushed - count;
  const { readings } = window;
  const keptFrom = window.next - readings.length;
  // The readings of samples before the window go; kept ones must be a run ending where the new ones begin.
  if (keptFrom > first || window.next < first || window.next > rssBytes.pushed) readings.length = 0;
  else readings.splice(0, first - keptFrom);
  const from = readings.length === 0 ? first : window.next;
  if (from < rssBytes.pushed) readings.push(...newReadings(tracked, count - (from - first), count));
  window.next = rssBytes.pushed;
  return readings;
}

/** The readings of the newest `n` of the newest `count` samples (so from sample `count - n` of them). */
function newReadings(tracked: TrackedProcess, n: number, count: number): MemoryReading[] {
  // A series of gaps only (the heap figures of a process never attached) is not read at all.
  const read = (series: TimeSeries) => (series.onlyGaps ? null : series);
  const heap = read(tracked.heapUsedBytes);
  const external = read(tracked.externalBytes);
  const arrayBuffers = read(tracked.arrayBuffersBytes);
  const workers = read(tracked.workersHeapUsedBytes);
  const oldSpace = read(tracked.oldSpaceUsedBytes);
  const heapTotal = read(tracked.heapTotalBytes);
  const readings = new Array<MemoryReading>(n);
  for (let k = 0; k < n; k++) {
    const i = count - n + k;
    const reading: MemoryReading = { atMs: tracked.rssBytes.timeAt(tracked.rssBytes.length - count + i), rssBytes: newest(tracked.rssBytes, count, i) };
    const h = newest(heap, count, i);
    const e = newest(external, count, i);
    const a = newest(arrayBuffers, count, i);
    const w = newest(workers, count, i);
    const old = newest(oldSpace, count, i);
    const total = newest(heapTotal, count, i);
    if (Number.isFinite(h)) reading.heapUsedBytes = h;
    if (Number.isFinite(e)) reading.externalBytes = e;
    if (Number.isFinite(a)) reading.arrayBuffersBytes = a;
    if (Number.isFinite(w)) reading.workersHeapUsedBytes = w;
    if (Number.isFinite(old)) reading.oldSpaceUsedBytes = old;
    if (Number.isFinite(total)) reading.heapTotalBytes = total;
    readings[k] = reading;
  }
  return readings;
}

/** The `i`th of the newest `count` values of a series (NaN for a gap, or for no series). */
function newest(series: TimeSeries | null, count: number, i: number): number {
  return series === null ? Number.NaN : series.valueAt(series.length - count + i);
}

/**
 * The readings of a worker thread's isolate: its heap, standing in for the RSS a thread does not have (so that no
 * growth of it can read as native memory), and its old space.
 */
function isolateReadings(row: TrackedProcess, sinceMs: number): MemoryReading[] {
  const count = row.heapUsedBytes.countSince(sinceMs);
  const times = row.heapUsedBytes.times(count);
  const heap = row.heapUsedBytes.values(count);
  const oldSpace = row.oldSpaceUsedBytes.values(count);
  const readings: MemoryReading[] = [];
  for (let i = 0; i < times.length; i++) {
    const used = heap[i]!;
    if (!Number.isFinite(used)) continue;
    const reading: MemoryReading = { atMs: times[i]!, rssBytes: used, heapUsedBytes: used };
    if (Number.isFinite(oldSpace[i]!)) reading.oldSpaceUsedBytes = oldSpace[i]!;
    readings.push(reading);
  }
  return readings;
}
