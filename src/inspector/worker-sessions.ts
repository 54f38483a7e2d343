/**
 * Worker threads of an attached process (issue 15): found through the main thread's NodeWorker domain, each
 * reached by a WorkerSession — an InspectorSession on the worker's own isolate, whose connection runs over the
 * main thread's (worker-transport.ts). Snapshots, GC, sampling and heap figures work on it unchanged; its heap is
 * that isolate's alone, while the memory room (snapshot-room) stays the process's, shared by all its isolates.
 */
import { parseWorkerTitle } from '../core/worker-title.js';
import { UserError } from '../core/user-error.js';
import { processCondition } from './close-inspector.js';
import { CdpConnection } from './connection.js';
import { InspectorSession, type AttachOptions } from './session.js';
import { withTimeout } from './with-timeout.js';
import { onNodeWorker, sendNodeWorker, WorkerTransport } from './worker-transport.js';

/** One worker thread of a process. */
export interface WorkerThread {
  /** `worker_threads.threadId` in the process (the main thread is 0). */
  threadId: number;
  /** The `name` given to `new Worker`; '' when none. */
  name: string;
  /** The worker's script as the inspector reports it (`file:///…`); '' for an eval worker. */
  url: string;
  /** The main thread session's id of the session to this worker. */
  sessionId: string;
}

/** How long each NodeWorker step may take, ms: they are answered by the main thread as soon as it runs JS. */
const STEP_TIMEOUT_MS = 5000;

/**
 * A worker thread's inspector session. Never opened or closed an inspector (the main thread's session did);
 * `detach` undoes what was started in the worker (a sampler) and ends the worker session, then runs `afterDetach`
 * (the CLI ends the main thread's session there).
 */
export class WorkerSession extends InspectorSession {
  #afterDetach: (() => Promise<void>) | undefined;

  constructor(
    /** The session on the main thread that carries this one. */
    readonly parent: InspectorSession,
    readonly thread: WorkerThread,
    afterDetach?: () => Promise<void>,
  ) {
    super(parent.pid, parent.port, false, parent.nodeVersion, new CdpConnection(new WorkerTransport(parent, thread.sessionId)));
    this.#afterDetach = afterDetach;
  }

  override get threadId(): number {
    return this.thread.threadId;
  }

  override async detach(): Promise<void> {
    try {
      await super.detach();
    } finally {
      // Once: closing the workers detaches this session again on the way.
      const after = this.#afterDetach;
      this.#afterDetach = undefined;
      await after?.();
    }
  }
}

/**
 * The worker threads of one main-thread session, from `NodeWorker.enable` on. Node attaches a session to every
 * worker then: `close` detaches all of them and disables the domain, and the owner must call it on every path
 * (closing the main connection also ends them). With `follow`, workers that start or exit later are added or
 * dropped (the TUI); without, a worker that starts later is detached at once (the CLI works on the ones there were).
 */
export class NodeWorkers {
  readonly #parent: InspectorSession;
  readonly #follow: boolean;
  /** By worker session id. */
  readonly #threads = new Map<string, WorkerThread>();
  readonly #sessions = new Map<string, WorkerSession>();
  readonly #listeners = new Set<() => void>();
  readonly #off: Array<() => void> = [];
  #closed = false;

  private constructor(parent: InspectorSession, follow: boolean) {
    this.#parent = parent;
    this.#follow = follow;
  }

