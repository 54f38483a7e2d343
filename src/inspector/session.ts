import { randomUUID } from 'node:crypto';
import { UserError } from '../core/user-error.js';
import { isUnavailable } from '../proc/read-file.js';
import { readNetNamespace } from '../proc/read-net-namespace.js';
import { activateInspector, checkAttachable, checkSignalSafe, DEFAULT_INSPECTOR_PORT, EXITED_HINT } from './activate.js';
import { closeInspector, INSPECTOR_MODULE, processCondition, settledCondition, waitUntil } from './close-inspector.js';
import { CdpConnection } from './connection.js';
import { ConnectionClosedError, ProtocolError, RequestTimeoutError } from './errors.js';
import { findInspectorPort, type InspectorEndpoint } from './find-inspector-port.js';
import { disconnectWhenExiting } from './node-runtime.js';
import { openedRegistry } from './opened-registry.js';
import { routeTo } from './route.js';
import { withDeadline, withTimeout } from './with-timeout.js';

/** `process.memoryUsage()` of the target, bytes. */
export interface MemoryUsage {
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
}

/** One V8 heap space (`v8.getHeapSpaceStatistics()`), bytes. */
export interface HeapSpace {
  name: string;
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
}

/** What one forced full GC did. */
export interface GcResult {
  heapUsedBeforeBytes: number;
  heapUsedAfterBytes: number;
  durationMs: number;
}

/** Options of `InspectorSession.attach`. */
export interface AttachOptions {
  /** The start time the process was listed with (guards against a reused PID). */
  startTimeTicks?: number;
  /** Wait for a new inspector at most this long. @default 3000 */
  activationTimeoutMs?: number;
  /** @internal For tests only: handed to activateInspector (see ActivateOptions.beforeSignal). */
  beforeSignal?: (pid: number) => Promise<void>;
}

/** `v8` in a Runtime.evaluate (with the command line API's `require` where Node has no getBuiltinModule). */
export const V8_MODULE = "(process.getBuiltinModule?.('v8') ?? require('v8'))";
const VM_MODULE = "(process.getBuiltinModule?.('vm') ?? require('vm'))";

/** A full GC inside the target, returning its duration in ms (see collectGarbage). */
const FULL_GC_EXPRESSION = `(() => {
  const started = process.hrtime.bigint();
  if (typeof globalThis.gc === 'function') { globalThis.gc(); }
  else {
    const v8 = ${V8_MODULE};
    v8.setFlagsFromString('--expose-gc');
    try { ${VM_MODULE}.runInNewContext('gc')(); } finally { v8.setFlagsFromString('--no-expose-gc'); }
  }
  return Number(process.hrtime.bigint() - started) / 1e6;
})()`;

/**
 * One long-lived CDP connection to one Node process: every "Debugger attached." line in the target's log is one
 * connect, so leaktop connects once per attach, not once per poll, and heap-object ids stay valid across the
 * operations of one session. It knows whether leaktop opened the inspector, and closes only what it opened.
 */
export class InspectorSession {
  /** Names this CDP session (a random UUID made at connect); heap-object ids are comparable only within one. */
  readonly id: string = randomUUID();
  /** What `detach` undoes in the target before it closes the connection (see `onDetach`). */
  readonly #beforeDetach = new Set<() => Promise<void>>();

  /** Protected, not private: a worker thread's session (worker-sessions.ts) is one of these over another Transport. */
  protected constructor(
    readonly pid: number,
    /** Where the inspector listens now (127.0.0.1). */
    readonly port: number,
    /** True when leaktop opened this inspector (SIGUSR1) and must close it on detach. */
    readonly openedByLeaktop: boolean,
    /** `vX.Y.Z` of the target. */
    readonly nodeVersion: string,
    readonly connection: CdpConnection,
  ) {}

