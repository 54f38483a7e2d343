import { growthPerMinute } from '../core/growth.js';
import { judgeGrowth, type ActionMark, type GrowthJudgement, type JudgeOptions, type MemoryReading } from '../core/growth/judge-growth.js';
import { TimeSeries } from '../core/time-series.js';
import type { HostSample, ProcessHarvest, ProcessSample } from '../proc/index.js';
import type { SnapshotDiff } from '../core/snapshot/diff-snapshots.js';
import type { SamplingProfile } from '../core/alloc/sampling-profile.js';
import type { LeakCandidate } from '../core/snapshot/leak-candidates.js';
import type { ObjectRow } from '../core/snapshot/retained.js';
import type { PathJson } from '../core/snapshot/retainer-paths.js';
import type { OpenInspector } from '../inspector/scan-inspectors.js';
import type { Room } from '../core/snapshot/snapshot-room.js';
import type { ObservedSnapshotPeak } from '../core/snapshot/snapshot-cost.js';
import type { WhyProgress, WhyResult } from '../core/why/why-report.js';
import type { CaptureStep } from '../core/capture-step.js';
import type { LeakStage } from '../tasks/leak-check.js';

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

/** An inspector session leaktop holds (or is opening or closing) on a process. */
export interface Attachment {
  /** The TrackedProcess key. */
  key: string;
  pid: number;
  phase: 'attaching' | 'attached' | 'detaching';
  /** 127.0.0.1 port of the inspector; null while attaching. */
  port: number | null;
  /** leaktop opened it (and will close it); false for an inspector that was already listening. */
  openedByLeaktop: boolean;
  nodeVersion: string | null;
  /** The newest heap figures. */
  heap: HeapReading | null;
  /** The last forced GC, or the one running (`running: true`). */
  gc: { running: boolean; heapUsedBeforeBytes?: number; heapUsedAfterBytes?: number; durationMs?: number } | null;
  /** A snapshot being taken (the process is frozen meanwhile), or null. */
  capture?: Capture | null;
  /** Snapshots taken in this session, oldest first; `id` names the parsed snapshot the controller keeps (the last two). */
  snapshots?: ReadonlyArray<{ id: string; path: string; bytes: number; takenAtMs: number }>;
  /** What the last snapshot of this session really cost the process, when measurable: the next question uses it. */
  observedPeak?: ObservedSnapshotPeak | null;
  /** Allocation sampling (`p`): running, or stopped with its last profile kept for reading. */
  alloc?: AllocSampling | null;
}

/** A heap snapshot being taken of an attached process: what, of which process, since when, and where it is. The views word it. */
export interface Capture {
  /** `s`, or the nth of the three snapshots of a leak check (`L`). */
  what: { kind: 'snapshot' } | { kind: 'leak-check'; n: 1 | 2 | 3; stage: LeakStage };
  pid: number;
  /** When this capture began, epoch ms. */
  sinceMs: number;
  /** Where it is now. */
  step: CaptureStep;
}

/** V8's sampling heap profiler on an attached process, as the allocation view shows it. */
export interface AllocSampling {
  /** Mean bytes allocated between samples. */
  intervalBytes: number;
  /** False once stopped; the last profile stays. */
  running: boolean;
  /** When this run of the sampler started, epoch ms. */
  startedAtMs: number;
  /** The newest profile (live sampled objects since the start); null until the first read. */
  profile: SamplingProfile | null;
  /** When `profile` was read, epoch ms. */
  profiledAtMs: number | null;
  /** The profile marked as the point to compare to (`m`), with when it was read; null when not comparing. */
  mark: { profile: SamplingProfile; markedAtMs: number } | null;
  /** The target's working directory, for short file names; null when unreadable. */
  cwd: string | null;
}

/** A comparison of two snapshots of one process, for the diff view. */
export interface DiffResult {
  pid: number;
  /** The two snapshots compared, by the id the controller keeps them under. */
  aId: string;
  bId: string;
  /** Their files. */
  aPath: string;
  bPath: string;
  /** Rows carry `retainedA/B/Delta` when retained sizes were computed. */
  diff: SnapshotDiff;
  /** The process key, for Enter on a row (its objects in the later snapshot). */
  key?: string;
}

