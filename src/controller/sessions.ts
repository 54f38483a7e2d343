/**
 * The inspector sessions of a running leaktop, one per process (and one per worker thread of an attached process)
 * at most: attach, detach, GC, trim, the heap readings the clock takes. It is the only owner of sessions: it keeps
 * the store's `attachments` in step, turns failures into a status line, and closes every inspector it opened.
 */
import { formatBytes } from '../core/format.js';
import { UserError } from '../core/user-error.js';
import { InspectorSession } from '../inspector/session.js';
import type { SamplingProfiler } from '../inspector/sampling-profiler.js';
import { withTimeout } from '../inspector/with-timeout.js';
import { NodeWorkers, type WorkerSession } from '../inspector/worker-sessions.js';
import { trimMemory } from '../native/trim-memory.js';
import { findRow, processKeyOf, threadKey, type HeapReading, type MonitorStore } from '../state/index.js';
import { reportFailure } from './report-failure.js';

/** How sessions are started; a test may count or fail them. */
export type AttachFn = (pid: number, options: { startTimeTicks: number }) => Promise<InspectorSession>;

/**
 * What the rest of the controller keeps or runs on a session, which must end with it. Called in this order when a
 * session ends (a detach, the process gone, a worker thread exited).
 */
export interface SessionUsers {
  /** First, at once: the snapshots kept for it are dropped and a leak check on it is stopped. */
  forget(key: string): void;
  /** The why run on it is stopped; resolves once that run has closed what it opened. */
  stopWhy(key: string): Promise<void>;
  /** Its allocation sampler, taken out (its profile is no longer read): the caller stops it, or it died with the session. */
  takeSampler(key: string): SamplingProfiler | undefined;
}

export class Sessions {
  readonly #sessions = new Map<string, InspectorSession>();
  readonly #store: MonitorStore;
  readonly #users: SessionUsers;
  /** Starts a session on a process; `why` opens its own through it too. */
  readonly start: AttachFn;
  /** Running trims (`T`), by process key: quitting waits for them, so gdb is never left mid-call by us. */
  readonly #trims = new Map<string, Promise<void>>();
  /**
   * The worker threads of each attached process, by process key (issue 15). Each worker's session is in
   * `#sessions` under its row's key (`threadKey`), so every action works on a worker row as on a process.
   */
  readonly #workers = new Map<string, NodeWorkers>();

  constructor(store: MonitorStore, users: SessionUsers, attach?: AttachFn) {
    this.#store = store;
    this.#users = users;
    this.start = attach ?? ((pid, options) => InspectorSession.attach(pid, options));
  }

  get(key: string): InspectorSession | undefined {
    return this.#sessions.get(key);
  }

  has(key: string): boolean {
    return this.#sessions.has(key);
  }

