import type { SendOptions } from './connection.js';
import type { InspectorSession } from './session.js';
import type { Transport } from './transport.js';

/**
 * The NodeWorker domain of Node's inspector (not in devtools-protocol, which is Chrome's): a worker thread's own
 * inspector session, carried inside the main thread's. Measured on Node 18, 20, 22, 24 and 26 alike:
 * - no worker is announced before `NodeWorker.enable`; enable attaches a session to EVERY running worker
 *   (`attachedToWorker`, all of them before enable's reply) and to each one started later while it is on;
 * - `sendMessageToWorker` to a detached session replies `{}` and the message goes nowhere;
 * - `detach` answers and `detachedFromWorker` follows; `disable` drops every worker session with no event;
 * - a worker's session prints no "Debugger attached." line (the main thread's connect already did).
 */
export interface NodeWorkerInfo {
  /** A counter of the inspector's worker sessions — NOT the thread id (see core/worker-title.ts). */
  workerId: string;
  type: string;
  /** `[worker THREADID] NAME`. */
  title: string;
  /** The worker's script, `file:///…` (or `data:`, or empty for an `eval` worker). */
  url: string;
}

export interface NodeWorkerEvents {
  'NodeWorker.attachedToWorker': { sessionId: string; workerInfo: NodeWorkerInfo; waitingForDebugger: boolean };
  'NodeWorker.detachedFromWorker': { sessionId: string };
  'NodeWorker.receivedMessageFromWorker': { sessionId: string; message: string };
}

export interface NodeWorkerCommands {
  'NodeWorker.enable': { waitForDebuggerOnStart: boolean };
  'NodeWorker.disable': Record<string, never>;
  'NodeWorker.sendMessageToWorker': { sessionId: string; message: string };
  'NodeWorker.detach': { sessionId: string };
}

/** `send` for the NodeWorker domain on a session's connection (the typed one knows Chrome's domains only). */
export function sendNodeWorker<M extends keyof NodeWorkerCommands>(session: InspectorSession, method: M, params: NodeWorkerCommands[M], options?: SendOptions): Promise<unknown> {
  const send = session.connection.send.bind(session.connection) as unknown as (method: string, params: object, options?: SendOptions) => Promise<unknown>;
  return send(method, params, options);
}

/** `on` for the NodeWorker domain's events; returns the function that stops listening. */
export function onNodeWorker<E extends keyof NodeWorkerEvents>(session: InspectorSession, event: E, handler: (params: NodeWorkerEvents[E]) => void): () => void {
  const on = session.connection.on.bind(session.connection) as unknown as (event: string, handler: (params: NodeWorkerEvents[E]) => void) => () => void;
  return on(event, handler);
}

/**
 * A Transport over one worker session of `parent`: what CdpConnection sends goes out as `sendMessageToWorker`,
 * what the worker says comes back as `receivedMessageFromWorker`. So heap snapshots, sampling, GC and heap figures
 * run on a worker's isolate through the same code as on a main thread's. It closes (once) when we detach, when
 * the worker exits, or when the parent's connection goes; closing sends `NodeWorker.detach`.
 *
 * Every message travels through the process's main thread, which relays it as an interrupt: a main thread stuck
 * in native code holds up its workers' sessions too.
 */
export class WorkerTransport implements Transport {
  onmessage: ((message: string) => void) | undefined;
  onclose: ((code: number, reason: string) => void) | undefined;
  #closed = false;
  readonly #off: Array<() => void>;

  constructor(
    readonly parent: InspectorSession,
    /** The parent's id of this worker session. */
    readonly sessionId: string,
  ) {
    this.#off = [
      onNodeWorker(parent, 'NodeWorker.receivedMessageFromWorker', (event) => {
        if (event.sessionId === sessionId && !this.#closed) this.onmessage?.(event.message);
      }),
      onNodeWorker(parent, 'NodeWorker.detachedFromWorker', (event) => {
        if (event.sessionId === sessionId) this.#finish(1001, 'the worker thread exited or was detached');
      }),
    ];
    void parent.connection.closed.then(() => this.#finish(1006, 'the connection to the main thread closed'));
  }

  get isClosed(): boolean {
    return this.#closed;
  }

  send(message: string): void {
    if (this.#closed) return;
    // The worker answers on its own; this reply only says the main thread passed the message on. No timeout of
    // its own: each request of the worker's CdpConnection has one.
    sendNodeWorker(this.parent, 'NodeWorker.sendMessageToWorker', { sessionId: this.sessionId, message }, { timeoutMs: 24 * 3600_000 }).catch(() =>
      this.#finish(1006, 'the main thread did not pass a message on'),
    );
  }

  close(): void {
    if (this.#closed) return;
    if (this.parent.connection.isClosed) return this.#finish(1000, 'detached');
    sendNodeWorker(this.parent, 'NodeWorker.detach', { sessionId: this.sessionId }, { timeoutMs: 3000 })
      .catch(() => undefined)
      .finally(() => this.#finish(1000, 'detached'));
  }

  #finish(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const off of this.#off) off();
    this.onclose?.(code, reason);
  }
}
