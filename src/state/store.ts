import type { HostSample, ProcessHarvest } from '../proc/index.js';
import { processKeyOf, ProcessTracker, type HeapReading, type TrackedProcess, type TrackerOptions, type WorkerRow } from './process-tracker.js';
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

// The process tracking (series, PID@start keys, growth judgement, worker rows) is process-tracker.ts, shared with
// `list`, `watch` and `serve`; its types are re-exported here for the views.
export { processKeyOf, threadKey, type HeapReading, type TrackedProcess, type WorkerRow } from './process-tracker.js';

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

/** Options of `MonitorStore`: the tick interval, and the process tracker's (retention, history, judgement). */
export interface StoreOptions extends TrackerOptions {
  /** @default 1000 */
  intervalMs?: number;
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
  readonly #tracker: ProcessTracker;

  constructor(options: StoreOptions = {}) {
    this.#tracker = new ProcessTracker(options);
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
    this.#tracker.ingest(harvest, heap);
    let attachments = this.#state.attachments;
    if (heap && heap.size > 0) {
      const updated = new Map(attachments);
      for (const [key, reading] of heap) {
        const attachment = updated.get(key);
        if (attachment) updated.set(key, { ...attachment, heap: reading });
      }
      attachments = updated;
    }
    const processes = this.#tracker.processes;
    const threads = this.#tracker.threads;
    const now = harvest.sampledAtMs;
    this.#set(host ? { processes, lastSampledAtMs: now, host, attachments, threads } : { processes, lastSampledAtMs: now, attachments, threads });
  }

  /**
   * The worker threads of an attached process, as its session lists them now: rows of threads already known keep
   * their heap history; an empty list removes them all (detached).
   */
  setThreads(processKey: string, workers: ReadonlyArray<Omit<WorkerRow, 'processKey'>>): void {
    if (this.#tracker.setThreads(processKey, workers, Date.now())) this.#set({ threads: this.#tracker.threads });
  }

  /**
   * Records something leaktop does to a process (attach, snapshot, gc, sampling, trim): it moves the process's memory
   * by itself, and the growth judgement leaves it out. `untilMs`: Infinity while it runs (`endAction` ends it),
   * absent for a moment. Judged from the next tick on.
   */
  markAction(key: string, action: string, options: { atMs?: number; untilMs?: number } = {}): void {
    if (this.#tracker.markAction(key, action, options.atMs ?? Date.now(), options.untilMs)) this.#set({ processes: this.#tracker.processes });
  }

  /** Ends the newest running mark of `action` on the process (see `markAction`). */
  endAction(key: string, action: string, atMs = Date.now()): void {
    if (this.#tracker.endAction(key, action, atMs)) this.#set({ processes: this.#tracker.processes });
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
    // Nothing changed (most scans: none open, every 5 s): no new state, so no frame is drawn for it.
    if (this.#state.openInspectors && sameInspectors(this.#state.openInspectors, openInspectors)) return;
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

/** Every field of an OpenInspector: the compiler fails here when one is added and not listed. */
const INSPECTOR_FIELDS = ['pid', 'address', 'port', 'nodeVersion', 'openedBy', 'leaktopPid'] as const satisfies ReadonlyArray<keyof OpenInspector>;
const allInspectorFieldsListed: Exclude<keyof OpenInspector, (typeof INSPECTOR_FIELDS)[number]> extends never ? true : never = true;
void allInspectorFieldsListed;

/** Whether two inspector scans found the same inspectors, field by field. */
function sameInspectors(a: ReadonlyMap<string, OpenInspector>, b: ReadonlyMap<string, OpenInspector>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, x] of a) {
    const y = b.get(key);
    if (!y || INSPECTOR_FIELDS.some((field) => x[field] !== y[field])) return false;
  }
  return true;
}
