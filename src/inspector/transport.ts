import WebSocket from 'ws';

/** What the CDP connection needs of a socket; the only place that knows about `ws`. */
export interface Transport {
  send(message: string): void;
  close(): void;
  /** One whole protocol message. */
  onmessage: ((message: string) => void) | undefined;
  /** Called once, whether the peer closed, the network failed, or we closed. */
  onclose: ((code: number, reason: string) => void) | undefined;
}

/**
 * Opens a WebSocket to an inspector URL (`ws://127.0.0.1:PORT/UUID`). Compression is off (the peer is local and
 * snapshot chunks would only cost CPU) and the payload limit is raised for large protocol messages. A socket error
 * counts as a close, so nothing is left waiting on a dead socket.
 */
export function connectWebSocket(url: string, timeoutMs = 3000): Promise<Transport> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false, maxPayload: 512 * 1024 * 1024, handshakeTimeout: timeoutMs });
    let closed = false;
    const transport: Transport = {
      send: (message) => socket.send(message),
      close: () => socket.close(),
      onmessage: undefined,
      onclose: undefined,
    };
    const finish = (code: number, reason: string) => {
      if (closed) return;
      closed = true;
      transport.onclose?.(code, reason);
    };
    socket.on('message', (data: WebSocket.RawData) => transport.onmessage?.(data.toString()));
    socket.on('close', (code: number, reason: Buffer) => finish(code, reason.toString()));
    socket.once('open', () => resolve(transport));
    socket.on('error', (error: Error) => {
      if (socket.readyState === WebSocket.CONNECTING) reject(error);
      socket.terminate();
      finish(1006, error.message);
    });
  });
}
