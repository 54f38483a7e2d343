import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

/** Read size for plain files and output size of the gunzip stream: the parser does less per-call work with big chunks. */
const CHUNK_BYTES = 1024 * 1024;

/** Whether the file starts with gzip's magic bytes (RFC 1952: 1f 8b), whatever its name. */
export async function isGzipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** A gzip stream that ended early or is damaged: zlib's own error, kept as the cause. */
export class GzipDataError extends Error {
  constructor(cause: unknown) {
    super((cause as Error).message, { cause });
    this.name = 'GzipDataError';
  }
}

/**
 * The bytes of a snapshot file in chunks of about 1 MiB, gunzipped on the way when it is gzip (a `.heapsnapshot.gz`
 * copied from a server): the parser takes either, and the file is never one buffer. A damaged or cut gzip stream
 * throws a GzipDataError; read errors come as they are.
 */
export async function* snapshotChunks(path: string, gzip: boolean): AsyncGenerator<Buffer> {
  const source = createReadStream(path, { highWaterMark: CHUNK_BYTES });
  if (!gzip) {
    yield* source as AsyncIterable<Buffer>;
    return;
  }
  const gunzip = createGunzip({ chunkSize: CHUNK_BYTES });
  source.on('error', (error) => gunzip.destroy(error));
  source.pipe(gunzip);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) yield chunk;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    // zlib's codes: a corrupt stream, a checksum mismatch, or the end of the input before the end of the stream.
    if (typeof code === 'string' && code.startsWith('Z_')) throw new GzipDataError(error);
    throw error;
  } finally {
    source.destroy();
    gunzip.destroy();
  }
}