/** The objects of one constructor of the diff and their retainer paths (Enter in the diff view). */
export interface ObjectsResult {
  pid: number;
  name: string;
  /** Still being computed: the rest is not filled in yet. */
  computing: boolean;
  count: number;
  selfSize: number;
  retainedSize: number | null;
  /** Objects not in the earlier snapshot; null when not comparable. */
  newCount: number | null;
  /** The first objects: new ones first, then biggest retained. */
  objects: ReadonlyArray<Omit<ObjectRow, 'node'>>;
  /** Whether the paths are those of the new objects only. */
  pathsOfNew: boolean;
  /** Grouped retainer paths, biggest group first. */
  paths: readonly PathJson[];
}

/** A three-snapshot leak check (`L`): running, with what it does now, or done with its candidates. */
export interface LeakCheck {
  key: string;
  pid: number;
  intervalMs: number;
  /** What it is doing: `snapshot 1/3 (baseline)`, `target snapshot in 12 s`, `finding the candidates`… */
  stage: string;
  running: boolean;
  /** When done: biggest retained size first. Null while running or after a failure. */
  candidates: readonly LeakCandidate[] | null;
  /** Why it stopped early, if it did. */
  error: string | null;
  startedAtMs: number;
}

/** `w`: the why workflow on one process (tasks/why.ts): its steps as they go, then the report. */
export interface WhyRun {
  key: string;
  pid: number;
  durationMs: number;
  /** The steps' states, from the workflow's last progress event; null before the first. */
  progress: WhyProgress | null;
  /** The report, once done. */
  result: WhyResult | null;
  running: boolean;
  /** Why it ended early, if it did (`stopped` for Esc or a detach). */
  error: string | null;
  startedAtMs: number;
}

/** The memory a process may still grow into, read for the question before a snapshot (`s`, `L`). */
export interface RoomReading {
  /** The TrackedProcess key. */
  key: string;
  /** Its cgroup's room or the host's MemAvailable, the tighter; null when neither could be read. */
  room: Room | null;
  /** When it was read, epoch ms. */
  readAtMs: number;
}

/** A process instance the monitor follows, with its history. */
export interface TrackedProcess {
  /** `PID@startTimeTicks`: a PID reused by a new process gets a new key, hence a fresh history. */
  key: string;
  /** The newest sample. */
  sample: ProcessSample;
  rssBytes: TimeSeries;
  cpuPercent: TimeSeries;
  /** V8 heap used, once an inspector session reports it; NaN until then. */
  heapUsedBytes: TimeSeries;
  /** Least-squares growth of RSS over the growth window, bytes per minute; null until enough history. */
  growthBytesPerMin: number | null;
  /** The same for the V8 heap used, once an inspector session reports it. (Pre-GC: `growth` judges the floor.) */
  heapGrowthBytesPerMin: number | null;
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
  /** The growth judgement over the history and the marks (core/growth/judge-growth.ts): the GROWTH column. */
  growth: GrowthJudgement;
  /** When leaktop first saw it, epoch ms. */
  firstSeenAtMs: number;
  /**
   * Set on the row of a worker thread (issue 15): it shares its process's `sample`, `rssBytes` and `cpuPercent`;
   * `heapUsedBytes` is the worker's own isolate, and `growthBytesPerMin` that heap's growth (a worker has no RSS).
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

/** The row (a process or a worker thread) with this key, or null. */
export function findRow(state: MonitorState, key: string): TrackedProcess | null {
  const processKey = processKeyOf(key);
  if (processKey === key) return state.processes.find((p) => p.key === key) ?? null;
  return state.threads?.get(processKey)?.find((t) => t.key === key) ?? null;
}

/** Everything the views render. Replaced (never mutated) on each change, except the series inside, which grow in place. */
export interface MonitorState {
  /** In discovery order; views sort and filter. */
  processes: readonly TrackedProcess[];
  host: HostSample | null;
  /** Time between ticks, ms. */
  intervalMs: number;
  paused: boolean;
  /** When the last process tick ran, epoch ms; null before the first. */
  lastSampledAtMs: number | null;
  /** A one-line message for the status bar (an error, or what an action did); null when there is none. */
  status: { text: string; level: 'info' | 'error' } | null;
  /** Inspector sessions, by process key. */
  attachments: ReadonlyMap<string, Attachment>;
  /** The newest snapshot comparison (`d`), or null. */
  diff: DiffResult | null;
  /** The comparison the analysis worker is computing (`d` pressed, result not in yet), or null: a new object per `d`. */
  diffComputing?: { key: string; pid: number; sinceMs: number } | null;
  /** The objects view (Enter on a diff row), or null. */
  objects?: ObjectsResult | null;
  /** The newest leak check (`L`), or null. */
  leakCheck?: LeakCheck | null;
  /** The newest why run (`w`), or null. */
  whyRun?: WhyRun | null;
  /** Inspectors found listening in the listed processes (attached or not), by process key, from the last scan. */
  openInspectors?: ReadonlyMap<string, OpenInspector>;
  /** The room of the process the snapshot question is about, or null. */
  room?: RoomReading | null;
  /** The worker threads of attached processes, by process key, each a row under its process (threadId order). */
  threads?: ReadonlyMap<string, readonly TrackedProcess[]>;
}

/** Options of `MonitorStore`. */
export interface StoreOptions {
  /** @default 1000 */
  intervalMs?: number;
  /** History older than this is dropped. @default 600_000 (10 minutes) */
  retentionMs?: number;
  /** Samples kept per series at most, whatever the interval. @default 2400 */
  historyCapacity?: number;
  /** Window of the growth fit. @default 120_000 */
  growthWindowMs?: number;
  /** Options of the growth judgement (`--growth-window` sets `minWindowMs`). */
  judge?: JudgeOptions;
}

/** Interval steps for `+`/`-`, ms. */
export const INTERVAL_STEPS_MS = [250, 500, 1000, 2000, 5000, 10_000, 30_000, 60_000] as const;

export const MIN_INTERVAL_MS = INTERVAL_STEPS_MS[0];
export const MAX_INTERVAL_MS = INTERVAL_STEPS_MS[INTERVAL_STEPS_MS.length - 1]!;

export type Listener = () => void;

/**
 * The one store. Samplers push harvests in (`ingest*`), the UI reads `getState()` and calls the actions; nothing
 * else holds shared state. Subscribers are told after every change.
 */
export class MonitorStore {
  #state: MonitorState;
  readonly #listeners = new Set<Listener>();
  readonly #byKey = new Map<string, TrackedProcess>();
  readonly #retentionMs: number;
  readonly #capacity: number;
  readonly #growthWindowMs: number;
  readonly #judge: JudgeOptions;

