import WebSocket from 'ws';
import { ConnectFailedError } from './errors.js';

/** What the CDP connection needs of a socket; the only place that knows about `ws`. */
export interface Transport {
  send(message: string): void;
  /** Starts a close; a peer that does not answer the close handshake is cut off after a short grace. */
  close(): void;
  /** One whole protocol message. */
  onmessage: ((message: string) => void) | undefined;
  /** Called once, whether the peer closed, the network failed, or we closed. */
  onclose: ((code: number, reason: string) => void) | undefined;
}

/**
 * How long a close waits for the peer's close frame before dropping the socket, ms. ws waits 30 s by default: a
 * stopped target (SIGSTOP) never answers, and leaktop took 38 s to exit after Ctrl-C (issue 14).
 */
const CLOSE_GRACE_MS = 500;

/**
 * Opens a WebSocket to an inspector URL (`ws://127.0.0.1:PORT/UUID`). Compression is off (the peer is local and
 * snapshot chunks would only cost CPU) and the payload limit is raised for large protocol messages. A socket error
 * counts as a close, so nothing is left waiting on a dead socket.
 *
 * Settles within `timeoutMs` whatever the peer does: refused, dropped or silent upgrades reject with
 * ConnectFailedError. (ws 8 already counts the socket as CLOSING when it reports a failed handshake, so the state at
 * 'error' cannot tell a failed connect from a later one: whether 'open' came first does — issue 14.)
 */
export function connectWebSocket(url: string, timeoutMs = 3000): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 512 * 1024 * 1024, handshakeTimeout: timeoutMs });
    let opened = false;
    let closed = false;
    let graceTimer: NodeJS.Timeout | undefined;
    const transport: Transport = {
      send: (message) => socket.send(message),
      close: () => {
        if (closed) return;
        socket.close();
        graceTimer ??= setTimeout(() => socket.terminate(), CLOSE_GRACE_MS);
        graceTimer.unref();
      },
      onmessage: undefined,
      onclose: undefined,
    };
    // Belt and braces over ws's handshakeTimeout, which starts only once the request is made.
    const connectTimer = setTimeout(() => fail(new Error(`no WebSocket upgrade within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      if (opened || closed) return;
      closed = true;
      clearTimeout(connectTimer);
      socket.terminate();
      reject(new ConnectFailedError(url, error.message, { cause: error }));
    };
    const finish = (code: number, reason: string) => {
      if (!opened) return fail(new Error(`closed before the upgrade (${code}${reason ? `: ${reason}` : ''})`));
      if (closed) return;
      closed = true;
      clearTimeout(graceTimer);
      transport.onclose?.(code, reason);
    };
    socket.on('message', (data: WebSocket.RawData) => transport.onmessage?.(data.toString()));
    socket.on('close', (code: number, reason: Buffer) => finish(code, reason.toString()));
    socket.once('open', () => {
      if (closed) return;
      opened = true;
      clearTimeout(connectTimer);
      resolve(transport);
    });
    socket.on('error', (error: Error) => {
      if (!opened) return fail(error);
      socket.terminate();
      finish(1006, error.message);
    });
  });
}
