import { randomUUID } from 'node:crypto';
import { isUnavailable } from '../proc/read-file.js';
import { UserError } from '../core/user-error.js';
import { activateInspector, checkSignalSafe, DEFAULT_INSPECTOR_PORT } from './activate.js';
import { CdpConnection } from './connection.js';
import { findInspectorPort, listeningPorts, probeInspector, type InspectorEndpoint } from './find-inspector-port.js';
import { connectWebSocket } from './transport.js';
import { withTimeout } from './with-timeout.js';

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
}

/**
 * Node's inspector module inside the target, reachable from any kind of main module: `require` exists in an
 * evaluation only with includeCommandLineAPI, and not at all in ES modules; getBuiltinModule exists from 20.16.
 */
const INSPECTOR_MODULE = "(process.getBuiltinModule?.('inspector') ?? require('inspector'))";
const V8_MODULE = "(process.getBuiltinModule?.('v8') ?? require('v8'))";
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

  private constructor(
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
   * 9229 and is moved at once to a free port, so 9229 is free for the next process.
   */
  static async attach(pid: number, options: AttachOptions = {}): Promise<InspectorSession> {
    const existing = await findInspectorPort(pid);
    if (existing) return InspectorSession.#connect(pid, existing, false);
    const endpoint = await oneAtATime(() => openInspector(pid, options));
    try {
      return await InspectorSession.#connect(pid, endpoint, true);
    } catch (error) {
      await closeInspectorAt(pid, endpoint).catch(() => undefined);
      throw error;
    }
  }

  static async #connect(pid: number, endpoint: InspectorEndpoint, openedByLeaktop: boolean): Promise<InspectorSession> {
    try {
      const transport = await connectWebSocket(endpoint.webSocketDebuggerUrl);
      return new InspectorSession(pid, endpoint.port, openedByLeaktop, endpoint.nodeVersion, new CdpConnection(transport));
    } catch (error) {
      throw new UserError(`could not connect to the inspector of process '${pid}' on 127.0.0.1:${endpoint.port}`, {
        hint: 'Another debugger may be attached (an inspector takes one client at a time for some tools); detach it and try again.',
        cause: error,
      });
    }
  }

  /** V8 heap used and total, bytes (Runtime.getHeapUsage, ~0.2 ms). */
  async heapUsage(): Promise<{ usedBytes: number; totalBytes: number }> {
    const usage = await this.connection.send('Runtime.getHeapUsage', undefined, { timeoutMs: 5000 });
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
  async collectGarbage(): Promise<GcResult> {
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
   * one that was already there is left listening, as it was found.
   *
   * No `HeapProfiler.disable` first: closing the connection already disables the target's heap profiler agent,
   * which clears V8's object-id map (the ~165 MB that stays after a snapshot of a 105 MB heap, issue 13).
   * Measured on Node 20 (50 MB heap, malloc_trim through gdb to see what was freed): RSS 182 MB with the session
   * open, 100 MB after it closed; an explicit HeapProfiler.disable gave 102 MB, and closing after it 99 MB. So only
   * a session that stays open would need the call, and the TUI's does keep its ids on purpose (for `d`).
   */
  async detach(): Promise<void> {
    if (this.connection.isClosed) return;
    const undo = [...this.#beforeDetach];
    this.#beforeDetach.clear();
    await Promise.all(undo.map((run) => withTimeout(run().catch(() => undefined), DETACH_STEP_TIMEOUT_MS)));
    if (this.connection.isClosed) return;
    if (!this.openedByLeaktop) {
      this.connection.close();
      await this.connection.closed;
      return;
    }
    await closeInspectorAt(this.pid, { port: this.port }, this.connection);
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

  async #evaluate<T>(expression: string, timeoutMs = 5000): Promise<T> {
    const reply = await this.connection.send(
      'Runtime.evaluate',
      { expression, includeCommandLineAPI: true, returnByValue: true, silent: true },
      { timeoutMs },
    );
    if (reply.exceptionDetails) throw new Error(`evaluation failed in process ${this.pid}: ${reply.exceptionDetails.text}`);
    return reply.result.value as T;
  }
}

/** How long `detach` waits for each `onDetach` step before it closes the connection anyway, ms. */
const DETACH_STEP_TIMEOUT_MS = 3000;

let activations: Promise<unknown> = Promise.resolve();

/** Runs activations one after another: each holds port 9229 from SIGUSR1 until it has moved off it. */
function oneAtATime<T>(run: () => Promise<T>): Promise<T> {
  const next = activations.then(run);
  activations = next.catch(() => undefined);
  return next;
}

/** SIGUSR1, then off 9229 (closing it again if the move fails, so nothing is left half-open). */
async function openInspector(pid: number, options: AttachOptions): Promise<InspectorEndpoint> {
  const endpoint = await activateInspector(pid, { startTimeTicks: options.startTimeTicks, timeoutMs: options.activationTimeoutMs });
  if (endpoint.port !== DEFAULT_INSPECTOR_PORT) return endpoint;
  try {
    return await moveOffDefaultPort(pid, endpoint);
  } catch (error) {
    await closeInspectorAt(pid, endpoint).catch(() => undefined);
    throw error;
  }
}

/**
 * Closes the inspector of `pid` that listens on `endpoint.port`: `inspector.close()` evaluated in the target. It
 * never replies — the socket drops within milliseconds — so we wait for the close, then confirm through /proc
 * that the port no longer listens. (A deferred close via setImmediate would never run on a busy loop.)
 */
async function closeInspectorAt(pid: number, endpoint: { port: number; webSocketDebuggerUrl?: string }, existing?: CdpConnection): Promise<void> {
  const connection = existing ?? new CdpConnection(await connectWebSocket(endpoint.webSocketDebuggerUrl ?? (await probeOrThrow(endpoint.port)).webSocketDebuggerUrl));
  connection
    .send('Runtime.evaluate', { expression: `${INSPECTOR_MODULE}.close()`, includeCommandLineAPI: true }, { timeoutMs: 5000 })
    .catch(() => undefined);
  await withTimeout(connection.closed, 5000);
  connection.close();
  await waitUntil(() => {
    const ports = listeningPorts(pid);
    return isUnavailable(ports) || !ports.includes(endpoint.port);
  }, 2000).catch(() => {
    throw new UserError(`the inspector of process '${pid}' still listens on 127.0.0.1:${endpoint.port} after closing it`, {
      hint: `Anyone on this host can run code in that process through it; restart the process if it stays open.`,
    });
  });
}

/** Moves an inspector leaktop just opened from 9229 to a random free port, so the next activation can use 9229. */
async function moveOffDefaultPort(pid: number, endpoint: InspectorEndpoint): Promise<InspectorEndpoint> {
  const connection = new CdpConnection(await connectWebSocket(endpoint.webSocketDebuggerUrl));
  connection
    .send('Runtime.evaluate', { expression: `(() => { const i = ${INSPECTOR_MODULE}; i.close(); i.open(0, '127.0.0.1'); })()`, includeCommandLineAPI: true }, { timeoutMs: 5000 })
    .catch(() => undefined);
  await withTimeout(connection.closed, 5000);
  connection.close();
  let moved: InspectorEndpoint | null = null;
  await waitUntil(async () => {
    moved = await findInspectorPort(pid);
    return moved !== null && moved.port !== DEFAULT_INSPECTOR_PORT;
  }, 3000).catch(() => {
    throw new UserError(`the inspector of process '${pid}' did not reopen on a free port`, { hint: 'Try again; if it persists, restart the process.' });
  });
  return moved!;
}

async function probeOrThrow(port: number): Promise<InspectorEndpoint> {
  const found = await probeInspector(port);
  if (!found) throw new UserError(`no inspector answers on 127.0.0.1:${port}`);
  return { port, ...found };
}

async function waitUntil(check: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export { checkSignalSafe };
