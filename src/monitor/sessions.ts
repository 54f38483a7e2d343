import { join, resolve } from 'node:path';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { formatBytes } from '../core/format.js';
import { keptStatus } from '../core/kept-memory.js';
import { diffSnapshots, prepareSnapshot, withShapesOf, type DiffSort, type PreparedSnapshot } from '../core/snapshot/diff-snapshots.js';
import { SnapshotParser } from '../core/snapshot/parse-snapshot.js';
import type { HeapSnapshot } from '../core/snapshot/heap-snapshot.js';
import { findLeakCandidates, snapshotIds, type SnapshotIds } from '../core/snapshot/leak-candidates.js';
import { classObjects, retainedSizes, retainedSizesFor, withRetainedDiff, type ClassRef, type RetainedSizes } from '../core/snapshot/retained.js';
import { pathGroupJson, RetainerPaths } from '../core/snapshot/retainer-paths.js';
import { UserError } from '../core/user-error.js';
import { defaultSnapshotName, takeSnapshot, unusedSnapshotPath } from '../inspector/take-snapshot.js';
import { InspectorSession } from '../inspector/session.js';
import { withTimeout } from '../inspector/with-timeout.js';
import { DEFAULT_SAMPLING_INTERVAL_BYTES, SamplingProfiler } from '../inspector/sampling-profiler.js';
import { readCwd } from '../proc/read-cwd.js';
import { watchRssKept } from '../proc/rss-kept.js';
import { trimMemory } from '../native/trim-memory.js';
import type { HeapReading, MonitorStore } from '../state/index.js';

/** Lets the UI draw a status before a long synchronous computation (ink renders on a timer). */
const letUiDraw = () => new Promise<void>((r) => setTimeout(r, 50));

/** A parsed snapshot of the TUI, prepared for `d` and for Enter on a diff row. */
interface ParsedSnapshot {
  path: string;
  snapshot: PreparedSnapshot;
  /** Its dominator tree and retained sizes per constructor; null when they could not be computed. */
  retained: RetainedSizes | null;
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
  /** The last two parsed snapshots per process (for `d`); older ones are dropped to bound memory. */
  readonly #parsed = new Map<string, ParsedSnapshot[]>();
  /** Retainer paths of the later snapshot of the diff shown, and the earlier one's ids, built on the first Enter. */
  #pathsOf: { path: string; paths: RetainerPaths; earlier: SnapshotIds } | null = null;
  /** Running leak checks (`L`), by process key: aborting one stops it at the next step. */
  readonly #leakRuns = new Map<string, AbortController>();
  readonly #snapshotDir: string;
  /** Running allocation samplers, by process key (`p`). */
  readonly #profilers = new Map<string, SamplingProfiler>();
  /** One timer re-reads every running sampler's profile; it runs only while one does. */
  #allocTimer: NodeJS.Timeout | undefined;
  #allocReading = false;
  readonly #allocRefreshMs: number;
  /** Running trims (`T`), by process key: quitting waits for them, so gdb is never left mid-call by us. */
  readonly #trims = new Map<string, Promise<void>>();

  constructor(store: MonitorStore, options: { attach?: AttachFn; snapshotDir?: string; allocRefreshMs?: number } = {}) {
    this.#store = store;
    this.#allocRefreshMs = options.allocRefreshMs ?? ALLOC_REFRESH_MS;
    this.#attach = options.attach ?? ((pid, attachOptions) => InspectorSession.attach(pid, attachOptions));
    this.#snapshotDir = resolve(options.snapshotDir ?? '.');
  }