  constructor(options: StoreOptions = {}) {
    this.#retentionMs = options.retentionMs ?? 600_000;
    this.#capacity = options.historyCapacity ?? 2400;
    this.#growthWindowMs = options.growthWindowMs ?? 120_000;
    this.#judge = options.judge ?? {};
    this.#state = {
      processes: [],
      host: null,
      intervalMs: options.intervalMs ?? 1000,
      paused: false,
      lastSampledAtMs: null,
      status: null,
      attachments: new Map(),
      diff: null,
    };
  }

  getState = (): MonitorState => this.#state;

  subscribe = (listener: Listener): (() => void) => {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  };

  /**
   * Takes in one process tick: updates known processes, adds new ones, drops the ones that exited. Host figures
   * that arrived since the last tick come in with it, so a tick is one change and one frame; so do the heap
   * readings of attached processes, by process key.
   */
  ingestProcesses(harvest: ProcessHarvest, host?: HostSample, heap?: ReadonlyMap<string, HeapReading>): void {
    const now = harvest.sampledAtMs;
    const next: TrackedProcess[] = [];
    const live = new Set<string>();
    for (const sample of harvest.processes) {
      const key = `${sample.pid}@${sample.startTimeTicks}`;
      live.add(key);
      let tracked = this.#byKey.get(key);
      if (!tracked) {
        tracked = this.#newRow(key, sample, now);
        this.#byKey.set(key, tracked);
      }
      tracked.rssBytes.push(now, sample.rssBytes);
      tracked.cpuPercent.push(now, sample.cpuPercent ?? Number.NaN);
      // Without a session this tick the heap is a gap, so the heap chart starts (and stops) where data does.
      const reading = heap?.get(key);
      tracked.heapUsedBytes.push(now, reading ? reading.usedBytes : Number.NaN);
      tracked.externalBytes.push(now, reading?.memory?.external ?? Number.NaN);
      tracked.arrayBuffersBytes.push(now, reading?.memory?.arrayBuffers ?? Number.NaN);
      tracked.workersHeapUsedBytes.push(now, reading?.workersHeapUsedBytes ?? this.#workersHeap(key, heap));
      tracked.oldSpaceUsedBytes.push(now, reading?.spaces?.find((sp) => sp.name === 'old_space')?.usedBytes ?? Number.NaN);
      tracked.heapTotalBytes.push(now, reading ? reading.totalBytes : Number.NaN);
      const allSeries = [tracked.rssBytes, tracked.cpuPercent, tracked.heapUsedBytes, tracked.externalBytes, tracked.arrayBuffersBytes, tracked.workersHeapUsedBytes, tracked.oldSpaceUsedBytes, tracked.heapTotalBytes];
      for (const series of allSeries) series.pruneBefore(now - this.#retentionMs);
      const marks = tracked.marks.length > 0 && tracked.marks[0]!.atMs < now - this.#retentionMs ? tracked.marks.filter((m) => (m.untilMs ?? m.atMs) >= now - this.#retentionMs) : tracked.marks;
      const growth = growthPerMinute(tracked.rssBytes.times(), tracked.rssBytes.values(), { windowMs: this.#growthWindowMs });
      // A new object per tick so that memoized rows re-render; the series are shared.
      const heapGrowth = reading ? growthPerMinute(tracked.heapUsedBytes.times(), tracked.heapUsedBytes.values(), { windowMs: this.#growthWindowMs }) : null;
      const judged = judgeGrowth(memoryReadings(tracked, now - Math.max(this.#judge.maxWindowMs ?? 120_000, this.#judge.minWindowMs ?? 0)), marks, this.#judge);
      const updated: TrackedProcess = { ...tracked, sample, growthBytesPerMin: growth, heapGrowthBytesPerMin: heapGrowth, marks, growth: judged };
      this.#byKey.set(key, updated);
      next.push(updated);
    }
    for (const key of this.#byKey.keys()) if (!live.has(key)) this.#byKey.delete(key);
    const threads = this.#ingestThreads(now, live, heap);
    let attachments = this.#state.attachments;
    if (heap && heap.size > 0) {
      const updated = new Map(attachments);
      for (const [key, reading] of heap) {
        const attachment = updated.get(key);
        if (attachment) updated.set(key, { ...attachment, heap: reading });
      }
      attachments = updated;
    }
    this.#set(host ? { processes: next, lastSampledAtMs: now, host, attachments, threads } : { processes: next, lastSampledAtMs: now, attachments, threads });
  }

  /**
   * The sum of a process's worker heaps this tick, from its worker rows' readings, so the process's own judgement
   * counts them (a worker's leak is heap growth, not native); a gap unless every worker row has a reading (one
   * missing would read as a fall).
   */
  #workersHeap(processKey: string, heap: ReadonlyMap<string, HeapReading> | undefined): number {
    const rows = this.#state.threads?.get(processKey);
    if (!heap || !rows || rows.length === 0) return Number.NaN;
    let sum = 0;
    for (const row of rows) {
      const reading = heap.get(row.key);
      if (!reading) return Number.NaN;
      sum += reading.usedBytes;
    }
    return sum;
  }

  /** The worker rows after a tick: each gets its heap reading (a gap without one), rows of exited processes go. */
  #ingestThreads(now: number, live: ReadonlySet<string>, heap: ReadonlyMap<string, HeapReading> | undefined): ReadonlyMap<string, readonly TrackedProcess[]> | undefined {
    const current = this.#state.threads;
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
          row.oldSpaceUsedBytes.push(now, reading?.spaces?.find((sp) => sp.name === 'old_space')?.usedBytes ?? Number.NaN);
          row.oldSpaceUsedBytes.pruneBefore(now - this.#retentionMs);
          const growth = reading ? growthPerMinute(row.heapUsedBytes.times(), row.heapUsedBytes.values(), { windowMs: this.#growthWindowMs }) : null;
          // A worker has no RSS of its own: its judgement is of its isolate's heap alone, under its process's marks.
          const judged = judgeGrowth(isolateReadings(row, now - Math.max(this.#judge.maxWindowMs ?? 120_000, this.#judge.minWindowMs ?? 0)), parent.marks, this.#judge);
          return { ...row, sample: parent.sample, rssBytes: parent.rssBytes, cpuPercent: parent.cpuPercent, growthBytesPerMin: growth, heapGrowthBytesPerMin: growth, growth: judged };
        }),
      );
    }
    return next;
  }

  /** A row with empty histories, as first seen. */
  #newRow(key: string, sample: ProcessSample, firstSeenAtMs: number): TrackedProcess {
    const series = () => new TimeSeries(this.#capacity);
    return {
      key,
      sample,
      rssBytes: series(),
      cpuPercent: series(),
      heapUsedBytes: series(),
      growthBytesPerMin: null,
      heapGrowthBytesPerMin: null,
      externalBytes: series(),
      arrayBuffersBytes: series(),
      workersHeapUsedBytes: series(),
      oldSpaceUsedBytes: series(),
      heapTotalBytes: series(),
      marks: [],
      growth: judgeGrowth([], [], this.#judge),
      firstSeenAtMs,
    };
  }

  /**
   * The worker threads of an attached process, as its session lists them now: rows of threads already known keep
   * their heap history; an empty list removes them all (detached).
   */
  setThreads(processKey: string, workers: ReadonlyArray<Omit<WorkerRow, 'processKey'>>): void {
    const parent = this.#byKey.get(processKey);
    const threads = new Map(this.#state.threads ?? []);
    if (!parent || workers.length === 0) {
      if (!threads.delete(processKey)) return;
      return this.#set({ threads });
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
        return { ...this.#newRow(key, parent.sample, Date.now()), rssBytes: parent.rssBytes, cpuPercent: parent.cpuPercent, thread };
      });
    threads.set(processKey, rows);
    this.#set({ threads });
  }

  /**
   * Records something leaktop does to a process (attach, snapshot, gc, sampling, trim): it moves the process's memory
   * by itself, and the growth judgement leaves it out. `untilMs`: Infinity while it runs (`endAction` ends it),
   * absent for a moment. Judged from the next tick on.
   */
  markAction(key: string, action: string, options: { atMs?: number; untilMs?: number } = {}): void {
    const tracked = this.#byKey.get(key);
    if (!tracked) return;
    const mark: ActionMark = { atMs: options.atMs ?? Date.now(), action, ...(options.untilMs === undefined ? {} : { untilMs: options.untilMs }) };
    this.#replaceTracked({ ...tracked, marks: [...tracked.marks, mark] });
  }

  /** Ends the newest running mark of `action` on the process (see `markAction`). */
  endAction(key: string, action: string, atMs = Date.now()): void {
    const tracked = this.#byKey.get(key);
    const index = tracked ? tracked.marks.findLastIndex((m) => m.action === action && m.untilMs === Infinity) : -1;
    if (!tracked || index < 0) return;
    const marks = tracked.marks.map((m, i) => (i === index ? { ...m, untilMs: atMs } : m));
    this.#replaceTracked({ ...tracked, marks });
  }

  #replaceTracked(updated: TrackedProcess): void {
    this.#byKey.set(updated.key, updated);
    this.#set({ processes: this.#state.processes.map((p) => (p.key === updated.key ? updated : p)) });
  }

  /** Adds or updates the inspector session of a process. */
  setAttachment(attachment: Attachment): void {
    const attachments = new Map(this.#state.attachments);
    attachments.set(attachment.key, attachment);
    this.#set({ attachments });
  }

  /** Changes part of an existing attachment; nothing when there is none (it ended meanwhile). */
  updateAttachment(key: string, patch: Partial<Omit<Attachment, 'key' | 'pid'>>): void {
    const current = this.#state.attachments.get(key);
    if (current) this.setAttachment({ ...current, ...patch });
  }

  /** The result of an inspector scan (see InspectorScanner), replacing the previous one. */
  setOpenInspectors(openInspectors: ReadonlyMap<string, OpenInspector>): void {
    this.#set({ openInspectors });
  }

  /** Drops one process's entry of the last scan (its inspector was just closed). */
  forgetOpenInspector(key: string): void {
    const current = this.#state.openInspectors;
    if (!current?.has(key)) return;
    const openInspectors = new Map(current);
    openInspectors.delete(key);
    this.#set({ openInspectors });
  }

  setDiff(diff: DiffResult | null): void {
    this.#set({ diff, diffComputing: null });
  }

  /** A comparison of this process's snapshots is under way (the diff view says so until `setDiff`). */
  setDiffComputing(computing: { key: string; pid: number; sinceMs: number }): void {
    this.#set({ diff: null, diffComputing: computing });
  }

  setObjects(objects: ObjectsResult | null): void {
    this.#set({ objects });
  }

  setLeakCheck(leakCheck: LeakCheck | null): void {
    this.#set({ leakCheck });
  }

  setWhyRun(whyRun: WhyRun | null): void {
    this.#set({ whyRun });
  }

  setRoom(room: RoomReading | null): void {
    this.#set({ room });
  }

  removeAttachment(key: string): void {
    if (!this.#state.attachments.has(key)) return;
    const attachments = new Map(this.#state.attachments);
    attachments.delete(key);
    this.#set({ attachments });
  }

  /** Sets the tick interval, clamped to the range of `INTERVAL_STEPS_MS`. */
  setIntervalMs(intervalMs: number): void {
    const clamped = Math.min(MAX_INTERVAL_MS, Math.max(MIN_INTERVAL_MS, intervalMs));
    if (clamped !== this.#state.intervalMs) this.#set({ intervalMs: clamped });
  }

  /** Moves to the next slower (`+1`) or faster (`-1`) step of `INTERVAL_STEPS_MS`. */
  stepInterval(direction: 1 | -1): void {
    const current = this.#state.intervalMs;
    const steps = direction > 0 ? INTERVAL_STEPS_MS : [...INTERVAL_STEPS_MS].reverse();
    const next = steps.find((step) => (direction > 0 ? step > current : step < current));
    if (next !== undefined) this.setIntervalMs(next);
  }

  togglePaused(): void {
    this.#set({ paused: !this.#state.paused });
  }

  setStatus(text: string, level: 'info' | 'error' = 'info'): void {
    this.#set({ status: { text, level } });
  }

  clearStatus(): void {
    if (this.#state.status) this.#set({ status: null });
  }

  #set(patch: Partial<MonitorState>): void {
    this.#state = { ...this.#state, ...patch };
    for (const listener of this.#listeners) listener();
  }
}

/** The readings of a process since `sinceMs`, as the growth judgement takes them (a NaN figure is unknown). */
function memoryReadings(tracked: TrackedProcess, sinceMs: number): MemoryReading[] {
  const times = tracked.rssBytes.times();
  let first = times.length;
  while (first > 0 && times[first - 1]! >= sinceMs) first--;
  const count = times.length - first;
  const series = [tracked.rssBytes, tracked.heapUsedBytes, tracked.externalBytes, tracked.arrayBuffersBytes, tracked.workersHeapUsedBytes, tracked.oldSpaceUsedBytes, tracked.heapTotalBytes];
  const [rss, heap, external, arrayBuffers, workers, oldSpace, heapTotal] = series.map((s) => s.values(count));
  const known = (v: number | undefined) => (v !== undefined && Number.isFinite(v) ? v : undefined);
  const readings: MemoryReading[] = [];
  for (let i = 0; i < count; i++) {
    const reading: MemoryReading = { atMs: times[first + i]!, rssBytes: rss![i]! };
    const [h, e, a, w, old, total] = [known(heap![i]), known(external![i]), known(arrayBuffers![i]), known(workers![i]), known(oldSpace![i]), known(heapTotal![i])];
    if (h !== undefined) reading.heapUsedBytes = h;
    if (e !== undefined) reading.externalBytes = e;
    if (a !== undefined) reading.arrayBuffersBytes = a;
    if (w !== undefined) reading.workersHeapUsedBytes = w;
    if (old !== undefined) reading.oldSpaceUsedBytes = old;
    if (total !== undefined) reading.heapTotalBytes = total;
    readings.push(reading);
  }
  return readings;
}

/**
 * The readings of a worker thread's isolate: its heap, standing in for the RSS a thread does not have (so that no
 * growth of it can read as native memory), and its old space.
 */
function isolateReadings(row: TrackedProcess, sinceMs: number): MemoryReading[] {
  const times = row.heapUsedBytes.times();
  const heap = row.heapUsedBytes.values();
  const oldSpace = row.oldSpaceUsedBytes.values(times.length);
  const readings: MemoryReading[] = [];
  for (let i = 0; i < times.length; i++) {
    const used = heap[i]!;
    if (times[i]! < sinceMs || !Number.isFinite(used)) continue;
    const reading: MemoryReading = { atMs: times[i]!, rssBytes: used, heapUsedBytes: used };
    if (Number.isFinite(oldSpace[i]!)) reading.oldSpaceUsedBytes = oldSpace[i]!;
    readings.push(reading);
  }
  return readings;
}
