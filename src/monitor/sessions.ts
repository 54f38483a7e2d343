import { resolve } from 'node:path';
import { AnalysisWorker } from '../analysis/index.js';
import { formatBytes } from '../core/format.js';
import type { DiffSort } from '../core/snapshot/diff-snapshots.js';
import type { ClassRef } from '../core/snapshot/retained.js';
import { keptStatus } from '../core/kept-memory.js';
import { UserError } from '../core/user-error.js';
import { findStalePartials, stalePartialsMessage, writePrivateFile } from '../files/private-file.js';
import { makeWorkDir, removeStaleWorkDirs, removeWorkDir } from '../files/work-dir.js';
import { defaultSnapshotName, unusedSnapshotPath } from '../inspector/take-snapshot.js';
import { InspectorSession } from '../inspector/session.js';
import { withTimeout } from '../inspector/with-timeout.js';
import { DEFAULT_SAMPLING_INTERVAL_BYTES, SamplingProfiler } from '../inspector/sampling-profiler.js';
import { readCwd } from '../proc/read-cwd.js';
import { findRow, processKeyOf, threadKey, type HeapReading, type LeakCheck, type MonitorStore, type WhyRun } from '../state/index.js';
import { NodeWorkers, type WorkerSession } from '../inspector/worker-sessions.js';
import { why } from '../tasks/why.js';
import { captureIntoAnalysis, compareSnapshots, leakCheck, type CaptureProgress } from '../tasks/index.js';
import { readRoom } from '../proc/read-room.js';
import { observedSnapshotPeak, SnapshotRoomRefused } from '../inspector/check-snapshot-room.js';
import { watchRssKept } from '../proc/rss-kept.js';
import { trimMemory } from '../native/trim-memory.js';

/** A snapshot of the TUI, parsed and held in the analysis worker, for `d` and for Enter on a diff row. */
interface HeldSnapshot {
  path: string;
  /** Its id in the analysis worker. */
  id: string;
}

/** How often a running allocation sampler's profile is re-read for the view, ms. */
const ALLOC_REFRESH_MS = 3000;

/** How a session manager starts sessions; a test may count or fail them. */
export type AttachFn = (pid: number, options: { startTimeTicks: number }) => Promise<InspectorSession>;

/**
 * The inspector sessions of a running leaktop, one per process at most, and the actions on them. It is the only
 * owner of sessions: it keeps the store's `attachments` in step, turns failures into a status line, and closes
 * every inspector it opened on the way out (`detachAll`).
 */
export class SessionManager {
  readonly #sessions = new Map<string, InspectorSession>();
  readonly #store: MonitorStore;
  readonly #attach: AttachFn;
  /** The last two snapshots per process (for `d`), held in the analysis worker; older ones are dropped there. */
  readonly #parsed = new Map<string, HeldSnapshot[]>();
  /**
   * Parses and analyses the snapshots, off the thread that draws and answers keys; started on first use, and again
   * after it died (out of memory): the snapshots it held are gone then.
   */
  #analysis: AnalysisWorker | null = null;
  #nextSnapshotId = 0;
  /** The diff being computed (`d`): a later `d` makes an earlier result stale. */
  #diffRun = 0;
  /** The snapshot whose retainer paths the worker has built (the status says so before the first Enter). */
  #pathsBuiltFor: string | null = null;
  /** Running leak checks (`L`), by process key: aborting one stops it at the next step. */
  readonly #leakRuns = new Map<string, AbortController>();
  readonly #snapshotDir: string;
  /** Running allocation samplers, by process key (`p`). */
  readonly #profilers = new Map<string, SamplingProfiler>();
  /** One timer re-reads every running sampler's profile; it runs only while one does. */
  #allocTimer: NodeJS.Timeout | undefined;
  #allocReading = false;
  readonly #allocRefreshMs: number;
  /** Running why workflows (`w`), by process key: Esc, a detach or quitting aborts one and waits for its cleanup. */
  readonly #whyRuns = new Map<string, { abort: AbortController; done: Promise<void> }>();
  /** Running trims (`T`), by process key: quitting waits for them, so gdb is never left mid-call by us. */
  readonly #trims = new Map<string, Promise<void>>();
  /**
   * The worker threads of each attached process, by process key (issue 15). Each worker's session is in
   * `#sessions` under its row's key (`threadKey`), so every action works on a worker row as on a process.
   */
  readonly #workers = new Map<string, NodeWorkers>();