  /** Enables the NodeWorker domain on `parent`: the workers running now are listed when it resolves. */
  static async enable(parent: InspectorSession, options: { follow?: boolean } = {}): Promise<NodeWorkers> {
    const workers = new NodeWorkers(parent, options.follow === true);
    let enabled = false;
    workers.#off.push(
      onNodeWorker(parent, 'NodeWorker.attachedToWorker', ({ sessionId, workerInfo }) => {
        const title = parseWorkerTitle(workerInfo.title);
        // One that starts after the list was made, without follow, or whose title says no thread id: not ours.
        if (workers.#closed || (enabled && !workers.#follow) || title === null) return void workers.#release(sessionId);
        workers.#threads.set(sessionId, { threadId: title.threadId, name: title.name, url: workerInfo.url, sessionId });
        workers.#changed();
      }),
      onNodeWorker(parent, 'NodeWorker.detachedFromWorker', ({ sessionId }) => {
        if (workers.#threads.delete(sessionId)) workers.#changed();
        workers.#sessions.delete(sessionId);
      }),
    );
    try {
      // Every running worker is announced before this reply (Node 18–26).
      await sendNodeWorker(parent, 'NodeWorker.enable', { waitForDebuggerOnStart: false }, { timeoutMs: STEP_TIMEOUT_MS });
      enabled = true;
    } catch (error) {
      await workers.close();
      throw new UserError(`could not list the worker threads of process '${parent.pid}'`, { hint: 'It may be busy in native code; try again.', cause: error });
    }
    return workers;
  }

  /** The workers, by thread id. */
  get threads(): WorkerThread[] {
    return [...this.#threads.values()].sort((a, b) => a.threadId - b.threadId);
  }

  /** Called after a worker came or went (with follow). Returns the function that stops it. */
  onChange(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** The session on one worker's isolate (one per worker: asked again, the same). */
  open(thread: WorkerThread, afterDetach?: () => Promise<void>): WorkerSession {
    const existing = this.#sessions.get(thread.sessionId);
    if (existing && !existing.connection.isClosed) return existing;
    const session = new WorkerSession(this.#parent, thread, afterDetach);
    this.#sessions.set(thread.sessionId, session);
    return session;
  }

  /** Detaches from every worker except `keep`: the CLI works on one and leaves the others as they were. */
  async keepOnly(keep: WorkerThread): Promise<void> {
    await Promise.all(this.threads.filter((t) => t.sessionId !== keep.sessionId).map((t) => this.#release(t.sessionId)));
  }

  /**
   * Detaches from every worker (ending each open WorkerSession first, so what it started in its worker is undone)
   * and disables the domain. Bounded; never throws.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const sessions = [...this.#sessions.values()];
    this.#sessions.clear();
    if (processCondition(this.#parent.pid) === 'running') await Promise.all(sessions.map((s) => withTimeout(s.detach().catch(() => undefined), STEP_TIMEOUT_MS)));
    const rest = [...this.#threads.keys()];
    this.#threads.clear();
    for (const off of this.#off) off();
    // A stopped process answers nothing: each step would wait out its time (quitting took over 5 s). Closing the
    // main session detaches the workers and disables the domain in the target anyway.
    if (this.#parent.connection.isClosed || processCondition(this.#parent.pid) !== 'running') return;
    await Promise.all(rest.map((id) => this.#release(id)));
    await sendNodeWorker(this.#parent, 'NodeWorker.disable', {}, { timeoutMs: STEP_TIMEOUT_MS }).catch(() => undefined);
  }

  async #release(sessionId: string): Promise<void> {
    if (this.#threads.delete(sessionId)) this.#changed();
    if (this.#parent.connection.isClosed) return;
    await sendNodeWorker(this.#parent, 'NodeWorker.detach', { sessionId }, { timeoutMs: STEP_TIMEOUT_MS }).catch(() => undefined);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

/** `0 (main), 1 (pool), 2` — the threads of a process, for messages. */
export function threadList(threads: readonly WorkerThread[]): string {
  return ['0 (main)', ...threads.map((t) => (t.name ? `${t.threadId} (${t.name})` : `${t.threadId}`))].join(', ');
}

/**
 * A session on one worker thread of the process `parent` is attached to (the main thread's session), for work on
 * that thread alone: the other workers are detached at once, and the session's `detach` detaches it, disables
 * NodeWorker and then runs `afterDetach`. An id that is no thread of the process: a UserError listing the ones there
 * are (and nothing left attached).
 */
export async function openThread(parent: InspectorSession, threadId: number, afterDetach?: () => Promise<void>): Promise<WorkerSession> {
  const workers = await NodeWorkers.enable(parent);
  try {
    const thread = workers.threads.find((t) => t.threadId === threadId);
    if (!thread) throw new UserError(`process '${parent.pid}' has no thread ${threadId}; its threads are ${threadList(workers.threads)}`);
    await workers.keepOnly(thread);
    return workers.open(thread, async () => {
      await workers.close();
      await afterDetach?.();
    });
  } catch (error) {
    await workers.close();
    throw error;
  }
}

/**
 * A session on one thread of `pid`: the main thread's (`threadId` 0 or absent) or a worker's (see openThread). For
 * a worker, the main thread's session is opened first and ended with it: `detach` ends the worker session, then the
 * main one (closing an inspector leaktop opened) — as does any failure on the way here.
 */
export async function attachThread(pid: number, threadId: number | undefined, options: AttachOptions = {}): Promise<InspectorSession> {
  const parent = await InspectorSession.attach(pid, options);
  if (threadId === undefined || threadId === 0) return parent;
  try {
    return await openThread(parent, threadId, () => parent.detach());
  } catch (error) {
    await parent.detach();
    throw error;
  }
}
