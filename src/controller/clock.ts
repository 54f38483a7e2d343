/**
 * The one clock of the TUI: every periodic read goes through its one timer — the readings tick (processes, the
 * heaps of attached ones, the host, open inspectors) and the reads the controller's parts ask for with `every`
 * (the allocation view's profile refresh). Nothing else in leaktop's TUI keeps a timer of its own.
 */
import { sampleHost, type HostSample, type ProcessHarvest } from '../proc/index.js';
import type { OpenInspector } from '../inspector/scan-inspectors.js';
import type { HeapReading, MonitorStore } from '../state/index.js';

/** The I/O the readings tick drives; injectable so a test can count ticks. */
export interface Samplers {
  sampleProcesses(): ProcessHarvest;
  sampleHost(): Promise<HostSample>;
  /** Heap figures of attached processes by key (see Sessions.readHeaps); none when absent. */
  readHeaps?(): Promise<ReadonlyMap<string, HeapReading>>;
  /** The open inspectors of the listed processes, by key (see InspectorScanner); none when absent. */
  scanInspectors?(): Promise<ReadonlyMap<string, OpenInspector>>;
}

/** Options of the readings tick. */
export interface ReadingOptions {
  /** Host figures change slowly; refresh them at most this often, ms. @default 5000 */
  hostEveryMs?: number;
  /** How often to look for open inspectors, ms: fds of every Node process are read, so not every tick. @default 5000 */
  inspectorsEveryMs?: number;
}

/** One periodic read. */
interface Job {
  /** When it runs next, epoch ms; Infinity while it runs (a job never overlaps itself). */
  dueAtMs: number;
  run(): Promise<void>;
  /** When it runs again once the round that was due at `dueAtMs` is done. */
  next(dueAtMs: number): number;
}

export class Clock {
  readonly #store: MonitorStore;
  readonly #jobs = new Set<Job>();
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #unsubscribe: (() => void) | undefined;

  constructor(store: MonitorStore) {
    this.#store = store;
  }

  /**
   * Starts the readings tick: every `store.intervalMs` (after the previous tick ends) the processes are sampled into
   * the store (unless paused), and the host at a slower cadence (its figures join the next process tick, so each
   * tick is one frame). It follows interval changes at once. Sampling failures become a status line; they never stop
   * the clock.
   */
  start(samplers: Samplers, options: ReadingOptions = {}): void {
    const store = this.#store;
    const hostEveryMs = options.hostEveryMs ?? 5000;
    const inspectorsEveryMs = options.inspectorsEveryMs ?? 5000;
    let lastInspectorsAtMs = 0;
    let inspectorsInFlight = false;
    let lastHostAtMs = 0;
    let hostInFlight = false;
    /** Host figures that arrived since the last tick; they reach the store with the next one. */
    let pendingHost: HostSample | undefined;
    let scheduledIntervalMs = store.getState().intervalMs;

    const tick = async () => {
      scheduledIntervalMs = store.getState().intervalMs;
      const state = store.getState();
      if (state.paused) return;
      try {
        const harvest = samplers.sampleProcesses();
        // Heap readings travel over the sessions' sockets; read them concurrently, as part of the same tick.
        const heaps = samplers.readHeaps && state.attachments.size > 0 ? await samplers.readHeaps() : undefined;
        if (this.#stopped) return;
        store.ingestProcesses(harvest, pendingHost, heaps);
        pendingHost = undefined;
      } catch (error) {
        store.setStatus(`sampling failed: ${(error as Error).message}`, 'error');
      }
      if (samplers.scanInspectors && !inspectorsInFlight && Date.now() - lastInspectorsAtMs >= inspectorsEveryMs) {
        inspectorsInFlight = true;
        lastInspectorsAtMs = Date.now();
        samplers
          .scanInspectors()
          .then((found) => !this.#stopped && store.setOpenInspectors(found))
          .catch((error: Error) => !this.#stopped && store.setStatus(`looking for open inspectors failed: ${error.message}`, 'error'))
          .finally(() => (inspectorsInFlight = false));
      }
      if (!hostInFlight && Date.now() - lastHostAtMs >= hostEveryMs) {
        hostInFlight = true;
        lastHostAtMs = Date.now();
        samplers
          .sampleHost()
          .then((host) => (pendingHost = host))
          .catch((error: Error) => !this.#stopped && store.setStatus(`host figures unavailable: ${error.message}`, 'error'))
          .finally(() => (hostInFlight = false));
      }
    };
    // The next tick is an interval after this one ends: a slow tick (heap readings waited for) is never overlapped.
    const job: Job = { dueAtMs: Date.now(), run: tick, next: () => Date.now() + store.getState().intervalMs };
    this.#add(job);
    // The first tick now, not on the next turn: the screen has its rows as soon as it is drawn.
    this.#fire();
    this.#unsubscribe = store.subscribe(() => {
      const intervalMs = store.getState().intervalMs;
      if (intervalMs === scheduledIntervalMs) return;
      scheduledIntervalMs = intervalMs;
      // A tick under way schedules the next one itself when it ends, at the new interval.
      if (job.dueAtMs !== Infinity) {
        job.dueAtMs = Date.now() + intervalMs;
        this.#arm();
      }
    });
  }

  /**
   * Runs `read` every `everyMs`, the first time `everyMs` from now, until the returned function is called. A round
   * still running when the next is due is not overlapped: that round is skipped.
   */
  every(everyMs: number, read: () => Promise<void>): () => void {
    const next = (dueAtMs: number) => {
      // Fixed rate: due every `everyMs` from the first round, skipping those a slow round ran over.
      let at = dueAtMs + everyMs;
      while (at <= Date.now()) at += everyMs;
      return at;
    };
    const job: Job = { dueAtMs: Date.now() + everyMs, run: read, next };
    this.#add(job);
    return () => {
      this.#jobs.delete(job);
      this.#arm();
    };
  }

  /** Stops every read; a round under way finishes, and nothing more starts. */
  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#jobs.clear();
    this.#unsubscribe?.();
  }

  #add(job: Job): void {
    if (this.#stopped) return;
    this.#jobs.add(job);
    this.#arm();
  }

  /** Sets the one timer for the job due first. */
  #arm(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#stopped) return;
    let next = Infinity;
    for (const job of this.#jobs) next = Math.min(next, job.dueAtMs);
    if (next === Infinity) return;
    this.#timer = setTimeout(() => this.#fire(), Math.max(0, next - Date.now()));
  }

  #fire(): void {
    const now = Date.now();
    for (const job of this.#jobs) {
      const dueAtMs = job.dueAtMs;
      if (dueAtMs > now) continue;
      job.dueAtMs = Infinity;
      void job
        .run()
        .catch(() => undefined) // each job reports its own failures (the status line)
        .finally(() => {
          if (!this.#jobs.has(job)) return; // cancelled or stopped meanwhile
          job.dueAtMs = job.next(dueAtMs);
          this.#arm();
        });
    }
    this.#arm();
  }
}

/** The readings tick on a clock of its own (tests, and what has no controller). */
export function startClock(store: MonitorStore, samplers: Samplers, options: ReadingOptions = {}): Clock {
  const clock = new Clock(store);
  clock.start(samplers, options);
  return clock;
}

/** The real samplers. */
export function defaultSamplers(
  sampleProcesses: () => ProcessHarvest,
  readHeaps?: () => Promise<ReadonlyMap<string, HeapReading>>,
  scanInspectors?: () => Promise<ReadonlyMap<string, OpenInspector>>,
): Samplers {
  return { sampleProcesses, sampleHost, readHeaps, scanInspectors };
}
