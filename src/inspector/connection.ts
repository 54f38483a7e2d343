import type { ProtocolMapping } from 'devtools-protocol/types/protocol-mapping.js';
import { ConnectionClosedError } from './errors.js';
import { PendingRequests } from './pending-requests.js';
import type { Transport } from './transport.js';

type Commands = ProtocolMapping.Commands;
type Events = ProtocolMapping.Events;

/** Options of one request. */
export interface SendOptions {
  /** Reject with RequestTimeoutError after this long. @default 10_000 */
  timeoutMs?: number;
}

interface Message {
  id?: number;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

/**
 * A Chrome DevTools Protocol connection: typed `send` (methods and results from devtools-protocol), events, and a
 * router with two cases — a reply carries the id of a request, anything else is an event. Node targets have no
 * child sessions, so the third case of a browser client does not arise.
 */
export class CdpConnection {
  readonly #transport: Transport;
  readonly #pending = new PendingRequests();
  readonly #listeners = new Map<string, Set<(params: unknown) => void>>();
  #closed: ConnectionClosedError | null = null;
  readonly #closedPromise: Promise<ConnectionClosedError>;

  constructor(transport: Transport) {
    this.#transport = transport;
    let onClosed!: (error: ConnectionClosedError) => void;
    this.#closedPromise = new Promise((resolve) => (onClosed = resolve));
    transport.onmessage = (text) => this.#route(text);
    transport.onclose = (code, reason) => {
      const error = new ConnectionClosedError(code, reason);
      this.#closed = error;
      this.#pending.clear(() => new ConnectionClosedError(code, reason));
      onClosed(error);
    };
  }

  /** Whether the socket has closed. */
  get isClosed(): boolean {
    return this.#closed !== null;
  }

  /** Settles when the socket closes, with how it closed. */
  get closed(): Promise<ConnectionClosedError> {
    return this.#closedPromise;
  }

  /** Requests waiting for a reply (for tests and diagnostics). */
  get pendingCount(): number {
    return this.#pending.size;
  }

  send<M extends keyof Commands>(method: M, params?: Commands[M]['paramsType'][0], options: SendOptions = {}): Promise<Commands[M]['returnType']> {
    if (this.#closed) return Promise.reject(new ConnectionClosedError(this.#closed.closeCode, this.#closed.reason));
    const { id, promise } = this.#pending.create(method, options.timeoutMs ?? 10_000);
    this.#transport.send(JSON.stringify({ id, method, params: params ?? {} }));
    return promise as Promise<Commands[M]['returnType']>;
  }

  /** Listens to an event; returns the function that stops listening. */
  on<E extends keyof Events>(event: E, handler: (...params: Events[E]) => void): () => void {
    let set = this.#listeners.get(event);
    if (!set) this.#listeners.set(event, (set = new Set()));
    const listener = (params: unknown) => (handler as (p: unknown) => void)(params);
    set.add(listener);
    return () => set.delete(listener);
  }

  /** Closes the socket; waiting requests fail with ConnectionClosedError. */
  close(): void {
    if (!this.#closed) this.#transport.close();
  }

  #route(text: string): void {
    let message: Message;
    try {
      message = JSON.parse(text) as Message;
    } catch {
      return; // not ours to crash on: a peer that sends garbage is treated as silent
    }
    if (typeof message.id === 'number') {
      if (message.error) this.#pending.rejectRemote(message.id, message.error.code, message.error.message);
      else this.#pending.resolve(message.id, message.result);
    } else if (typeof message.method === 'string') {
      for (const listener of this.#listeners.get(message.method) ?? []) listener(message.params);
    }
  }
}
