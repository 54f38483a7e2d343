/**
 * `p` and the allocation view: V8's sampling heap profiler in an attached process, its profile re-read every few
 * seconds into the store while it runs, the mark to compare to (`m`), the interval (`i`).
 */
import { UserError } from '../core/user-error.js';
import { DEFAULT_SAMPLING_INTERVAL_BYTES, SamplingProfiler } from '../inspector/sampling-profiler.js';
import { withTimeout } from '../inspector/with-timeout.js';
import { readCwd } from '../proc/read-cwd.js';
import type { MonitorStore } from '../state/index.js';
import type { Clock } from './clock.js';
import { reportFailure } from './report-failure.js';
import type { Sessions } from './sessions.js';

/** How often a running allocation sampler's profile is re-read for the view, ms. */
export const ALLOC_REFRESH_MS = 3000;

export class Sampling {
  readonly #store: MonitorStore;
  readonly #sessions: Sessions;
  /** Running allocation samplers, by process key (`p`). */
  readonly #profilers = new Map<string, SamplingProfiler>();
  readonly #clock: Clock;
  /** Ends the clock's re-reading of every running sampler's profile; set only while one runs. */
  #stopRefresh: (() => void) | undefined;
  readonly #refreshMs: number;

  constructor(store: MonitorStore, sessions: Sessions, clock: Clock, refreshMs = ALLOC_REFRESH_MS) {
    this.#store = store;
    this.#sessions = sessions;
    this.#clock = clock;
    this.#refreshMs = refreshMs;
  }

  /**
   * `p`: starts V8's sampling heap profiler in the attached process, or stops the one running (its last profile
   * stays in the view). The profile is re-read every few seconds while it runs.
   */
  async toggle(key: string, intervalBytes?: number): Promise<void> {
    const session = this.#sessions.get(key);
    if (!session) return reportFailure(this.#store, new UserError('attach first (a) to sample allocations in that process'));
    if (this.#profilers.has(key)) return this.stop(key);
    const interval = intervalBytes ?? this.#store.getState().attachments.get(key)?.alloc?.intervalBytes ?? DEFAULT_SAMPLING_INTERVAL_BYTES;
    try {
      const profiler = await SamplingProfiler.start(session, { intervalBytes: interval });
      if (this.#sessions.get(key) !== session) {
        await profiler.stop().catch(() => undefined); // detached meanwhile
        return;
      }
      this.#profilers.set(key, profiler);
      // The sampler keeps its samples in the process's native memory while it runs.
      this.#store.markAction(key, 'sampling', { atMs: profiler.startedAtMs, untilMs: Infinity });
      const cwd = readCwd(session.pid);
      this.#store.updateAttachment(key, {
        alloc: { intervalBytes: interval, running: true, startedAtMs: profiler.startedAtMs, profile: null, profiledAtMs: null, mark: null, cwd: typeof cwd === 'string' ? cwd : null },
      });
      this.#store.setStatus(`Sampling allocations in ${session.pid} every ${interval % 1024 === 0 ? `${interval / 1024} KiB` : `${interval} B`} (p stops; x and q stop it too)`);
      this.#stopRefresh ??= this.#clock.every(this.#refreshMs, () => this.#readProfiles());
    } catch (error) {
      reportFailure(this.#store, error);
    }
  }

  /** Stops the sampler of the process, keeping its last profile for the view. */
  async stop(key: string): Promise<void> {
    const profiler = this.take(key);
    if (!profiler) return;
    try {
      const last = await profiler.stop();
      const alloc = this.#store.getState().attachments.get(key)?.alloc;
      if (alloc) this.#store.updateAttachment(key, { alloc: { ...alloc, running: false, ...(last ? { profile: last, profiledAtMs: Date.now() } : {}) } });
      this.#store.setStatus(`Stopped sampling allocations in ${profiler.session.pid}`);
    } catch (error) {
      reportFailure(this.#store, error);
    }
  }

  /** Restarts the sampler of the process at another interval (a new run: the profile starts empty). */
  async setInterval(key: string, intervalBytes: number): Promise<void> {
    if (this.#profilers.has(key)) await this.stop(key);
    await this.toggle(key, intervalBytes);
  }

  /** `m`: marks the current profile as the point to compare to, or clears the mark. */
  mark(key: string): void {
    const alloc = this.#store.getState().attachments.get(key)?.alloc;
    if (!alloc) return;
    if (alloc.mark) {
      this.#store.updateAttachment(key, { alloc: { ...alloc, mark: null } });
      return this.#store.setStatus('Mark cleared: live bytes per site');
    }
    if (!alloc.profile) return reportFailure(this.#store, new UserError('no profile yet to mark: wait for the first one (a few seconds)'));
    this.#store.updateAttachment(key, { alloc: { ...alloc, mark: { profile: alloc.profile, markedAtMs: alloc.profiledAtMs ?? Date.now() } } });
    this.#store.setStatus('Marked: the view now shows the growth per site since this point (m clears)');
  }

  /**
   * Takes the sampler of the process out (its profile is no longer read, its mark in the history ends); the caller
   * stops it, or it died with its session.
   */
  take(key: string): SamplingProfiler | undefined {
    const profiler = this.#profilers.get(key);
    if (!profiler) return undefined;
    this.#profilers.delete(key);
    this.#stopRefreshIfIdle();
    this.#store.endAction(key, 'sampling');
    return profiler;
  }

  /** Re-reads the profile of every running sampler into the store (the clock runs one round at a time). */
  async #readProfiles(): Promise<void> {
    await Promise.all(
      [...this.#profilers].map(async ([key, profiler]) => {
        const profile = await withTimeout(profiler.profile(), this.#refreshMs * 3).catch(() => undefined);
        const alloc = this.#store.getState().attachments.get(key)?.alloc;
        if (!profile || !alloc || !alloc.running || this.#profilers.get(key) !== profiler) return;
        this.#store.updateAttachment(key, { alloc: { ...alloc, profile, profiledAtMs: Date.now() } });
      }),
    );
  }

  #stopRefreshIfIdle(): void {
    if (this.#profilers.size > 0 || !this.#stopRefresh) return;
    this.#stopRefresh();
    this.#stopRefresh = undefined;
  }
}
