import { ProtocolError, RequestTimeoutError } from './errors.js';

interface Pending {
  method: string;
  resolve(result: unknown): void;
  reject(error: Error): void;
  timer: NodeJS.Timeout;
  /** Made when the request was sent, so a failure's stack points at the caller, not at the socket handler. */
  callerError: Error;
}

/**
 * The requests waiting for a reply: ids, one timer each, and rejecting all of them at once when the socket goes.
 * An entry exists before anything is written, so a reply can never arrive for an unknown id.
 */
export class PendingRequests {
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;

  get size(): number {
    return this.#pending.size;
  }

  /** Registers a request; `timeoutMs` rejects it with RequestTimeoutError. */
  create(method: string, timeoutMs: number): { id: number; promise: Promise<unknown> } {
    const id = this.#nextId++;
    const callerError = new Error();
    const promise = new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => this.#fail(id, new RequestTimeoutError(method, timeoutMs)), timeoutMs);
      timer.unref();
      this.#pending.set(id, { method, resolve, reject, timer, callerError });
    });
    return { id, promise };
  }

  resolve(id: number, result: unknown): void {
    const entry = this.#take(id);
    entry?.resolve(result);
  }

  /** The remote side answered with an error. */
  rejectRemote(id: number, code: number, message: string): void {
    const entry = this.#pending.get(id);
    if (entry) this.#fail(id, new ProtocolError(entry.method, code, message));
  }

  /** Rejects everything still waiting, each with its own error from `makeError` (a closed connection). */
  clear(makeError: () => Error): void {
    for (const id of [...this.#pending.keys()]) this.#fail(id, makeError());
  }

  #fail(id: number, error: Error): void {
    const entry = this.#take(id);
    if (!entry) return;
    error.stack = `${error.name}: ${error.message}\n${entry.callerError.stack?.split('\n').slice(1).join('\n') ?? ''}`;
    entry.reject(error);
  }

  #take(id: number): Pending | undefined {
    const entry = this.#pending.get(id);
    if (!entry) return undefined;
    clearTimeout(entry.timer);
    this.#pending.delete(id);
    return entry;
  }
}
