/**
 * `w`: the why workflow (tasks/why.ts, the same as `leaktop why`) on a process — watch, sample, snapshots only with
 * room (never forced), report — its steps into the store's `whyRun` as they go.
 */
import { UserError } from '../core/user-error.js';
import { withTimeout } from '../inspector/with-timeout.js';
import { findRow, type MonitorStore, type WhyRun } from '../state/index.js';
import { why } from '../tasks/why.js';
import { reportFailure } from './report-failure.js';
import type { Sessions } from './sessions.js';
import type { Snapshots } from './snapshots.js';

export class WhyRuns {
  readonly #store: MonitorStore;
  readonly #sessions: Sessions;
  readonly #snapshots: Snapshots;
  /** Running why workflows, by process key: Esc, a detach or quitting aborts one and waits for its cleanup. */
  readonly #runs = new Map<string, { abort: AbortController; done: Promise<void> }>();

  constructor(store: MonitorStore, sessions: Sessions, snapshots: Snapshots) {
    this.#store = store;
    this.#sessions = sessions;
    this.#snapshots = snapshots;
  }

  /**
   * Uses the session when the process is attached (left open after) and otherwise opens its own, which it closes
   * when it ends, is stopped (Esc: `stop`) or the process is detached.
   */
  async run(key: string, durationMs: number): Promise<void> {
    if (this.#runs.has(key)) return this.#store.setStatus('why is already running on that process (Esc in its view stops it)');
    // A worker thread's row: its isolate, through the session the TUI already has on that worker.
    const tracked = findRow(this.#store.getState(), key);
    if (!tracked) return reportFailure(this.#store, new UserError('that process has exited'));
    if (tracked.thread && !this.#sessions.has(key)) return reportFailure(this.#store, new UserError('that worker thread has no session: attach its process (a) first'));
    if (this.#store.getState().attachments.get(key)?.capture) return reportFailure(this.#store, new UserError('a snapshot of that process is running: wait for it, then w again'));
    const { pid, startTimeTicks } = tracked.sample;
    const abort = new AbortController();
    const startedAtMs = Date.now();
    this.#store.setWhyRun({ key, pid, durationMs, progress: null, result: null, running: true, error: null, startedAtMs });
    const update = (patch: Partial<WhyRun>) => {
      const current = this.#store.getState().whyRun;
      if (current && current.startedAtMs === startedAtMs && current.key === key) this.#store.setWhyRun({ ...current, ...patch });
    };
    let finish: () => void = () => undefined;
    this.#runs.set(key, { abort, done: new Promise<void>((resolve) => (finish = resolve)) });
    try {
      const result = await why({
        pid,
        startTimeTicks,
        durationMs,
        snapshots: true,
        signal: abort.signal,
        session: this.#sessions.get(key),
        attach: (p, options) => this.#sessions.start(p, { startTimeTicks: options.startTimeTicks ?? startTimeTicks }),
        analysis: this.#snapshots.worker(),
        onProgress: (progress) => update({ progress }),
      });
      update({ result, running: false });
      const top = result.culprits[0];
      this.#store.setStatus(`why ${pid}: ${result.verdict}${top ? `; culprit ${top.name ?? top.site?.functionName ?? '?'}` : ''}`);
    } catch (error) {
      update({ running: false, error: abort.signal.aborted ? 'stopped' : error instanceof Error ? error.message : String(error) });
      if (!abort.signal.aborted) reportFailure(this.#store, error);
    } finally {
      this.#runs.delete(key);
      finish();
    }
  }

  /** Stops the why workflow on the process (Esc in its view): the sampler stops and what it opened is closed. */
  async stop(key: string): Promise<void> {
    const run = this.#runs.get(key);
    if (!run) return;
    run.abort.abort();
    await run.done;
  }

  /** Stops every run (on quit), each given at most `timeoutMs`; returns what did not stop in time. */
  async stopAll(timeoutMs: number): Promise<unknown[]> {
    const failures: unknown[] = [];
    // A why run that opened its own session closes it as it stops.
    await Promise.all(
      [...this.#runs.keys()].map(async (key) => {
        if (!(await withTimeout(this.stop(key).then(() => true), timeoutMs))) failures.push(new UserError(`stopping why on process ${key.split('@')[0]} took more than ${Math.round(timeoutMs / 1000)} s; its inspector may still be open`));
      }),
    );
    return failures;
  }
}
