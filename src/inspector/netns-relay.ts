/**
 * The relay leaktop runs inside another network namespace (a container's) to reach an inspector on that namespace's
 * loopback: `nsenter --net=/proc/PID/ns/net -- <leaktop's node> <this file>` (route.ts). Only the network
 * namespace is entered, so this file and leaktop's own Node binary come from the host's filesystem.
 *
 * It speaks frames (relay-frames.ts) over its stdin and stdout, and only ever connects, to loopback: GETs of the
 * inspector's `/json/*` documents and WebSockets to `ws://127.0.0.1:PORT/UUID`, whose messages it pipes. Nothing
 * listens. When its stdin closes — leaktop detached, exited or was killed — it closes its WebSockets and exits.
 */
import { readlinkSync } from 'node:fs';
import { getJson } from './http-json.js';
import { encodeFrame, FrameReader, type ReplyHeader, type RequestHeader } from './relay-frames.js';
import { connectWebSocket, type Transport } from './transport.js';

/** A GET never takes longer than this, whatever leaktop asked: the answer is small and local. */
const MAX_GET_MS = 10_000;
/** How long the exit waits for the WebSockets to close (the transport drops a silent peer after 500 ms). */
const EXIT_GRACE_MS = 1000;

/** Loopback addresses only: the relay must never become a way to reach anything else in the namespace. */
function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return bare === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

function isLoopbackWebSocketUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'ws:' && isLoopbackHost(url.hostname);
  } catch {
    return false;
  }
}

const channels = new Map<number, Transport>();
/** Channels leaktop closed while they were still opening: closed as soon as they open. */
const abandoned = new Set<number>();
let exiting = false;

function write(header: ReplyHeader, body?: string): void {
  if (!exiting) process.stdout.write(encodeFrame(header, body));
}

function handle(header: RequestHeader, body: Buffer): void {
  switch (header.op) {
    case 'get': {
      if (!isLoopbackHost(header.host)) return write({ op: 'got', id: header.id, value: null });
      const deadline = new AbortController();
      const timer = setTimeout(() => deadline.abort(), Math.min(header.timeoutMs, MAX_GET_MS));
      void getJson(header.host, header.port, header.path, deadline.signal)
        .then((value) => write({ op: 'got', id: header.id, value: value ?? null }))
        .finally(() => clearTimeout(timer));
      return;
    }
    case 'open': {
      const { id } = header;
      if (!isLoopbackWebSocketUrl(header.url)) return write({ op: 'failed', id, message: 'not a loopback WebSocket URL' });
      connectWebSocket(header.url, header.timeoutMs).then(
        (transport) => {
          if (exiting || abandoned.delete(id)) return transport.close();
          channels.set(id, transport);
          transport.onmessage = (message) => write({ op: 'message', id }, message);
          transport.onclose = (code, reason) => {
            channels.delete(id);
            write({ op: 'closed', id, code, reason });
            if (exiting && channels.size === 0) process.exit(0);
          };
          write({ op: 'opened', id });
        },
        (error: Error) => write({ op: 'failed', id, message: error.message }),
      );
      return;
    }
    case 'send':
      channels.get(header.id)?.send(body.toString('utf8'));
      return;
    case 'close': {
      const transport = channels.get(header.id);
      if (transport) transport.close();
      else abandoned.add(header.id);
    }
  }
}

/** leaktop is gone (or done with us): every WebSocket is closed, then the relay exits. */
function shutdown(): void {
  if (exiting) return;
  exiting = true;
  if (channels.size === 0) process.exit(0);
  for (const transport of channels.values()) transport.close();
  setTimeout(() => process.exit(0), EXIT_GRACE_MS);
}

const reader = new FrameReader<RequestHeader>();
process.stdin.on('data', (chunk: Buffer) => {
  let frames;
  try {
    frames = reader.push(chunk);
  } catch {
    return shutdown(); // not leaktop at the other end
  }
  for (const frame of frames) handle(frame.header, frame.body);
});
process.stdin.on('end', shutdown);
process.stdin.on('error', shutdown);
process.stdout.on('error', shutdown);
write({ op: 'hello', namespace: readlinkSync('/proc/self/ns/net') });