  /**
   * Connects to the inspector of `pid`, opening it first when there is none. An inspector leaktop opens lands on
   * 9229 and is moved at once to a free port, so 9229 is free for the next process. Every step has an upper bound
   * and ends in a UserError saying what happened, and an inspector leaktop opened is closed again on every failure
   * (or the error says it could not be).
   */
  static async attach(pid: number, options: AttachOptions = {}): Promise<InspectorSession> {
    checkAttachable(pid);
    const existing = await findInspectorPort(pid);
    // One that a killed leaktop left open is leaktop's again: this session closes it on detach (issue 14, item 6).
    // Not one that another session of this leaktop opened and still holds: that one closes it.
    if (existing) {
      const heldHere = closingSessions.has(`${pid}:${existing.port}`);
      return InspectorSession.#connect(pid, existing, !heldHere && openedRegistry().adoptOrphan(pid, existing.port, options.startTimeTicks));
    }
    const endpoint = await oneAtATime(pid, () => openInspector(pid, options), (options.activationTimeoutMs ?? 3000) + OPEN_STEPS_BUDGET_MS);
    try {
      return await InspectorSession.#connect(pid, endpoint, true);
    } catch (error) {
      throw await closeAfterFailure(pid, endpoint, error);
    }
  }

  static async #connect(pid: number, endpoint: InspectorEndpoint, openedByLeaktop: boolean): Promise<InspectorSession> {
    const route = routeTo(pid);
    try {
      const transport = await route.connect(endpoint.webSocketDebuggerUrl, CONNECT_TIMEOUT_MS);
      const session = new InspectorSession(pid, endpoint.port, openedByLeaktop, endpoint.nodeVersion, new CdpConnection(transport));
      // Node 18/20 cannot exit while a session is connected: be told when it tries, and let it go.
      disconnectWhenExiting(session, CONNECT_TIMEOUT_MS);
      if (openedByLeaktop) {
        const key = `${pid}:${endpoint.port}`;
        closingSessions.add(key);
        void session.connection.closed.then(() => closingSessions.delete(key));
      }
      return session;
    } catch (error) {
      throw (await conditionError(pid, 'while leaktop was connecting to its inspector')) ??
        new UserError(`could not connect to the inspector of process '${pid}' on 127.0.0.1:${endpoint.port}`, {
          hint: 'Another debugger may hold it (some take the only session), or the process is too busy to answer; try again.',
          cause: error,
        });
    }
  }

  /** `worker_threads.threadId` of the isolate this session is on: 0, the main thread (a WorkerSession says its own). */
  get threadId(): number {
    return 0;
  }

  /** V8 heap used and total, bytes (Runtime.getHeapUsage, ~0.2 ms). */
  async heapUsage(): Promise<{ usedBytes: number; totalBytes: number }> {
    const usage = await this.#explained('a heap reading', () => this.connection.send('Runtime.getHeapUsage', undefined, { timeoutMs: 5000 }));
    return { usedBytes: usage.usedSize, totalBytes: usage.totalSize };
  }

  /** `process.memoryUsage()` in the target. */
  memoryUsage(): Promise<MemoryUsage> {
    return this.#evaluate<MemoryUsage>('process.memoryUsage()');
  }

  /** `v8.getHeapSpaceStatistics()` in the target. */
  async heapSpaces(): Promise<HeapSpace[]> {
    const spaces = await this.#evaluate<Array<{ space_name: string; space_size: number; space_used_size: number; space_available_size: number }>>(
      `${V8_MODULE}.getHeapSpaceStatistics()`,
    );
    return spaces.map((s) => ({ name: s.space_name, sizeBytes: s.space_size, usedBytes: s.space_used_size, availableBytes: s.space_available_size }));
  }

  /**
   * Forces a full GC (~0.1 s at 50 MB of heap, ~0.9 s at 500 MB).
   *
   * First HeapProfiler.collectGarbage, DevTools' own "collect garbage". V8 runs it only once the target's stack is
   * empty, so on a process whose event loop is blocked it never happens; when it has not answered in time, an
   * evaluation does it instead, which runs as an interrupt even in a busy loop: `gc` taken from a fresh context
   * with --expose-gc set for that moment and unset again. That fresh context's builtins linger until the next GC,
   * which would show as hundreds of new and freed objects in a same-session diff, so it is only the fallback.
   */
  collectGarbage(): Promise<GcResult> {
    return this.#explained('the GC', () => this.#collectGarbage());
  }

  /**
   * One full GC, and nothing else (~0.1 s at 50 MB of heap): `gc()` from a fresh context with --expose-gc set for
   * that moment, as collectGarbage's fallback. Cheaper for the process than collectGarbage when done repeatedly on a
   * process at work: HeapProfiler.collectGarbage is V8's LowMemoryNotification — two or more full GCs in
   * memory-reducing mode, the compilation cache emptied, the young generation shrunk, a walk of the whole heap —
   * and the process pays again afterwards while it regrows and recompiles (measured on a JSON API at 36–52 MB of
   * heap: ~60 ms of its CPU for the GC and ~150–350 ms more over its next 20,000 requests; this one ~15 ms and
   * ~60–110 ms). Its reading is a floor all the same: what one full GC leaves. Runs as an interrupt, so a busy
   * event loop does not delay it; the fresh context it leaves is garbage for the next GC (a snapshot's).
   */
  collectGarbageOnce(): Promise<GcResult> {
    return this.#explained('the GC', async () => {
      const before = await this.heapUsage();
      const durationMs = await this.#evaluate<number>(FULL_GC_EXPRESSION, 120_000);
      const after = await this.heapUsage();
      return { heapUsedBeforeBytes: before.usedBytes, heapUsedAfterBytes: after.usedBytes, durationMs };
    });
  }

  async #collectGarbage(): Promise<GcResult> {
    const before = await this.heapUsage();
    const started = performance.now();
    // The protocol GC takes ~2 ms per MB of heap; a generous multiple of that before falling back.
    const patienceMs = 2000 + (before.usedBytes / 1e6) * 10;
    const protocolGc = this.connection.send('HeapProfiler.collectGarbage', undefined, { timeoutMs: 24 * 3600_000 });
    protocolGc.catch(() => undefined);
    const done = await withTimeout(protocolGc.then(() => true), patienceMs);
    const durationMs = done ? performance.now() - started : await this.#evaluate<number>(FULL_GC_EXPRESSION, 120_000);
    const after = await this.heapUsage();
    return { heapUsedBeforeBytes: before.usedBytes, heapUsedAfterBytes: after.usedBytes, durationMs };
  }

  /**
   * Ends the session. An inspector leaktop opened is closed in the target and the port is checked to be gone;
   * one that was already there is left listening, as it was found. Bounded to a few seconds whatever the target
   * does (stopped, busy, gone); when an inspector leaktop opened still listens, it throws a UserError saying where.
   *
   * No `HeapProfiler.disable` first: closing the connection already disables the target's heap profiler agent,
   * which clears V8's object-id map (the ~165 MB that stays after a snapshot of a 105 MB heap, issue 13).
   * Measured on Node 20 (50 MB heap, malloc_trim through gdb to see what was freed): RSS 182 MB with the session
   * open, 100 MB after it closed; an explicit HeapProfiler.disable gave 102 MB, and closing after it 99 MB. So only
   * a session that stays open would need the call, and the TUI's does keep its ids on purpose (for `d`).
   */
  async detach(): Promise<void> {
    if (this.connection.isClosed) {
      // The socket went (the process exited, or closed its inspector): nothing to close, unless it still listens.
      if (this.openedByLeaktop) await closeInspector(this.pid, { port: this.port });
      return;
    }
    const undo = [...this.#beforeDetach];
    this.#beforeDetach.clear();
    // A stopped process answers nothing: its undo steps would each wait their full time for nothing.
    if (processCondition(this.pid) === 'running') {
      await Promise.all(undo.map((run) => withTimeout(run().catch(() => undefined), DETACH_STEP_TIMEOUT_MS)));
    }
    if (!this.openedByLeaktop) {
      this.connection.close();
      await withTimeout(this.connection.closed, DETACH_STEP_TIMEOUT_MS);
      return;
    }
    await closeInspector(this.pid, { port: this.port }, this.connection.isClosed ? undefined : this.connection);
  }

  /**
   * Registers something to undo in the target at the start of `detach`, while the connection is still open (a
   * running allocation sampler is stopped this way). Each gets at most a few seconds; a failure does not stop the
   * detach. Returns the function that unregisters it.
   */
  onDetach(undo: () => Promise<void>): () => void {
    this.#beforeDetach.add(undo);
    return () => this.#beforeDetach.delete(undo);
  }

  /**
   * Runs a step against the target and turns the connection's failures into words: the process exited or was
   * stopped, the socket closed under us (another tool closed or moved the inspector), or no reply in time.
   */
  async #explained<T>(what: string, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error) {
      // A protocol error from a process that is exiting (`Cannot find context with specified id` while its last
      // context goes) is the exit, said as such; from a live process it is unexpected and stays what it is.
      if (error instanceof ProtocolError && CONTEXT_GONE.test(error.message)) throw await this.#exiting(what, error);
      if (error instanceof ProtocolError) throw (await conditionError(this.pid, `during ${what}`)) ?? error;
      if (!(error instanceof ConnectionClosedError) && !(error instanceof RequestTimeoutError)) throw error;
      throw (await conditionError(this.pid, `during ${what}`)) ??
        (error instanceof ConnectionClosedError
          ? new UserError(`the inspector connection to process '${this.pid}' closed during ${what}`, {
              hint: 'The process or another tool may have closed its inspector; try again.',
              cause: error,
            })
          : new UserError(`process '${this.pid}' did not answer ${error.method} within ${Math.round(error.timeoutMs / 1000)} s`, {
              hint: 'It may be busy in native code, or short of memory; try again.',
              cause: error,
            }));
    }
  }

  /**
   * The target's JavaScript context is gone: it is exiting, and on Node 18/20 it waits for this session to go
   * before it can (when the exit began before `disconnectWhenExiting`'s request was read). Lets it go, then says so.
   */
  async #exiting(what: string, error: ProtocolError): Promise<UserError> {
    this.connection.close();
    await waitUntil(() => processCondition(this.pid) === 'gone', EXIT_AFTER_DISCONNECT_MS).catch(() => undefined);
    return (await conditionError(this.pid, `during ${what}`)) ??
      new UserError(`process '${this.pid}' is exiting: its JavaScript context went away during ${what}`, { hint: EXITED_HINT, cause: error });
  }

  async #evaluate<T>(expression: string, timeoutMs = 5000): Promise<T> {
    const reply = await this.#explained('an evaluation', () => this.connection.send(
      'Runtime.evaluate',
      { expression, includeCommandLineAPI: true, returnByValue: true, silent: true },
      { timeoutMs },
    ));
    if (reply.exceptionDetails) throw new Error(`evaluation failed in process ${this.pid}: ${reply.exceptionDetails.text}`);
    return reply.result.value as T;
  }
}

