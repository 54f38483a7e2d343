/**
 * The TUI's controller: what a key asks for that needs I/O. It implements the views' `Actions` itself — each
 * action returns nothing, runs its workflow (src/tasks, shared with the CLI) and reports into the store, which the
 * views render. Its parts, one module each: sessions (attach, detach, GC, trim), snapshots (capture, kept for `d`),
 * compare (diff, objects, paths), the leak check, allocation sampling, why.
 */
import type { ClassRef } from '../core/snapshot/retained.js';
import type { HeapReading, MonitorStore } from '../state/index.js';
import type { Actions } from '../ui/app.js';
import { Clock } from './clock.js';
import { Compare } from './compare.js';
import { LeakChecks } from './leak-check.js';
import { Sampling } from './sampling.js';
import { Sessions, type AttachFn } from './sessions.js';
import { Snapshots } from './snapshots.js';
import { WhyRuns } from './why.js';

export type { AttachFn } from './sessions.js';

export interface ControllerOptions {
  /** How sessions are started; a test may count or fail them. */
  attach?: AttachFn;
  /** Where `s` writes its snapshots and `w` the diff. @default the working directory */
  snapshotDir?: string;
  /** How often a running allocation sampler's profile is re-read, ms. @default 3000 */
  allocRefreshMs?: number;
}

export class Controller implements Actions {
  /** The one clock of every periodic read: top.tsx starts its readings tick; the sampler's refresh runs on it too. */
  readonly clock: Clock;
  readonly #sessions: Sessions;
  readonly #snapshots: Snapshots;
  readonly #compare: Compare;
  readonly #leakChecks: LeakChecks;
  readonly #sampling: Sampling;
  readonly #why: WhyRuns;

  constructor(store: MonitorStore, options: ControllerOptions = {}) {
    this.clock = new Clock(store);
    // What runs on a session ends with it: the sessions call back into the parts that keep or run something there.
    this.#sessions = new Sessions(
      store,
      {
        forget: (key) => {
          this.#snapshots.forget(key);
          this.#leakChecks.stop(key);
        },
        stopWhy: (key) => this.#why.stop(key),
        takeSampler: (key) => this.#sampling.take(key),
      },
      options.attach,
    );
    this.#snapshots = new Snapshots(store, this.#sessions, options.snapshotDir);
    this.#compare = new Compare(store, this.#sessions, this.#snapshots);
    this.#leakChecks = new LeakChecks(store, this.#sessions, this.#snapshots);
    this.#sampling = new Sampling(store, this.#sessions, this.clock, options.allocRefreshMs);
    this.#why = new WhyRuns(store, this.#sessions, this.#snapshots);
  }

  attach(key: string): void {
    void this.#sessions.attach(key);
  }

  detach(key: string): void {
    void this.#sessions.detach(key);
  }

  gc(key: string): void {
    void this.#sessions.collectGarbage(key);
  }

  trim(key: string): void {
    void this.#sessions.trim(key);
  }

  readRoom(key: string): void {
    this.#snapshots.readRoom(key);
  }

  snapshot(key: string, options?: { force?: boolean }): void {
    void this.#snapshots.take(key, options);
  }

  diff(key: string): void {
    this.#compare.diff(key);
  }

  inspectClass(ref: ClassRef): void {
    void this.#compare.inspectClass(ref);
  }

  writeDiff(format: 'text' | 'json', text: () => string): void {
    void this.#compare.writeDiff(format, text);
  }

  detectLeaks(key: string, intervalMs: number, options?: { force?: boolean }): void {
    void this.#leakChecks.run(key, intervalMs, options);
  }

  sample(key: string): void {
    void this.#sampling.toggle(key);
  }

  markAllocations(key: string): void {
    this.#sampling.mark(key);
  }

  setSamplingInterval(key: string, intervalBytes: number): void {
    void this.#sampling.setInterval(key, intervalBytes);
  }

  why(key: string, durationMs: number): void {
    void this.#why.run(key, durationMs);
  }

  stopWhy(key: string): void {
    void this.#why.stop(key);
  }

  /** Heap figures of every attached process, for the clock's tick (see Sessions.readHeaps). */
  readHeaps(timeoutMs?: number): Promise<Map<string, HeapReading>> {
    return this.#sessions.readHeaps(timeoutMs);
  }

  /**
   * Stops the clock and ends every session, closing what leaktop opened (each gets at most `timeoutMs`), and the
   * analysis worker.
   * Returns what could not be closed (UserErrors saying where an inspector still listens), for the caller to print
   * once the screen is gone.
   */
  async detachAll(timeoutMs = 5000): Promise<unknown[]> {
    this.clock.stop();
    this.#leakChecks.stopAll();
    const failures = await this.#why.stopAll(timeoutMs);
    const [, detachFailures] = await Promise.all([this.#snapshots.stopAnalysis(), this.#sessions.detachAll(timeoutMs)]);
    return [...failures, ...detachFailures];
  }
}