  constructor(store: MonitorStore, options: { attach?: AttachFn; snapshotDir?: string; allocRefreshMs?: number } = {}) {
    this.#store = store;
    this.#allocRefreshMs = options.allocRefreshMs ?? ALLOC_REFRESH_MS;
    this.#attach = options.attach ?? ((pid, attachOptions) => InspectorSession.attach(pid, attachOptions));
    this.#snapshotDir = resolve(options.snapshotDir ?? '.');
  }

  /**
   * Takes a heap snapshot (GC first), attaching first when needed; the file goes to the snapshot directory and is
   * parsed from its chunks as they arrive, in the analysis worker, so `d` can compare it at once.
   */
  async snapshot(key: string, options: { force?: boolean } = {}): Promise<void> {
    const attachedHere = !this.#sessions.has(key);
    if (attachedHere) await this.attach(key);
    const session = this.#sessions.get(key);
    if (!session) return;
    if (this.#store.getState().attachments.get(key)?.capture) return this.#store.setStatus('a snapshot of that process is already running');
    const path = unusedSnapshotPath(this.#snapshotDir, session.pid, new Date(), session.threadId);
    const analysis = this.#worker();
    const id = `s${++this.#nextSnapshotId}`;
    this.#store.updateAttachment(key, { capture: { stage: 'full GC' } });
    // The capture's GC and its copy of the heap move the process's memory: not the process's own growth.
    this.#store.markAction(key, 'snapshot', { untilMs: Infinity });
    try {
      const kept = watchRssKept(session.pid);
      const file = await captureIntoAnalysis(session, analysis, { id, path, force: options.force, onProgress: (progress) => this.#store.updateAttachment(key, { capture: { stage: captureStage(progress) } }) });
      this.#store.endAction(key, 'snapshot');
      const rssKept = kept.after();
      // Prepared now (grouping, ids sorted, dominator tree), so that `d` later only compares.
      this.#store.updateAttachment(key, { capture: { stage: 'retained sizes (the process runs again)' } });
      await analysis.prepare(id, { retained: true });
      if (!this.#sessions.has(key)) return void analysis.drop(id); // detached meanwhile
      const parsed = [...(this.#parsed.get(key) ?? []), { path: file.path, id }];
      for (const old of parsed.slice(0, -2)) void analysis.drop(old.id);
      this.#parsed.set(key, parsed.slice(-2));
      const previous = this.#store.getState().attachments.get(key)?.snapshots ?? [];
      this.#store.updateAttachment(key, { capture: null, snapshots: [...previous, { path: file.path, bytes: file.bytes, takenAtMs: Date.now() }], observedPeak: observedSnapshotPeak(session) });
      // The file name only: the directory was named in the question, and the line must fit 80 columns.
      const name = file.path.slice(file.path.lastIndexOf('/') + 1);
      const keptText = keptStatus(await rssKept);
      const saved = `${parsed.length >= 2 ? 'd compares the last two. ' : ''}Saved ${name} (${formatBytes(file.bytes)}, ${(file.durationMs / 1000).toFixed(1)} s)${keptText ? `; ${keptText}` : ''}`;
      // Left by a killed run: heap contents lying around, which leaktop reports but does not delete (not its own).
      const stale = await findStalePartials(this.#snapshotDir);
      this.#store.setStatus(stale.length > 0 ? `${saved}; ${stalePartialsMessage(stale, { withDir: false })}` : saved);
    } catch (error) {
      this.#store.endAction(key, 'snapshot');
      void analysis.drop(id);
      if (this.#store.getState().attachments.has(key)) this.#store.updateAttachment(key, { capture: null });
      // Attached for this snapshot only, and refused before it: close what was opened for it.
      if (attachedHere && error instanceof SnapshotRoomRefused) await this.detach(key);
      this.#fail(error);
    }
  }

  /**
   * `T`: malloc_trim(0) in the process through gdb (it need not be attached), the result in the status line. The
   * process is stopped for the call (~0.3 s); trim-memory.ts has the checks and why it cannot hang the process.
   */
  async trim(key: string): Promise<void> {
    if (this.#trims.has(key)) return this.#store.setStatus('a trim of that process is already running');
    const tracked = findRow(this.#store.getState(), key);
    if (!tracked) return this.#fail(new UserError('that process has exited'));
    if (this.#store.getState().attachments.get(key)?.capture) return this.#fail(new UserError('a snapshot of that process is running: wait for it, then T again'));
    const { pid, startTimeTicks } = tracked.sample;
    this.#store.setStatus(`Trimming ${pid}: gdb stops it for the call...`);
    this.#store.markAction(key, 'trim', { untilMs: Infinity });
    const running = trimMemory(pid, { startTimeTicks })
      .then((result) => {
        const returned = Math.max(0, result.rssBeforeBytes - result.rssAfterBytes);
        this.#store.setStatus(`Trimmed ${pid}: RSS ${formatBytes(result.rssBeforeBytes)} -> ${formatBytes(result.rssAfterBytes)} (gave back ${formatBytes(returned)}), stopped ${result.stoppedMs} ms`);
      })
      .catch((error: unknown) => this.#fail(error))
      .finally(() => {
        this.#store.endAction(key, 'trim');
        this.#trims.delete(key);
      });
    this.#trims.set(key, running);
    await running;
  }

  /**
   * Compares the last two snapshots of the process (same session: new and freed objects by id), in the analysis
   * worker: true when there are two to compare — the view opens at once and the result follows; keys and redraws
   * go on meanwhile.
   */
  diff(key: string, sort: DiffSort = 'size'): boolean {
    const parsed = this.#parsed.get(key);
    const session = this.#sessions.get(key);
    if (!parsed || parsed.length < 2 || !session) {
      this.#fail(new UserError('take two snapshots of that process first (s, then s again later)'));
      return false;
    }
    const [a, b] = parsed as [HeldSnapshot, HeldSnapshot];
    const run = ++this.#diffRun;
    this.#store.setDiffComputing(session.pid);
    this.#store.setStatus(`Comparing the last two snapshots of ${session.pid}...`);
    void (async () => {
      try {
        const diff = await compareSnapshots(this.#worker(), a.id, b.id, { sort, idsComparable: true, retained: true, paths: false });
        if (run !== this.#diffRun) return;
        this.#store.setDiff({ pid: session.pid, aPath: a.path, bPath: b.path, diff, key });
        this.#store.clearStatus();
      } catch (error) {
        if (run !== this.#diffRun) return;
        this.#store.setDiff(null);
        this.#fail(error);
      }
    })();
    return true;
  }

  /**
   * Enter on a diff row: the objects of that constructor in the later snapshot, new ones first, with shallow and
   * retained sizes and their grouped retainer paths, from the analysis worker. The reverse-edge index and distances
   * are built on the first Enter of a diff (a second or so on a large heap: the status says so first), then reused.
   */
  async inspectClass(ref: ClassRef): Promise<void> {
    const { name } = ref;
    const diff = this.#store.getState().diff;
    const parsed = diff?.key === undefined ? undefined : this.#parsed.get(diff.key);
    const b = parsed?.find((p) => p.path === diff?.bPath);
    const a = parsed?.find((p) => p.path === diff?.aPath);
    if (!diff || !a || !b) return this.#fail(new UserError('the snapshots of this diff are gone (detached?): take two again (s, s, d)'));
    const empty = { pid: diff.pid, name, count: 0, selfSize: 0, retainedSize: null, newCount: null, objects: [], pathsOfNew: false, paths: [] };
    this.#store.setObjects({ ...empty, computing: true });
    try {
      if (this.#pathsBuiltFor !== b.id) this.#store.setStatus(`Finding retainer paths in ${b.path.slice(b.path.lastIndexOf('/') + 1)}...`);
      const { found } = await this.#worker().classObjects({ id: b.id, earlier: a.id, ref, limit: 20, pathLimit: 8 });
      this.#pathsBuiltFor = b.id;
      if (this.#store.getState().objects?.name !== name) return; // another row was opened meanwhile
      if (!found) {
        this.#store.setObjects({ ...empty, computing: false });
        return this.#store.setStatus(`no ${name} objects in the later snapshot (all freed)`);
      }
      this.#store.setObjects({
        pid: diff.pid,
        name,
        computing: false,
        count: found.count,
        selfSize: found.selfSize,
        retainedSize: found.retainedSize,
        newCount: found.newCount,
        objects: found.objects.map(({ id, selfSize, retainedSize, isNew }) => ({ id, selfSize, retainedSize, isNew })),
        pathsOfNew: found.pathsOfNew,
        paths: found.paths,
      });
      this.#store.clearStatus();
    } catch (error) {
      this.#store.setObjects(null);
      this.#fail(error);
    }
  }

  /**
   * `L`: three-snapshot leak detection on the process (tasks/leak-check.ts) — baseline, wait, target, wait, final,
   * in this one session — with a countdown in the store's `leakCheck`. The files go to a temporary directory and
   * are deleted as each is parsed; the candidates are computed in the analysis worker. A session that `L` opened
   * is ended right after the last snapshot, before the analysis: the target's inspector is closed while leaktop
   * computes. One the user opened (a) stays. Detaching (x, q) stops the check.
   */
  async detectLeaks(key: string, intervalMs: number, options: { force?: boolean } = {}): Promise<void> {
    if (this.#leakRuns.has(key)) return this.#store.setStatus('a leak check of that process is already running');
    const openedHere = !this.#sessions.has(key);
    if (openedHere) await this.attach(key);
    const session = this.#sessions.get(key);
    if (!session) return;
    if (this.#store.getState().attachments.get(key)?.capture) return this.#fail(new UserError('a snapshot of that process is running: wait for it, then L again'));
    const abort = new AbortController();
    this.#leakRuns.set(key, abort);
    const startedAtMs = Date.now();
    this.#store.setLeakCheck({ key, pid: session.pid, intervalMs, stage: 'starting', running: true, candidates: null, error: null, startedAtMs });
    const update = (patch: Partial<Pick<LeakCheck, 'stage' | 'running' | 'candidates' | 'error'>>) => {
      const current = this.#store.getState().leakCheck;
      if (current && current.startedAtMs === startedAtMs && current.key === key) this.#store.setLeakCheck({ ...current, ...patch });
    };
    let dir: string | null = null;
    /** The capture whose mark is open: each of the three snapshots moves the process's memory by itself. */
    let markedCapture = 0;
    try {
      removeStaleWorkDirs('leaktop-leaks-');
      dir = makeWorkDir('leaktop-leaks-');
      const workDir = dir;
      const stamp = defaultSnapshotName(session.pid, new Date());
      const { report } = await leakCheck(
        {
          session,
          analysis: this.#worker(),
          idPrefix: `L${startedAtMs}-${key}-`,
          signal: abort.signal,
          pathFor: (stage) => `${workDir}/${stamp.replace('.heapsnapshot', `-${stage}.heapsnapshot`)}`,
          force: options.force,
          afterLastCapture: async () => {
            if (!openedHere) return;
            this.#leakRuns.delete(key); // this detach must not stop the check it ends the captures of
            await this.detach(key);
          },
        },
        {
          intervalMs,
          removeEach: true,
          onProgress: (progress) => {
            if (progress.step === 'capture') {
              if (markedCapture !== progress.n) {
                markedCapture = progress.n;
                this.#store.markAction(key, 'snapshot', { untilMs: Infinity });
              }
              const label = `snapshot ${progress.n}/3 (${progress.stage})`;
              update({ stage: `${label}: ${captureStage(progress.capture)}` });
              if (this.#store.getState().attachments.has(key)) this.#store.updateAttachment(key, { capture: { stage: `leak check ${label}` } });
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
        this.#leakRuns.delete(key);
        await this.detach(key);
      }
      if (!abort.signal.aborted) this.#fail(error);
    } finally {
      this.#store.endAction(key, 'snapshot');
      if (this.#leakRuns.get(key) === abort) this.#leakRuns.delete(key);
      if (dir) removeWorkDir(dir);
    }
  }

  /**
   * `w`: the why workflow (tasks/why.ts) on the process — watch, sample, snapshots only with room (never forced),
   * report — its steps into the store's `whyRun` as they go. It uses the session when the process is attached
   * (left open after) and otherwise opens its own, which it closes when it ends, is stopped (Esc: `stopWhy`) or the
   * process is detached.
   */
  async why(key: string, durationMs: number): Promise<void> {
    if (this.#whyRuns.has(key)) return this.#store.setStatus('why is already running on that process (Esc in its view stops it)');
    // A worker thread's row: its isolate, through the session the TUI already has on that worker.
    const tracked = findRow(this.#store.getState(), key);
    if (!tracked) return this.#fail(new UserError('that process has exited'));
    if (tracked.thread && !this.#sessions.has(key)) return this.#fail(new UserError('that worker thread has no session: attach its process (a) first'));
    if (this.#store.getState().attachments.get(key)?.capture) return this.#fail(new UserError('a snapshot of that process is running: wait for it, then w again'));
    const { pid, startTimeTicks } = tracked.sample;
    const abort = new AbortController();
    const startedAtMs = Date.now();
    this.#store.setWhyRun({ key, pid, durationMs, progress: null, result: null, running: true, error: null, startedAtMs });
    const update = (patch: Partial<WhyRun>) => {
      const current = this.#store.getState().whyRun;
      if (current && current.startedAtMs === startedAtMs && current.key === key) this.#store.setWhyRun({ ...current, ...patch });
    };
    let finish: () => void = () => undefined;
    this.#whyRuns.set(key, { abort, done: new Promise<void>((resolve) => (finish = resolve)) });
    try {
      const result = await why({
        pid,
        startTimeTicks,
        durationMs,
        snapshots: true,
        signal: abort.signal,
        session: this.#sessions.get(key),
        attach: (p, options) => this.#attach(p, { startTimeTicks: options.startTimeTicks ?? startTimeTicks }),
        analysis: this.#worker(),
        onProgress: (progress) => update({ progress }),
      });
      update({ result, running: false });
      const top = result.culprits[0];
      this.#store.setStatus(`why ${pid}: ${result.verdict}${top ? `; culprit ${top.name ?? top.site?.functionName ?? '?'}` : ''}`);
    } catch (error) {
      update({ running: false, error: abort.signal.aborted ? 'stopped' : error instanceof Error ? error.message : String(error) });
      if (!abort.signal.aborted) this.#fail(error);
    } finally {
      this.#whyRuns.delete(key);
      finish();
    }
  }

  /** Stops the why workflow on the process (Esc in its view): the sampler stops and what it opened is closed. */
  async stopWhy(key: string): Promise<void> {
    const run = this.#whyRuns.get(key);
    if (!run) return;
    run.abort.abort();
    await run.done;
  }

  /** The analysis worker, started (again) when there is none or it died; the snapshots of a dead one are gone. */
  #worker(): AnalysisWorker {
    if (this.#analysis && !this.#analysis.failed) return this.#analysis;
    this.#parsed.clear();
    this.#pathsBuiltFor = null;
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

  /** Writes the current diff view to a file beside the snapshots, as text or JSON. */
  async writeDiff(format: 'text' | 'json', text: () => string): Promise<void> {
    const current = this.#store.getState().diff;
    if (!current) return;
    const path = `${this.#snapshotDir}/leaktop-diff-${current.pid}-${Date.now()}.${format === 'json' ? 'json' : 'txt'}`;
    try {
      await writePrivateFile(path, format === 'json' ? `${JSON.stringify(current.diff, null, 2)}\n` : text());
      this.#store.setStatus(`Written: ${path}`);
    } catch (error) {
      this.#fail(error instanceof UserError ? error : new UserError(`could not write '${path}': ${(error as Error).message}`, { cause: error }));
    }
  }

  /**
   * `p`: starts V8's sampling heap profiler in the attached process, or stops the one running (its last profile
   * stays in the view). The profile is re-read every few seconds while it runs.
   */
  async toggleSampling(key: string, intervalBytes?: number): Promise<void> {
    const session = this.#sessions.get(key);
    if (!session) return this.#fail(new UserError('attach first (a) to sample allocations in that process'));
    if (this.#profilers.has(key)) return this.stopSampling(key);
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
      this.#allocTimer ??= setInterval(() => void this.#readProfiles(), this.#allocRefreshMs);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Stops the sampler of the process, keeping its last profile for the view. */
  async stopSampling(key: string): Promise<void> {
    const profiler = this.#profilers.get(key);
    if (!profiler) return;
    this.#profilers.delete(key);
    this.#stopTimerIfIdle();
    this.#store.endAction(key, 'sampling');
    try {
      const last = await profiler.stop();
      const alloc = this.#store.getState().attachments.get(key)?.alloc;
      if (alloc) this.#store.updateAttachment(key, { alloc: { ...alloc, running: false, ...(last ? { profile: last, profiledAtMs: Date.now() } : {}) } });
      this.#store.setStatus(`Stopped sampling allocations in ${profiler.session.pid}`);
    } catch (error) {
      this.#fail(error);
    }
  }

  /** Restarts the sampler of the process at another interval (a new run: the profile starts empty). */
  async setSamplingInterval(key: string, intervalBytes: number): Promise<void> {
    if (this.#profilers.has(key)) await this.stopSampling(key);
    await this.toggleSampling(key, intervalBytes);
  }

  /** `m`: marks the current profile as the point to compare to, or clears the mark. */
  markAllocations(key: string): void {
    const alloc = this.#store.getState().attachments.get(key)?.alloc;
    if (!alloc) return;
    if (alloc.mark) {
      this.#store.updateAttachment(key, { alloc: { ...alloc, mark: null } });
      return this.#store.setStatus('Mark cleared: live bytes per site');
    }
    if (!alloc.profile) return this.#fail(new UserError('no profile yet to mark: wait for the first one (a few seconds)'));
    this.#store.updateAttachment(key, { alloc: { ...alloc, mark: { profile: alloc.profile, markedAtMs: alloc.profiledAtMs ?? Date.now() } } });
    this.#store.setStatus('Marked: the view now shows the growth per site since this point (m clears)');
  }

  /** Re-reads the profile of every running sampler into the store; one round at a time. */
  async #readProfiles(): Promise<void> {
    if (this.#allocReading) return;
    this.#allocReading = true;
    try {
      await Promise.all(
        [...this.#profilers].map(async ([key, profiler]) => {
          const profile = await withTimeout(profiler.profile(), this.#allocRefreshMs * 3).catch(() => undefined);
          const alloc = this.#store.getState().attachments.get(key)?.alloc;
          if (!profile || !alloc || !alloc.running || this.#profilers.get(key) !== profiler) return;
          this.#store.updateAttachment(key, { alloc: { ...alloc, profile, profiledAtMs: Date.now() } });
        }),
      );
    } finally {
      this.#allocReading = false;
    }
  }

  #stopTimerIfIdle(): void {
    if (this.#profilers.size > 0 || !this.#allocTimer) return;
    clearInterval(this.#allocTimer);
    this.#allocTimer = undefined;
  }

  /** Sessions now open. */
  get size(): number {
    return this.#sessions.size;
  }

  session(key: string): InspectorSession | undefined {
    return this.#sessions.get(key);
  }

  /** Opens a session on the process with this key (a no-op when one exists or is opening). */
  async attach(key: string): Promise<void> {
    if (this.#store.getState().attachments.has(key)) return;
    const tracked = this.#store.getState().processes.find((p) => p.key === key);
    if (!tracked) return this.#fail(new UserError('that process has exited'));
    const { pid, startTimeTicks } = tracked.sample;
    this.#store.setAttachment({ key, pid, phase: 'attaching', port: null, openedByLeaktop: false, nodeVersion: null, heap: null, gc: null });
    // Opening an inspector starts a thread and buffers in the process: a step of its RSS that is leaktop's.
    this.#store.markAction(key, 'attach', { untilMs: Infinity });
    try {
      const session = await this.#attach(pid, { startTimeTicks });
      this.#store.endAction(key, 'attach');
      this.#sessions.set(key, session);
      this.#store.updateAttachment(key, { phase: 'attached', port: session.port, openedByLeaktop: session.openedByLeaktop, nodeVersion: session.nodeVersion });
      this.#store.setStatus(
        session.openedByLeaktop
          ? `Attached to ${pid}: leaktop opened its inspector on 127.0.0.1:${session.port} (x detaches and closes it)`
          : `Attached to ${pid} through its own inspector on 127.0.0.1:${session.port} (left open on detach)`,
      );
      void session.connection.closed.then(() => this.#lost(key, pid));
      void this.#followWorkers(key, session);
    } catch (error) {
      this.#store.endAction(key, 'attach');
      this.#store.removeAttachment(key);
      this.#fail(error);
    }
  }

  /**
   * Lists the worker threads of a process just attached and keeps the list (and a session per worker) in step
   * while attached: a row per worker under its process. Node attaches the main thread's session to every worker
   * once NodeWorker is enabled; detaching the process ends them all. A process where that fails just shows no
   * workers.
   */
  async #followWorkers(key: string, session: InspectorSession): Promise<void> {
    let workers: NodeWorkers;
    try {
      workers = await NodeWorkers.enable(session, { follow: true });
    } catch {
      return;
    }
    if (this.#sessions.get(key) !== session) return void workers.close(); // detached meanwhile
    this.#workers.set(key, workers);
    const sync = () => {
      if (this.#workers.get(key) !== workers) return;
      const threads = workers.threads;
      const keys = new Set(threads.map((t) => threadKey(key, t.threadId)));
      for (const old of this.#workerKeys(key)) {
        if (keys.has(old)) continue;
        this.#dropWorker(old);
        this.#store.setStatus(`Worker thread ${old.slice(old.lastIndexOf('/t') + 2)} of ${session.pid} exited`);
      }
      for (const thread of threads) {
        const workerKey = threadKey(key, thread.threadId);
        if (this.#sessions.has(workerKey)) continue;
        const worker: WorkerSession = workers.open(thread);
        this.#sessions.set(workerKey, worker);
        this.#store.setAttachment({ key: workerKey, pid: session.pid, phase: 'attached', port: session.port, openedByLeaktop: false, nodeVersion: session.nodeVersion, heap: null, gc: null });
        void worker.connection.closed.then(() => this.#sessions.get(workerKey) === worker && this.#dropWorker(workerKey));
      }
      this.#store.setThreads(key, threads);
    };
    workers.onChange(sync);
    sync();
  }

  /** The keys of the worker sessions of a process. */
  #workerKeys(processKey: string): string[] {
    return [...this.#sessions.keys()].filter((k) => k !== processKey && processKeyOf(k) === processKey);
  }

  /** Forgets a worker's session and what was held for it (its thread exited, or its process is detached). */
  #dropWorker(workerKey: string): void {
    if (!this.#sessions.delete(workerKey)) return;
    this.#forgetSnapshots(workerKey);
    this.#leakRuns.get(workerKey)?.abort();
    this.#profilers.delete(workerKey);
    this.#stopTimerIfIdle();
    this.#store.removeAttachment(workerKey);
  }

  /**
   * Ends the worker sessions of a process before its own: what runs in them (a sampler) is stopped, every worker is
   * detached and NodeWorker disabled. Bounded; never throws.
   */
  async #closeWorkers(processKey: string): Promise<void> {
    const workers = this.#workers.get(processKey);
    this.#workers.delete(processKey);
    const profilers = this.#workerKeys(processKey).flatMap((k) => this.#profilers.get(k) ?? []);
    for (const workerKey of this.#workerKeys(processKey)) this.#dropWorker(workerKey);
    this.#store.setThreads(processKey, []);
    await Promise.all(profilers.map((p) => withTimeout(p.stop().catch(() => undefined), 3000)));
    await workers?.close();
  }

  /**
   * Ends the session of this process, closing the inspector if leaktop opened it. Without a session, an inspector
   * a killed leaktop left open in the process (as the last scan found it) is closed: attaching adopts it (see
   * InspectorSession.attach), and detaching closes what is leaktop's. Resolves with the failure, if any (also shown
   * as the status line): `detachAll` hands those on, so that quitting can say what is still open.
   */
  async detach(key: string): Promise<unknown> {
    // x on a worker row detaches its process: a worker's session cannot outlive the main thread's.
    key = processKeyOf(key);
    const session = this.#sessions.get(key);
    if (!session) return this.#closeLeftOpen(key);
    this.#forgetSnapshots(key);
    this.#leakRuns.get(key)?.abort();
    // A why run on this session would go on without it: stopped first (its sampler with it).
    await this.stopWhy(key);
    this.#store.updateAttachment(key, { phase: 'detaching' });
    this.#sessions.delete(key);
    // Also done by session.detach (the sampler registers itself there); stopping it first keeps the timer in step.
    const profiler = this.#profilers.get(key);
    this.#profilers.delete(key);
    this.#stopTimerIfIdle();
    this.#store.endAction(key, 'sampling');
    this.#store.markAction(key, 'detach', { untilMs: Infinity });
    try {
      await profiler?.stop().catch(() => undefined);
      await this.#closeWorkers(key);
      await session.detach();
      this.#store.setStatus(session.openedByLeaktop ? `Detached from ${session.pid}; its inspector is closed` : `Detached from ${session.pid}`);
      return undefined;
    } catch (error) {
      this.#fail(error);
      return error;
    } finally {
      this.#store.endAction(key, 'detach');
      this.#store.removeAttachment(key);
    }
  }

  async #closeLeftOpen(key: string): Promise<unknown> {
    const found = this.#store.getState().openInspectors?.get(key);
    if (!found || this.#store.getState().attachments.has(key)) return;
    if (found.openedBy !== 'leaktop-died') {
      return this.#fail(
        new UserError(`the inspector of ${found.pid} on port ${found.port} was not opened by a leaktop that died: it stays open`, {
          hint: found.openedBy === 'other' ? `leaktop close ${found.pid} --force closes it anyway` : 'the leaktop that opened it closes it',
        }),
      );
    }
    await this.attach(key);
    if (!this.#sessions.has(key)) return; // attach failed and said why
    await this.detach(key);
    this.#store.forgetOpenInspector(key);
  }

  /** Forces a full GC in the process and records what it freed. */
  async collectGarbage(key: string): Promise<void> {
    const session = this.#sessions.get(key);
    if (!session) return this.#fail(new UserError('attach first (a) to run a GC in that process'));
    this.#store.updateAttachment(key, { gc: { running: true } });
    // A forced GC drops the heap below its natural floor: an outlier of the floor, left out of the judgement.
    this.#store.markAction(key, 'gc', { untilMs: Infinity });
    try {
      const result = await session.collectGarbage();
      this.#store.endAction(key, 'gc');
      this.#store.updateAttachment(key, { gc: { running: false, ...result } });
      const freed = result.heapUsedBeforeBytes - result.heapUsedAfterBytes;
      this.#store.setStatus(`GC in ${session.pid}: freed ${Math.max(0, Math.round(freed / 1024))} KiB in ${Math.round(result.durationMs)} ms`);
    } catch (error) {
      this.#store.endAction(key, 'gc');
      this.#store.updateAttachment(key, { gc: null });
      this.#fail(error);
    }
  }

  /**
   * Heap figures of every attached process — heap used/total, `process.memoryUsage()` and the heap spaces, three
   * ~0.2 ms requests — read concurrently; a session that does not answer within `timeoutMs` is left out of this
   * tick (a gap), not waited for.
   */
  async readHeaps(timeoutMs = 500): Promise<Map<string, HeapReading>> {
    const readings = new Map<string, HeapReading>();
    await Promise.all(
      [...this.#sessions].map(async ([key, session]) => {
        const read = async (): Promise<HeapReading> => {
          const [usage, memory, spaces] = await Promise.all([session.heapUsage(), session.memoryUsage(), session.heapSpaces()]);
          return { ...usage, memory, spaces };
        };
        const reading = await withTimeout(read(), timeoutMs).catch(() => undefined);
        if (reading) readings.set(key, reading);
      }),
    );
    return readings;
  }

  /**
   * Ends every session, closing what leaktop opened (each gets at most `timeoutMs`), and the analysis worker.
   * Returns what could not be closed (UserErrors saying where an inspector still listens), for the caller to print
   * once the screen is gone.
   */
  async detachAll(timeoutMs = 5000): Promise<unknown[]> {
    const failures: unknown[] = [];
    for (const run of this.#leakRuns.values()) run.abort(); // also those past their captures, no session left
    await Promise.all([
      // A why run that opened its own session closes it as it stops.
      ...[...this.#whyRuns.keys()].map(async (key) => {
        if (!(await withTimeout(this.stopWhy(key).then(() => true), timeoutMs))) failures.push(new UserError(`stopping why on process ${key.split('@')[0]} took more than ${Math.round(timeoutMs / 1000)} s; its inspector may still be open`));
      }),
    ]);
    await Promise.all([
      this.stopAnalysis(),
      ...[...this.#sessions].filter(([key]) => processKeyOf(key) === key).map(async ([key, session]) => {
        const result = await withTimeout(this.detach(key).then((failure) => ({ failure })), timeoutMs);
        if (!result) failures.push(new UserError(`detaching from process ${session.pid} took more than ${Math.round(timeoutMs / 1000)} s; its inspector may still be open`));
        else if (result.failure !== undefined) failures.push(result.failure);
      }),
      // A trim under way ends in ~0.3 s; were leaktop to leave first, gdb would still finish it and detach alone.
      ...[...this.#trims.values()].map((trim) => withTimeout(trim, timeoutMs)),
    ]);
    return failures;
  }

  #lost(key: string, pid: number): void {
    if (!this.#sessions.has(key)) return; // a detach we asked for
    void this.#closeWorkers(key); // their sessions went with the main thread's
    this.#sessions.delete(key);
    this.#forgetSnapshots(key);
    this.#leakRuns.get(key)?.abort();
    this.#whyRuns.get(key)?.abort.abort();
    this.#profilers.delete(key); // the process or its inspector is gone, and its sampler with it
    this.#stopTimerIfIdle();
    this.#store.endAction(key, 'sampling');
    this.#store.removeAttachment(key);
    this.#store.setStatus(`The inspector session with ${pid} ended (the process exited or closed it)`, 'error');
  }

  #forgetSnapshots(key: string): void {
    for (const held of this.#parsed.get(key) ?? []) void this.#analysis?.drop(held.id);
    this.#parsed.delete(key);
  }

  #fail(error: unknown): void {
    if (error instanceof UserError) this.#store.setStatus(`${error.message}${error.hint ? ` — ${error.hint}` : ''}`, 'error');
    else this.#store.setStatus(`unexpected error: ${(error as Error).message}`, 'error');
  }
}

/** A capture's progress as the TUI's status words. */
function captureStage(progress: CaptureProgress): string {
  if (progress.phase === 'gc') return 'full GC';
  if (progress.phase === 'building') return `building ${Math.floor((progress.done / Math.max(1, progress.total)) * 100)}%`;
  return `writing ${formatBytes(progress.bytes)}`;
}