/**
 * `PID:PORT` of the inspectors that an open session of this leaktop will close on detach: a second session on the
 * same inspector must not adopt it as a dead leaktop's (it would close it under the first).
 */
const closingSessions = new Set<string>();

/** How long `detach` waits for each `onDetach` step before it closes the connection anyway, ms. */
const DETACH_STEP_TIMEOUT_MS = 3000;
/** What a target's protocol error says when its JavaScript context has gone: it is exiting. */
const CONTEXT_GONE = /Cannot find context with specified id/;
/** How long a process whose context has gone may take to exit once leaktop has disconnected, ms. */
const EXIT_AFTER_DISCONNECT_MS = 3000;
/** How long a WebSocket to an inspector may take to open, ms. */
const CONNECT_TIMEOUT_MS = 3000;
/**
 * What opening may take beyond the activation timeout: the move off 9229 (a connect, the close, the new port) and,
 * on failure, closing again — each step bounded on its own; this is the bound of the whole, ms.
 */
const OPEN_STEPS_BUDGET_MS = 15_000;

/**
 * A UserError when the process is the reason a step failed — it exited, or it is stopped — else null. `during`
 * says which step, e.g. `while its inspector was opening`.
 */
async function conditionError(pid: number, during: string): Promise<UserError | null> {
  const condition = await settledCondition(pid);
  if (condition === 'gone') return new UserError(`process '${pid}' exited ${during}`, { hint: EXITED_HINT });
  if (condition === 'stopped') {
    return new UserError(`process '${pid}' was stopped ${during} (SIGSTOP or a debugger)`, { hint: `Resume it (kill -CONT ${pid}) and try again.` });
  }
  if (condition === 'frozen') {
    return new UserError(`process '${pid}' was frozen ${during} (its cgroup's freezer: docker pause?)`, { hint: 'Thaw it (docker unpause) and try again.' });
  }
  return null;
}