  /**
   * Takes a heap snapshot (GC first), attaching first when needed; the file goes to the snapshot directory and is
   * parsed from its chunks as they arrive, so `d` can compare it at once.
   */
  async snapshot(key: string): Promise<void> {
    if (!this.#sessions.has(key)) await this.attach(key);
    const session = this.#sessions.get(key);
    if (!session) return;
    if (this.#store.getState().attachments.get(key)?.capture) return this.#store.setStatus('a snapshot of that process is already running');
    const path = unusedSnapshotPath(this.#snapshotDir, session.pid, new Date());
    const parser = new SnapshotParser();
    this.#store.updateAttachment(key, { capture: { stage: 'full GC' } });
    try {
      let written = 0;
      const kept = watchRssKept(session.pid);
      const file = await takeSnapshot(session, {
        path,
        onProgress: (done, total) => this.#store.updateAttachment(key, { capture: { stage: `building ${Math.floor((done / Math.max(1, total)) * 100)}%` } }),
        onChunk: (chunk) => {
          parser.write(chunk);
          written += chunk.length;
          // One frame per MiB at most: chunks come every few milliseconds.
          if (written % (1024 * 1024) < chunk.length) this.#store.updateAttachment(key, { capture: { stage: `writing ${formatBytes(written)}` } });
        },
      });
      const rssKept = kept.after();
      const parsed = this.#parsed.get(key) ?? [];
      // Prepared now (grouping, ids sorted, dominator tree), so that `d` later only compares.
      this.#store.updateAttachment(key, { capture: { stage: 'retained sizes (the process runs again)' } });
      await letUiDraw();
      const prepared = prepareSnapshot(parser.end());
      parsed.push({ path: file.path, snapshot: prepared, retained: retainedSizes(prepared.snapshot, prepared.grouping) });
      this.#parsed.set(key, parsed.slice(-2));
      const previous = this.#store.getState().attachments.get(key)?.snapshots ?? [];
      this.#store.updateAttachment(key, { capture: null, snapshots: [...previous, { path: file.path, bytes: file.bytes, takenAtMs: Date.now() }] });
      // The file name only: the directory was named in the question, and the line must fit 80 columns.
      const name = file.path.slice(file.path.lastIndexOf('/') + 1);
      const keptText = keptStatus(await rssKept);
      this.#store.setStatus(`${parsed.length >= 2 ? 'd compares the last two. ' : ''}Saved ${name} (${formatBytes(file.bytes)}, ${(file.durationMs / 1000).toFixed(1)} s)${keptText ? `; ${keptText}` : ''}`);
    } catch (error) {
      this.#store.updateAttachment(key, { capture: null });
      this.#fail(error);
    }
  }

  /**
   * `T`: malloc_trim(0) in the process through gdb (it need not be attached), the result in the status line. The
   * process is stopped for the call (~0.3 s); trim-memory.ts has the checks and why it cannot hang the process.
   */
  async trim(key: string): Promise<void> {
    if (this.#trims.has(key)) return this.#store.setStatus('a trim of that process is already running');
    const tracked = this.#store.getState().processes.find((p) => p.key === key);
    if (!tracked) return this.#fail(new UserError('that process has exited'));
    if (this.#store.getState().attachments.get(key)?.capture) return this.#fail(new UserError('a snapshot of that process is running: wait for it, then T again'));
    const { pid, startTimeTicks } = tracked.sample;
    this.#store.setStatus(`Trimming ${pid}: gdb stops it for the call...`);
    const running = trimMemory(pid, { startTimeTicks })
      .then((result) => {
        const returned = Math.max(0, result.rssBeforeBytes - result.rssAfterBytes);
        this.#store.setStatus(`Trimmed ${pid}: RSS ${formatBytes(result.rssBeforeBytes)} -> ${formatBytes(result.rssAfterBytes)} (gave back ${formatBytes(returned)}), stopped ${result.stoppedMs} ms`);
      })
      .catch((error: unknown) => this.#fail(error))
      .finally(() => this.#trims.delete(key));
    this.#trims.set(key, running);
    await running;
  }

  /** Compares the last two snapshots of the process (same session: new and freed objects by id). */
  diff(key: string, sort: DiffSort = 'size'): boolean {
    const parsed = this.#parsed.get(key);
    const session = this.#sessions.get(key);
    if (!parsed || parsed.length < 2 || !session) {
      this.#fail(new UserError('take two snapshots of that process first (s, then s again later)'));
      return false;
    }
    const [a, b] = parsed as [ParsedSnapshot, ParsedSnapshot];
    // A's objects named by B's shapes, as DevTools' Comparison names them; A's retained sizes follow.
    const base = withShapesOf(a.snapshot, b.snapshot);
    const retainedBase = a.retained ? retainedSizesFor(a.retained, base.grouping).byClass : null;
    const diff = withRetainedDiff(diffSnapshots(base, b.snapshot, { idsComparable: true, sort }), retainedBase, b.retained?.byClass ?? null);
    this.#store.setDiff({ pid: session.pid, aPath: a.path, bPath: b.path, diff, key });
    return true;
  }

  /**
   * Enter on a diff row: the objects of that constructor in the later snapshot, new ones first, with shallow and
   * retained sizes and their grouped retainer paths. The reverse-edge index and distances are built on the first
   * Enter of a diff (a second or so on a large heap: the status says so first), then reused.
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
      if (this.#pathsOf?.path !== b.path) {
        this.#store.setStatus(`Finding retainer paths in ${b.path.slice(b.path.lastIndexOf('/') + 1)}...`);
        await letUiDraw();
        this.#pathsOf = { path: b.path, paths: new RetainerPaths(b.snapshot.snapshot, b.snapshot.grouping), earlier: snapshotIds(a.snapshot.snapshot) };
      }
      const { paths, earlier } = this.#pathsOf;
      const found = classObjects(b.snapshot.snapshot, b.snapshot.grouping, paths, ref, { tree: b.retained?.tree ?? null, earlier, limit: 20, pathLimit: 8 });
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
        paths: found.paths.map(pathGroupJson),
      });
      this.#store.clearStatus();
    } catch (error) {
      this.#store.setObjects(null);
      this.#fail(error);
    }
  }

  /**
   * `L`: three-snapshot leak detection on the process — baseline, wait, target, wait, final, in this one session —
   * with a countdown in the store's `leakCheck`. The files go to a temporary directory and are deleted; of the first
   * two snapshots only the sorted ids are kept. The candidates are computed here, after the last snapshot, not in
   * the UI. Detaching (x, q) stops it.
   */
  async detectLeaks(key: string, intervalMs: number): Promise<void> {
    if (this.#leakRuns.has(key)) return this.#store.setStatus('a leak check of that process is already running');
    if (!this.#sessions.has(key)) await this.attach(key);
    const session = this.#sessions.get(key);
    if (!session) return;
    if (this.#store.getState().attachments.get(key)?.capture) return this.#fail(new UserError('a snapshot of that process is running: wait for it, then L again'));
    const abort = new AbortController();
    this.#leakRuns.set(key, abort);
    const startedAtMs = Date.now();
    this.#store.setLeakCheck({ key, pid: session.pid, intervalMs, stage: 'starting', running: true, candidates: null, error: null, startedAtMs });
    const update = (patch: { stage?: string; running?: boolean; candidates?: ReturnType<typeof findLeakCandidates>['candidates']; error?: string }) => {
      const current = this.#store.getState().leakCheck;
      if (current && current.startedAtMs === startedAtMs && current.key === key) this.#store.setLeakCheck({ ...current, ...patch });
    };
    let dir: string | null = null;
    try {
      dir = await mkdtemp(join(tmpdir(), 'leaktop-leaks-'));
      const workDir = dir;
      // The monitor reads the heap of an attached process every tick. The first reads in a session leave V8
      // bookkeeping behind in the target (allocation sites of the functions they run, with boilerplate objects)
      // that would show as new and alive; one round before the baseline makes them old.
      await withTimeout(Promise.all([session.heapUsage(), session.memoryUsage(), session.heapSpaces()]), 5000).catch(() => undefined);
      const capture = async (stage: string, n: number): Promise<HeapSnapshot> => {
        const label = `snapshot ${n}/3 (${stage})`;
        update({ stage: `${label}: full GC` });
        this.#store.updateAttachment(key, { capture: { stage: `leak check ${label}` } });
        const parser = new SnapshotParser();
        const path = join(workDir, defaultSnapshotName(session.pid, new Date()).replace('.heapsnapshot', `-${stage}.heapsnapshot`));
        try {
          await takeSnapshot(session, {
            path,
            signal: abort.signal,
            onProgress: (done, total) => update({ stage: `${label}: building ${Math.floor((done / Math.max(1, total)) * 100)}%` }),
            onChunk: (chunk) => parser.write(chunk),
          });
        } finally {
          this.#store.updateAttachment(key, { capture: null });
        }
        abort.signal.throwIfAborted();
        update({ stage: `${label}: reading` });
        await letUiDraw();
        const snapshot = parser.end();
        await rm(path, { force: true });
        await rm(`${path}.json`, { force: true });
        return snapshot;
      };
      const wait = async (next: string, ids: SnapshotIds): Promise<SnapshotIds> => {
        const ends = Date.now() + intervalMs;
        while (Date.now() < ends) {
          update({ stage: `${next} snapshot in ${Math.ceil((ends - Date.now()) / 1000)} s` });
          await sleep(Math.min(1000, Math.max(0, ends - Date.now())), undefined, { signal: abort.signal });
        }
        return ids;
      };
      const baseline = await wait('target', snapshotIds(await capture('baseline', 1)));
      const target = await wait('final', snapshotIds(await capture('target', 2)));
      const final = await capture('final', 3);
      update({ stage: 'finding the candidates (dominator tree, retainer paths)' });
      await letUiDraw();
      const { candidates } = findLeakCandidates(baseline, target, final);
      // Gone before the result is shown: whoever reads the result may rely on it (the files are deleted as each
      // snapshot is read; the directory is the last thing).
      await rm(workDir, { recursive: true, force: true });
      dir = null;
      update({ stage: 'done', running: false, candidates });
      this.#store.setStatus(`Leak check of ${session.pid}: ${candidates.length === 0 ? 'no candidates' : `${candidates.length} candidate${candidates.length === 1 ? '' : 's'}, biggest: ${candidates[0]!.name}`}`);
    } catch (error) {
      update({ running: false, stage: 'stopped', error: abort.signal.aborted ? 'stopped (detached)' : error instanceof Error ? error.message : String(error) });
      if (!abort.signal.aborted) this.#fail(error);
    } finally {
      this.#leakRuns.delete(key);
      if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /** Writes the current diff view to a file beside the snapshots, as text or JSON. */
  async writeDiff(format: 'text' | 'json', text: () => string): Promise<void> {
    const current = this.#store.getState().diff;
    if (!current) return;
    const path = `${this.#snapshotDir}/leaktop-diff-${current.pid}-${Date.now()}.${format === 'json' ? 'json' : 'txt'}`;
    try {
      await writeFile(path, format === 'json' ? `${JSON.stringify(current.diff, null, 2)}\n` : text());
      this.#store.setStatus(`Written: ${path}`);
    } catch (error) {
      this.#fail(new UserError(`could not write '${path}': ${(error as Error).message}`, { cause: error }));
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
    try {
      const session = await this.#attach(pid, { startTimeTicks });
      this.#sessions.set(key, session);
      this.#store.updateAttachment(key, { phase: 'attached', port: session.port, openedByLeaktop: session.openedByLeaktop, nodeVersion: session.nodeVersion });
      this.#store.setStatus(
        session.openedByLeaktop
          ? `Attached to ${pid}: leaktop opened its inspector on 127.0.0.1:${session.port} (x detaches and closes it)`
          : `Attached to ${pid} through its own inspector on 127.0.0.1:${session.port} (left open on detach)`,
      );
      void session.connection.closed.then(() => this.#lost(key, pid));
    } catch (error) {
      this.#store.removeAttachment(key);
      this.#fail(error);
    }
  }

  /** Ends the session of this process, closing the inspector if leaktop opened it. */
  async detach(key: string): Promise<void> {
    const session = this.#sessions.get(key);
    if (!session) return;
    this.#parsed.delete(key);
    this.#leakRuns.get(key)?.abort();
    this.#pathsOf = null;
    this.#store.updateAttachment(key, { phase: 'detaching' });
    this.#sessions.delete(key);
    // Also done by session.detach (the sampler registers itself there); stopping it first keeps the timer in step.
    const profiler = this.#profilers.get(key);
    this.#profilers.delete(key);
    this.#stopTimerIfIdle();
    try {
      await profiler?.stop().catch(() => undefined);
      await session.detach();
      this.#store.setStatus(session.openedByLeaktop ? `Detached from ${session.pid}; its inspector is closed` : `Detached from ${session.pid}`);
    } catch (error) {
      this.#fail(error);
    } finally {
      this.#store.removeAttachment(key);
    }
  }

  /** Forces a full GC in the process and records what it freed. */
  async collectGarbage(key: string): Promise<void> {
    const session = this.#sessions.get(key);
    if (!session) return this.#fail(new UserError('attach first (a) to run a GC in that process'));
    this.#store.updateAttachment(key, { gc: { running: true } });
    try {
      const result = await session.collectGarbage();
      this.#store.updateAttachment(key, { gc: { running: false, ...result } });
      const freed = result.heapUsedBeforeBytes - result.heapUsedAfterBytes;
      this.#store.setStatus(`GC in ${session.pid}: freed ${Math.max(0, Math.round(freed / 1024))} KiB in ${Math.round(result.durationMs)} ms`);
    } catch (error) {
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

  /** Ends every session, closing what leaktop opened; each gets at most `timeoutMs`. */
  async detachAll(timeoutMs = 5000): Promise<void> {
    await Promise.all([
      ...[...this.#sessions.keys()].map((key) => withTimeout(this.detach(key), timeoutMs)),
      // A trim under way ends in ~0.3 s; were leaktop to leave first, gdb would still finish it and detach alone.
      ...[...this.#trims.values()].map((trim) => withTimeout(trim, timeoutMs)),
    ]);
  }

  #lost(key: string, pid: number): void {
    if (!this.#sessions.has(key)) return; // a detach we asked for
    this.#sessions.delete(key);
    this.#parsed.delete(key);
    this.#leakRuns.get(key)?.abort();
    this.#profilers.delete(key); // the process or its inspector is gone, and its sampler with it
    this.#stopTimerIfIdle();
    this.#store.removeAttachment(key);
    this.#store.setStatus(`The inspector session with ${pid} ended (the process exited or closed it)`, 'error');
  }

  #fail(error: unknown): void {
    if (error instanceof UserError) this.#store.setStatus(`${error.message}${error.hint ? ` — ${error.hint}` : ''}`, 'error');
    else this.#store.setStatus(`unexpected error: ${(error as Error).message}`, 'error');
  }
}