  /** Opens a session on the process with this key (a no-op when one exists or is opening). */
  async attach(key: string): Promise<void> {
    if (this.#store.getState().attachments.has(key)) return;
    const tracked = this.#store.getState().processes.find((p) => p.key === key);
    if (!tracked) return reportFailure(this.#store, new UserError('that process has exited'));
    const { pid, startTimeTicks } = tracked.sample;
    this.#store.setAttachment({ key, pid, phase: 'attaching', port: null, openedByLeaktop: false, nodeVersion: null, heap: null, gc: null });
    // Opening an inspector starts a thread and buffers in the process: a step of its RSS that is leaktop's.
    this.#store.markAction(key, 'attach', { untilMs: Infinity });
    try {
      const session = await this.start(pid, { startTimeTicks });
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
      reportFailure(this.#store, error);
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

  /**
   * Forgets a worker's session and what was held for it (its thread exited, or its process is detached); returns
   * its sampler, if one ran, for the caller to stop.
   */
  #dropWorker(workerKey: string): SamplingProfiler | undefined {
    if (!this.#sessions.delete(workerKey)) return undefined;
    this.#users.forget(workerKey);
    const sampler = this.#users.takeSampler(workerKey);
    this.#store.removeAttachment(workerKey);
    return sampler;
  }

  /**
   * Ends the worker sessions of a process before its own: what runs in them (a sampler) is stopped, every worker is
   * detached and NodeWorker disabled. Bounded; never throws.
   */
  async #closeWorkers(processKey: string): Promise<void> {
    const workers = this.#workers.get(processKey);
    this.#workers.delete(processKey);
    const samplers = this.#workerKeys(processKey).flatMap((k) => this.#dropWorker(k) ?? []);
    this.#store.setThreads(processKey, []);
    await Promise.all(samplers.map((p) => withTimeout(p.stop().catch(() => undefined), 3000)));
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
    this.#users.forget(key);
    // A why run on this session would go on without it: stopped first (its sampler with it).
    await this.#users.stopWhy(key);
    this.#store.updateAttachment(key, { phase: 'detaching' });
    this.#sessions.delete(key);
    // Also done by session.detach (the sampler registers itself there); taking it out first stops its reads at once.
    const sampler = this.#users.takeSampler(key);
    this.#store.markAction(key, 'detach', { untilMs: Infinity });
    try {
      await sampler?.stop().catch(() => undefined);
      await this.#closeWorkers(key);
      await session.detach();
      this.#store.setStatus(session.openedByLeaktop ? `Detached from ${session.pid}; its inspector is closed` : `Detached from ${session.pid}`);
      return undefined;
    } catch (error) {
      reportFailure(this.#store, error);
      return error;
    } finally {
      this.#store.endAction(key, 'detach');
      this.#store.removeAttachment(key);
    }
  }

  async #closeLeftOpen(key: string): Promise<unknown> {
    const found = this.#store.getState().openInspectors?.get(key);
    if (!found || this.#store.getState().attachments.has(key)) return;
    if (found.openedBy !== 'leaktop-died' && found.openedBy !== 'leaktop-gave-up') {
      return reportFailure(
        this.#store,
        new UserError(`the inspector of ${found.pid} on port ${found.port} was not left open by a leaktop: it stays open`, {
          hint: found.openedBy === 'other' ? `leaktop close ${found.pid} --force closes it anyway` : 'the leaktop that opened it closes it',
        }),
      );
    }
    await this.attach(key);
    if (!this.#sessions.has(key)) return; // attach failed and said why
    await this.detach(key);
    this.#store.forgetOpenInspector(key);
  }

  #lost(key: string, pid: number): void {
    if (!this.#sessions.has(key)) return; // a detach we asked for
    void this.#closeWorkers(key); // their sessions went with the main thread's
    this.#sessions.delete(key);
    this.#users.forget(key);
    void this.#users.stopWhy(key);
    this.#users.takeSampler(key); // the process or its inspector is gone, and its sampler with it
    this.#store.removeAttachment(key);
    this.#store.setStatus(`The inspector session with ${pid} ended (the process exited or closed it)`, 'error');
  }

  /** Forces a full GC in the process and records what it freed. */
  async collectGarbage(key: string): Promise<void> {
    const session = this.#sessions.get(key);
    if (!session) return reportFailure(this.#store, new UserError('attach first (a) to run a GC in that process'));
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
      reportFailure(this.#store, error);
    }
  }

  /**
   * `T`: malloc_trim(0) in the process through gdb (it need not be attached), the result in the status line. The
   * process is stopped for the call (~0.3 s); trim-memory.ts has the checks and why it cannot hang the process.
   */
  async trim(key: string): Promise<void> {
    if (this.#trims.has(key)) return this.#store.setStatus('a trim of that process is already running');
    const tracked = findRow(this.#store.getState(), key);
    if (!tracked) return reportFailure(this.#store, new UserError('that process has exited'));
    if (this.#store.getState().attachments.get(key)?.capture) return reportFailure(this.#store, new UserError('a snapshot of that process is running: wait for it, then T again'));
    const { pid, startTimeTicks } = tracked.sample;
    this.#store.setStatus(`Trimming ${pid}: gdb stops it for the call...`);
    this.#store.markAction(key, 'trim', { untilMs: Infinity });
    const running = trimMemory(pid, { startTimeTicks })
      .then((result) => {
        const returned = Math.max(0, result.rssBeforeBytes - result.rssAfterBytes);
        this.#store.setStatus(`Trimmed ${pid}: RSS ${formatBytes(result.rssBeforeBytes)} -> ${formatBytes(result.rssAfterBytes)} (gave back ${formatBytes(returned)}), stopped ${result.stoppedMs} ms`);
      })
      .catch((error: unknown) => reportFailure(this.#store, error))
      .finally(() => {
        this.#store.endAction(key, 'trim');
        this.#trims.delete(key);
      });
    this.#trims.set(key, running);
    await running;
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
   * Ends every process's session (each gets at most `timeoutMs`) and waits for the trims under way. Returns what
   * could not be closed (UserErrors saying where an inspector still listens).
   */
  async detachAll(timeoutMs: number): Promise<unknown[]> {
    const failures: unknown[] = [];
    await Promise.all([
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
}