/**
 * Closes an inspector leaktop opened after a later step failed; returns the error to throw: the failure, or — when
 * the inspector could not be closed — that, which matters more (a door left open).
 */
async function closeAfterFailure(pid: number, endpoint: { port: number; webSocketDebuggerUrl?: string }, failure: unknown): Promise<unknown> {
  try {
    await closeInspector(pid, endpoint);
    return failure;
  } catch (closeError) {
    return closeError instanceof UserError ? new UserError(closeError.message, { hint: closeError.hint, cause: failure }) : failure;
  }
}

/** The last activation queued in each network namespace (`net:[INODE]`), while one is queued or running. */
const activations = new Map<string, Promise<unknown>>();

/**
 * Runs activations one after another within a network namespace: each holds that namespace's port 9229 from
 * SIGUSR1 until it has moved off it. Each namespace has its own 9229, so two containers open theirs at once. Each
 * gets at most `budgetMs`, so one that hangs cannot block every later attach (issue 14: in the TUI, every later `a`
 * hung); an activation that still succeeds after its budget closes what it opened.
 */
function oneAtATime(pid: number, run: () => Promise<InspectorEndpoint>, budgetMs: number): Promise<InspectorEndpoint> {
  const namespace = readNetNamespace(pid);
  const key = isUnavailable(namespace) ? `pid ${pid}` : namespace;
  const next = (activations.get(key) ?? Promise.resolve()).then(() => {
    const running = run();
    return withDeadline(running, budgetMs, () => {
      void running.then((late) => closeInspector(pid, late)).catch(() => undefined);
      return new UserError(`opening the inspector of process '${pid}' took more than ${Math.round(budgetMs / 1000)} s; leaktop gave up`, {
        hint: 'The process may be stopped or far too busy to answer; try again when it is not.',
      });
    });
  });
  const settled = next.catch(() => undefined);
  activations.set(key, settled);
  void settled.then(() => {
    if (activations.get(key) === settled) activations.delete(key);
  });
  return next;
}

