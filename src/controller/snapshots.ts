/**
 * Heap snapshots of the TUI (`s`): the room read before the question, the capture (tasks/capture-snapshot.ts, the
 * same as the CLI's), and the parsed snapshots kept in the analysis worker for `d` and Enter on a diff row.
 */
import { resolve } from 'node:path';
import { AnalysisWorker } from '../analysis/index.js';
import { formatBytes } from '../core/format.js';
import { keptStatus } from '../core/kept-memory.js';
import { findStalePartials, stalePartialsMessage } from '../files/private-file.js';
import { observedSnapshotPeak, SnapshotRoomRefused } from '../inspector/check-snapshot-room.js';
import { unusedSnapshotPath } from '../inspector/take-snapshot.js';
import { readRoom } from '../proc/read-room.js';
import { watchRssKept } from '../proc/rss-kept.js';
import { findRow, type Capture, type MonitorStore } from '../state/index.js';
import { captureIntoAnalysis } from '../tasks/index.js';
import { reportFailure } from './report-failure.js';
import type { Sessions } from './sessions.js';

/** A snapshot of the TUI, parsed and held in the analysis worker, for `d` and for Enter on a diff row. */
export interface HeldSnapshot {
  /** Its id in the analysis worker, and in the store (`Attachment.snapshots`, `DiffResult`). */
  id: string;
  /** The process (or worker thread) key it is of. */
  key: string;
  path: string;
}

export class Snapshots {
  readonly #store: MonitorStore;
  readonly #sessions: Sessions;
  /** Where `s` writes its files (and `w` in the diff view). */
  readonly dir: string;
  /**
   * The snapshots held in the analysis worker, by id, oldest first: the last two of each process (for `d` and Enter
   * on a diff row); older ones are dropped there.
   */
  readonly #held = new Map<string, HeldSnapshot>();
  /**
   * Parses and analyses the snapshots, off the thread that draws and answers keys; started on first use, and again
   * after it died (out of memory): the snapshots it held are gone then.
   */
  #analysis: AnalysisWorker | null = null;
  #nextId = 0;
  /** The snapshot whose retainer paths the worker has built (the status says so before the first Enter). */
  pathsBuiltFor: string | null = null;

  constructor(store: MonitorStore, sessions: Sessions, dir = '.') {
    this.#store = store;
    this.#sessions = sessions;
    this.dir = resolve(dir);
  }

  /**
   * Takes a heap snapshot (GC first), attaching first when needed; the file goes to the snapshot directory and is
   * parsed from its chunks as they arrive, in the analysis worker, so `d` can compare it at once.
   */
  async take(key: string, options: { force?: boolean } = {}): Promise<void> {
    const attachedHere = !this.#sessions.has(key);
    if (attachedHere) await this.#sessions.attach(key);
    const session = this.#sessions.get(key);
    if (!session) return;
    if (this.#store.getState().attachments.get(key)?.capture) return this.#store.setStatus('a snapshot of that process is already running');
    const path = unusedSnapshotPath(this.dir, session.pid, new Date(), session.threadId);
    const analysis = this.worker();
    const id = `s${++this.#nextId}`;
    const capture: Capture = { what: { kind: 'snapshot' }, pid: session.pid, sinceMs: Date.now(), step: { phase: 'gc' } };
    this.#store.updateAttachment(key, { capture });
    // The capture's GC and its copy of the heap move the process's memory: not the process's own growth.
    this.#store.markAction(key, 'snapshot', { untilMs: Infinity });
    try {
      const kept = watchRssKept(session.pid);
      const file = await captureIntoAnalysis(session, analysis, { id, path, force: options.force, onProgress: (step) => this.#store.updateAttachment(key, { capture: { ...capture, step } }) });
      this.#store.endAction(key, 'snapshot');
      const rssKept = kept.after();
      // Prepared now (grouping, ids sorted, dominator tree), so that `d` later only compares.
      this.#store.updateAttachment(key, { capture: { ...capture, step: { phase: 'retained' } } });
      await analysis.prepare(id, { retained: true });
      if (!this.#sessions.has(key)) return void analysis.drop(id); // detached meanwhile
      this.#held.set(id, { id, key, path: file.path });
      const held = this.held(key);
      for (const old of held.slice(0, -2)) this.#drop(old.id);
      const previous = this.#store.getState().attachments.get(key)?.snapshots ?? [];
      this.#store.updateAttachment(key, { capture: null, snapshots: [...previous, { id, path: file.path, bytes: file.bytes, takenAtMs: Date.now() }], observedPeak: observedSnapshotPeak(session) });
      // The file name only: the directory was named in the question, and the line must fit 80 columns.
      const name = file.path.slice(file.path.lastIndexOf('/') + 1);
      const keptText = keptStatus(await rssKept);
      const saved = `${held.length >= 2 ? 'd compares the last two. ' : ''}Saved ${name} (${formatBytes(file.bytes)}, ${(file.durationMs / 1000).toFixed(1)} s)${keptText ? `; ${keptText}` : ''}`;
      // Left by a killed run: heap contents lying around, which leaktop reports but does not delete (not its own).
      const stale = await findStalePartials(this.dir);
      this.#store.setStatus(stale.length > 0 ? `${saved}; ${stalePartialsMessage(stale, { withDir: false })}` : saved);
    } catch (error) {
      this.#store.endAction(key, 'snapshot');
      void analysis.drop(id);
      if (this.#store.getState().attachments.has(key)) this.#store.updateAttachment(key, { capture: null });
      // Attached for this snapshot only, and refused before it: close what was opened for it.
      if (attachedHere && error instanceof SnapshotRoomRefused) await this.#sessions.detach(key);
      reportFailure(this.#store, error);
    }
  }

  /** The snapshots held for the process, oldest first (two at most once a capture is done). */
  held(key: string): HeldSnapshot[] {
    return [...this.#held.values()].filter((held) => held.key === key);
  }

  /** The snapshot held under this id; undefined once dropped (its process detached, or two newer ones taken). */
  get(id: string): HeldSnapshot | undefined {
    return this.#held.get(id);
  }

  /** Drops the snapshots held for the process (its session ended). */
  forget(key: string): void {
    for (const held of this.held(key)) this.#drop(held.id);
  }

  #drop(id: string): void {
    this.#held.delete(id);
    void this.#analysis?.drop(id);
  }

  /** The analysis worker, started (again) when there is none or it died; the snapshots of a dead one are gone. */
  worker(): AnalysisWorker {
    if (this.#analysis && !this.#analysis.failed) return this.#analysis;
    this.#held.clear();
    this.pathsBuiltFor = null;
    this.#analysis = AnalysisWorker.start();
    return this.#analysis;
  }

  /** Ends the analysis worker, whatever it computes (on quit). */
  async stopAnalysis(): Promise<void> {
    const analysis = this.#analysis;
    this.#analysis = null;
    await analysis?.terminate();
  }

  /**
   * Reads the room of a process (its memory cgroup's, or the host's MemAvailable) into the store, for the question
   * before a snapshot: a few small files, no inspector needed.
   */
  readRoom(key: string): void {
    // A worker's room is its process's: every isolate of the process allocates from it.
    const pid = findRow(this.#store.getState(), key)?.sample.pid;
    if (pid === undefined) return;
    this.#store.setRoom({ key, room: readRoom(pid), readAtMs: Date.now() });
  }
}
