/**
 * `L`: the three-snapshot leak check (tasks/leak-check.ts, the same as `leaks --pid`) on a process, with a countdown
 * in the store's `leakCheck`.
 */
import { captureStepWords } from '../core/capture-step.js';
import { UserError } from '../core/user-error.js';
import { makeWorkDir, removeStaleWorkDirs, removeWorkDir } from '../files/work-dir.js';
import { observedSnapshotPeak, SnapshotRoomRefused } from '../inspector/check-snapshot-room.js';
import { defaultSnapshotName } from '../inspector/take-snapshot.js';
import type { LeakCheck, MonitorStore } from '../state/index.js';
import { leakCheck } from '../tasks/index.js';
import { reportFailure } from './report-failure.js';
import type { Sessions } from './sessions.js';
import type { Snapshots } from './snapshots.js';

export class LeakChecks {
  readonly #store: MonitorStore;
  readonly #sessions: Sessions;
  readonly #snapshots: Snapshots;
  /** Running leak checks, by process key: aborting one stops it at the next step. */
  readonly #runs = new Map<string, AbortController>();

  constructor(store: MonitorStore, sessions: Sessions, snapshots: Snapshots) {
    this.#store = store;
    this.#sessions = sessions;
    this.#snapshots = snapshots;
  }

  /**
   * Baseline, wait, target, wait, final, in this one session. The files go to a temporary directory and are deleted
   * as each is parsed; the candidates are computed in the analysis worker. A session that `L` opened is ended right
   * after the last snapshot, before the analysis: the target's inspector is closed while leaktop computes. One the
   * user opened (a) stays. Detaching (x, q) stops the check.
   */
  async run(key: string, intervalMs: number, options: { force?: boolean } = {}): Promise<void> {
    if (this.#runs.has(key)) return this.#store.setStatus('a leak check of that process is already running');
    const openedHere = !this.#sessions.has(key);
    if (openedHere) await this.#sessions.attach(key);
    const session = this.#sessions.get(key);
    if (!session) return;
    if (this.#store.getState().attachments.get(key)?.capture) return reportFailure(this.#store, new UserError('a snapshot of that process is running: wait for it, then L again'));
    const abort = new AbortController();
    this.#runs.set(key, abort);
    const startedAtMs = Date.now();
    this.#store.setLeakCheck({ key, pid: session.pid, intervalMs, stage: 'starting', running: true, candidates: null, error: null, startedAtMs });
    const update = (patch: Partial<Pick<LeakCheck, 'stage' | 'running' | 'candidates' | 'error'>>) => {
      const current = this.#store.getState().leakCheck;
      if (current && current.startedAtMs === startedAtMs && current.key === key) this.#store.setLeakCheck({ ...current, ...patch });
    };
    let dir: string | null = null;
    /** The capture whose mark is open: each of the three snapshots moves the process's memory by itself. */
    let markedCapture = 0;
    let captureSinceMs = 0;
    try {
      removeStaleWorkDirs('leaktop-leaks-');
      dir = makeWorkDir('leaktop-leaks-');
      const workDir = dir;
      const stamp = defaultSnapshotName(session.pid, new Date());
      const { report } = await leakCheck(
        {
          session,
          analysis: this.#snapshots.worker(),
          idPrefix: `L${startedAtMs}-${key}-`,
          signal: abort.signal,
          pathFor: (stage) => `${workDir}/${stamp.replace('.heapsnapshot', `-${stage}.heapsnapshot`)}`,
          force: options.force,
          afterLastCapture: async () => {
            if (!openedHere) return;
            this.#runs.delete(key); // this detach must not stop the check it ends the captures of
            await this.#sessions.detach(key);
          },
        },
        {
          intervalMs,
          removeEach: true,
          onProgress: (progress) => {
            if (progress.step === 'capture') {
              if (markedCapture !== progress.n) {
                markedCapture = progress.n;
                captureSinceMs = Date.now();
                this.#store.markAction(key, 'snapshot', { untilMs: Infinity });
              }
              update({ stage: `snapshot ${progress.n}/3 (${progress.stage}): ${captureStepWords(progress.capture)}` });
              const capture = { what: { kind: 'leak-check', n: progress.n, stage: progress.stage }, pid: session.pid, sinceMs: captureSinceMs, step: progress.capture } as const;
              if (this.#store.getState().attachments.has(key)) this.#store.updateAttachment(key, { capture });
            } else if (progress.step === 'captured') {
              this.#store.endAction(key, 'snapshot');
              if (this.#store.getState().attachments.has(key)) this.#store.updateAttachment(key, { capture: null, observedPeak: observedSnapshotPeak(session) });
            } else if (progress.step === 'wait') update({ stage: `${progress.next} snapshot in ${progress.secondsLeft} s` });
            else update({ stage: 'finding the candidates (dominator tree, retainer paths)' });
          },
        },
      );
      const { candidates } = report;
      // Gone before the result is shown: whoever reads the result may rely on it (the files are deleted as each
      // snapshot is parsed; the directory is the last thing).
      removeWorkDir(workDir);
      dir = null;
      update({ stage: 'done', running: false, candidates });
      this.#store.setStatus(`Leak check of ${session.pid}: ${candidates.length === 0 ? 'no candidates' : `${candidates.length} candidate${candidates.length === 1 ? '' : 's'}, biggest: ${candidates[0]!.name}`}`);
    } catch (error) {
      if (this.#store.getState().attachments.get(key)?.capture) this.#store.updateAttachment(key, { capture: null });
      update({ running: false, stage: 'stopped', error: abort.signal.aborted ? 'stopped (detached)' : error instanceof Error ? error.message : String(error) });
      if (openedHere && error instanceof SnapshotRoomRefused) {
        this.#runs.delete(key);
        await this.#sessions.detach(key);
      }
      if (!abort.signal.aborted) reportFailure(this.#store, error);
    } finally {
      this.#store.endAction(key, 'snapshot');
      if (this.#runs.get(key) === abort) this.#runs.delete(key);
      if (dir) removeWorkDir(dir);
    }
  }

  /** Stops the check on the process, if one runs, at its next step. */
  stop(key: string): void {
    this.#runs.get(key)?.abort();
  }

  /** Stops every check, also those past their captures with no session left (on quit). */
  stopAll(): void {
    for (const run of this.#runs.values()) run.abort();
  }
}
