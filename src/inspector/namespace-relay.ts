import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ConnectFailedError } from './errors.js';
import { encodeFrame, FrameReader, type ReplyHeader, type RequestHeader } from './relay-frames.js';
import type { Transport } from './transport.js';

/** The relay script, shipped beside this file in dist. */
export const RELAY_SCRIPT = fileURLToPath(new URL('./netns-relay.js', import.meta.url));

/** How long the relay may take to start and say which namespace it is in, ms (nsenter + Node start: ~60 ms). */
const START_TIMEOUT_MS = 5000;
/** A relay nothing uses is ended after this long, ms: a probe is followed at once by a connect, so it is kept a moment. */
const IDLE_MS = 1500;
/** What is kept of the relay's stderr, for the error that says why it did not start. */
const STDERR_BYTES = 2000;

interface Channel {
  transport: Transport;
  opened: boolean;
  settle?: (error: Error | null) => void;
}

/**
 * leaktop's end of one relay (netns-relay.ts) running inside another network namespace: GETs and WebSockets to that
 * namespace's loopback, multiplexed over the relay's stdin and stdout. While something is in flight or open the
 * relay holds leaktop's event loop as a socket would; idle, it lets go and is ended after IDLE_MS. If leaktop
 * dies, the relay sees its stdin close and exits, closing its WebSockets.
 */
export class NamespaceRelay {
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #reader = new FrameReader<ReplyHeader>();
  readonly #gets = new Map<number, (value: unknown) => void>();
  readonly #channels = new Map<number, Channel>();
  readonly #ready: Promise<void>;
  #nextId = 1;
  #stderr = '';
  #ended: Error | null = null;
  #closing = false;
  #idleTimer: NodeJS.Timeout | undefined;