/** SIGUSR1, then off 9229 (closing it again if the move fails, so nothing is left half-open). */
async function openInspector(pid: number, options: AttachOptions): Promise<InspectorEndpoint> {
  const endpoint = await activateInspector(pid, { startTimeTicks: options.startTimeTicks, timeoutMs: options.activationTimeoutMs, beforeSignal: options.beforeSignal });
  // Recorded at once: if leaktop is killed from here on, the next run knows this inspector is leaktop's.
  openedRegistry().record(pid, endpoint.port, options.startTimeTicks);
  if (endpoint.port !== DEFAULT_INSPECTOR_PORT) return endpoint;
  try {
    const moved = await moveOffDefaultPort(pid, endpoint);
    openedRegistry().record(pid, moved.port, options.startTimeTicks);
    openedRegistry().forget(pid, endpoint.port, options.startTimeTicks);
    return moved;
  } catch (error) {
    throw await closeAfterFailure(pid, endpoint, error);
  }
}

/** Moves an inspector leaktop just opened from 9229 to a random free port, so the next activation can use 9229. */
async function moveOffDefaultPort(pid: number, endpoint: InspectorEndpoint): Promise<InspectorEndpoint> {
  let connection: CdpConnection;
  const route = routeTo(pid);
  try {
    connection = new CdpConnection(await route.connect(endpoint.webSocketDebuggerUrl, CONNECT_TIMEOUT_MS));
  } catch (error) {
    throw (await conditionError(pid, 'while its inspector was opening')) ??
      new UserError(`could not connect to the inspector process '${pid}' just opened on 127.0.0.1:${endpoint.port}`, {
        hint: 'Another tool may have taken it at the same moment; try again.',
        cause: error,
      });
  }
  connection
    .send('Runtime.evaluate', { expression: `(() => { const i = ${INSPECTOR_MODULE}; i.close(); i.open(0, '127.0.0.1'); })()`, includeCommandLineAPI: true }, { timeoutMs: 5000 })
    .catch(() => undefined);
  await withTimeout(connection.closed, 5000);
  connection.close();
  let moved: InspectorEndpoint | null = null;
  await waitUntil(async () => {
    if (processCondition(pid) !== 'running') return true;
    moved = await findInspectorPort(pid);
    return moved !== null && moved.port !== DEFAULT_INSPECTOR_PORT;
  }, 3000).catch(() => undefined);
  if (moved !== null && (moved as InspectorEndpoint).port !== DEFAULT_INSPECTOR_PORT) return moved;
  throw (await conditionError(pid, 'while its inspector was opening')) ??
    new UserError(`the inspector of process '${pid}' did not reopen on a free port`, { hint: 'Try again; if it persists, restart the process.' });
}

export { checkSignalSafe };
