/**
 * The frames leaktop and its network-namespace relay (netns-relay.ts) exchange over the relay's stdin and stdout:
 * `[u32 header bytes][u32 body bytes][header JSON][body]`, big-endian. The header says what the frame is; the body
 * carries a WebSocket message as it is, so a heap snapshot's chunks are not escaped into JSON a second time.
 */

/** leaktop → relay. */
export type RequestHeader =
  /** GET a small JSON document on the namespace's loopback (see http-json.ts). */
  | { op: 'get'; id: number; host: string; port: number; path: string; timeoutMs: number }
  /** Open a WebSocket to an inspector URL on the namespace's loopback. */
  | { op: 'open'; id: number; url: string; timeoutMs: number }
  /** Send the body as one message on channel `id`. */
  | { op: 'send'; id: number }
  /** Close channel `id`. */
  | { op: 'close'; id: number };

/** relay → leaktop. */
export type ReplyHeader =
  /** First frame: the network namespace the relay runs in (`net:[INODE]`), checked against the one meant. */
  | { op: 'hello'; namespace: string }
  /** The answer of a `get`: the parsed document, or null for anything that was not one. */
  | { op: 'got'; id: number; value: unknown }
  | { op: 'opened'; id: number }
  | { op: 'failed'; id: number; message: string }
  /** One whole message from the inspector, in the body. */
  | { op: 'message'; id: number }
  | { op: 'closed'; id: number; code: number; reason: string };

export interface Frame<H> {
  header: H;
  body: Buffer;
}

const PREFIX_BYTES = 8;

/** One frame as bytes. */
export function encodeFrame(header: RequestHeader | ReplyHeader, body: string | Buffer = ''): Buffer {
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const tail = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const prefix = Buffer.alloc(PREFIX_BYTES);
  prefix.writeUInt32BE(head.length, 0);
  prefix.writeUInt32BE(tail.length, 4);
  return Buffer.concat([prefix, head, tail]);
}

/** Cuts a byte stream into frames, whatever the chunk boundaries. A malformed header throws (the peer is broken). */
export class FrameReader<H> {
  #pending: Buffer[] = [];
  #pendingBytes = 0;

  push(chunk: Buffer): Array<Frame<H>> {
    this.#pending.push(chunk);
    this.#pendingBytes += chunk.length;
    const frames: Array<Frame<H>> = [];
    while (this.#pendingBytes >= PREFIX_BYTES) {
      if (this.#pending[0]!.length < PREFIX_BYTES) this.#flatten();
      const first = this.#pending[0]!;
      const headBytes = first.readUInt32BE(0);
      const end = PREFIX_BYTES + headBytes + first.readUInt32BE(4);
      // Joined only once the whole frame is here: a large message arrives in many pipe reads.
      if (this.#pendingBytes < end) break;
      const buffer = this.#flatten();
      const header = JSON.parse(buffer.subarray(PREFIX_BYTES, PREFIX_BYTES + headBytes).toString('utf8')) as H;
      frames.push({ header, body: buffer.subarray(PREFIX_BYTES + headBytes, end) });
      const rest = buffer.subarray(end);
      this.#pending = rest.length > 0 ? [rest] : [];
      this.#pendingBytes = rest.length;
    }
    return frames;
  }

  #flatten(): Buffer {
    const buffer = this.#pending.length === 1 ? this.#pending[0]! : Buffer.concat(this.#pending);
    this.#pending = [buffer];
    return buffer;
  }
}