  /**
   * Starts `nsenter --net=NSPATH -- <our node> <relay>` (NSPATH is /proc/PID/ns/net of a process in the namespace);
   * `expectedNamespace` (`net:[INODE]`) is checked against what the relay reports, so a PID reused in between cannot
   * send it elsewhere. `onEnd` is called once when it exits.
   */
  constructor(nsenter: string, nsPath: string, expectedNamespace: string, onEnd: () => void) {
    const env = { ...process.env };
    // Leaktop's own NODE_OPTIONS (an --inspect, a --require) have no business in the relay.
    delete env.NODE_OPTIONS;
    this.#child = spawn(nsenter, [`--net=${nsPath}`, '--', process.execPath, RELAY_SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'], env });
    this.#child.stdin.on('error', () => undefined); // EPIPE after the relay died: 'exit' says so
    this.#child.stderr.on('data', (chunk: Buffer) => (this.#stderr = (this.#stderr + chunk.toString()).slice(-STDERR_BYTES)));
    let hello!: (error: Error | null) => void;
    this.#ready = new Promise((resolve, reject) => (hello = (error) => (error ? reject(error) : resolve())));
    this.#ready.catch(() => undefined);
    const startTimer = setTimeout(() => {
      hello(new Error(`the relay did not start within ${START_TIMEOUT_MS} ms`));
      this.close();
    }, START_TIMEOUT_MS);
    this.#child.stdout.on('data', (chunk: Buffer) => {
      let frames;
      try {
        frames = this.#reader.push(chunk);
      } catch {
        return this.#child.kill('SIGKILL'); // not our relay talking
      }
      for (const { header, body } of frames) {
        if (header.op === 'hello') {
          clearTimeout(startTimer);
          if (header.namespace === expectedNamespace) hello(null);
          else {
            hello(new Error(`the relay entered ${header.namespace}, not ${expectedNamespace} (the process changed?)`));
            this.close();
          }
        } else this.#route(header, body);
      }
    });
    this.#child.once('error', (error) => {
      clearTimeout(startTimer);
      hello(error); // could not even start (nsenter gone since the PATH lookup)
      this.#end(error);
    });
    this.#child.once('close', (code, signal) => {
      clearTimeout(startTimer);
      const why = this.#stderr.trim().split('\n').pop() || `it exited (${signal ?? code})`;
      const error = new Error(`the relay into the network namespace ended: ${why}`);
      hello(error);
      this.#end(error);
      onEnd();
    });
    this.#updateHold();
  }

  /** The relay's PID (for tests and diagnostics). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  /** Waits for the relay to be up in the right namespace; rejects with why it is not. */
  ready(): Promise<void> {
    return this.#ready;
  }

  /** GETs a small JSON document on the namespace's loopback (see http-json.ts); undefined for anything else. */
  async getJson(host: string, port: number, path: string, signal: AbortSignal): Promise<unknown> {
    const id = this.#nextId++;
    const answer = new Promise<unknown>((resolve) => {
      this.#gets.set(id, resolve);
      signal.addEventListener('abort', () => this.#settleGet(id, undefined), { once: true });
    });
    this.#updateHold();
    try {
      await this.#ready;
    } catch {
      this.#settleGet(id, undefined);
      return answer;
    }
    if (signal.aborted) this.#settleGet(id, undefined);
    else this.#send({ op: 'get', id, host, port, path, timeoutMs: MAX_GET_MS });
    return answer;
  }

  /** Opens a WebSocket to URL on the namespace's loopback; rejects with ConnectFailedError within `timeoutMs`. */
  connect(url: string, timeoutMs: number): Promise<Transport> {
    const id = this.#nextId++;
    const transport: Transport = {
      send: (message) => this.#send({ op: 'send', id }, message),
      close: () => this.#send({ op: 'close', id }),
      onmessage: undefined,
      onclose: undefined,
    };
    const channel: Channel = { transport, opened: false };
    this.#channels.set(id, channel);
    this.#updateHold();
    return new Promise<Transport>((resolve, reject) => {
      const timer = setTimeout(() => settle(new Error(`no WebSocket upgrade within ${timeoutMs} ms`)), timeoutMs);
      const settle = (error: Error | null) => {
        if (!channel.settle) return;
        channel.settle = undefined;
        clearTimeout(timer);
        if (!error) return resolve(transport);
        if (this.#channels.delete(id)) this.#send({ op: 'close', id });
        this.#updateHold();
        reject(new ConnectFailedError(url, error.message, { cause: error }));
      };
      channel.settle = settle;
      this.#ready.then(
        () => this.#send({ op: 'open', id, url, timeoutMs }),
        (error: Error) => settle(error),
      );
    });
  }

  /** Whether new requests may use this relay (not ended, not ending). */
  get usable(): boolean {
    return this.#ended === null && !this.#closing;
  }

  /** Ends the relay: its stdin closes, it closes its WebSockets and exits. */
  close(): void {
    this.#closing = true;
    this.#child.stdin.end();
  }

  #route(header: ReplyHeader, body: Buffer): void {
    if (header.op === 'got') return this.#settleGet(header.id, header.value ?? undefined);
    if (header.op === 'hello') return;
    const channel = this.#channels.get(header.id);
    if (!channel) return;
    switch (header.op) {
      case 'opened':
        channel.opened = true;
        return channel.settle?.(null);
      case 'failed':
        return channel.settle?.(new Error(header.message));
      case 'message':
        return channel.transport.onmessage?.(body.toString('utf8'));
      case 'closed':
        this.#channels.delete(header.id);
        this.#updateHold();
        if (!channel.opened) return channel.settle?.(new Error(`closed before the upgrade (${header.code})`));
        return channel.transport.onclose?.(header.code, header.reason);
    }
  }

  #settleGet(id: number, value: unknown): void {
    const resolve = this.#gets.get(id);
    if (!resolve) return;
    this.#gets.delete(id);
    resolve(value);
    this.#updateHold();
  }

  #send(header: RequestHeader, body?: string): void {
    if (!this.#ended) this.#child.stdin.write(encodeFrame(header, body));
  }

  /** The relay is gone: every GET answers nothing, every channel closes (1006, as a dropped socket would). */
  #end(error: Error): void {
    if (this.#ended) return;
    this.#ended = error;
    clearTimeout(this.#idleTimer);
    for (const id of [...this.#gets.keys()]) this.#settleGet(id, undefined);
    for (const [id, channel] of [...this.#channels]) {
      this.#channels.delete(id);
      if (channel.opened) channel.transport.onclose?.(1006, error.message);
      else channel.settle?.(error);
    }
  }

  /**
   * Busy (a GET in flight, a channel open or opening): the relay's handles hold the event loop, as a socket would.
   * Idle: they let go, and the relay is ended after IDLE_MS unless used again.
   */
  #updateHold(): void {
    if (this.#ended) return;
    const busy = this.#gets.size > 0 || this.#channels.size > 0;
    const handles = [this.#child, this.#child.stdin, this.#child.stdout, this.#child.stderr] as Array<{ ref(): void; unref(): void }>;
    for (const handle of handles) (busy ? handle.ref() : handle.unref());
    clearTimeout(this.#idleTimer);
    this.#idleTimer = undefined;
    if (!busy) {
      this.#idleTimer = setTimeout(() => this.close(), IDLE_MS);
      this.#idleTimer.unref();
    }
  }
}

/** A GET through the relay is answered within this long by the relay itself (the caller's signal may end it sooner). */
const MAX_GET_MS = 10_000;
