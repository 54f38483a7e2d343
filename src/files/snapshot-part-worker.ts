/**
 * Worker thread of `readSnapshotInTwo` (split-snapshot-read.ts): parses the first part of a `.heapsnapshot` file —
 * header, nodes and the edges up to `splitAt` — into shared columns, while the main thread parses the rest.
 *
 * Messages to the parent: `{ type: 'header', columns, locationFields }` as soon as the columns exist (their
 * SharedArrayBuffers are shared, not copied), then `{ type: 'done', point }` or `{ type: 'error', message }`.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { SnapshotParser } from '../core/snapshot/parse-snapshot.js';

export interface PartWorkerInput {
  path: string;
  /** Byte offset where this part ends: a line break inside `edges`. */
  splitAt: number;
}

const READ_BYTES = 1024 * 1024;

function run({ path, splitAt }: PartWorkerInput): void {
  const port = parentPort!;
  const parser = new SnapshotParser({
    allocate: (bytes) => new SharedArrayBuffer(bytes),
    onHeader: (columns, locationFields) => port.postMessage({ type: 'header', columns, locationFields }),
  });
  const fd = openSync(path, 'r');
  try {
    const buffer = new Uint8Array(READ_BYTES);
    for (let position = 0; position < splitAt; ) {
      const read = readSync(fd, buffer, 0, Math.min(READ_BYTES, splitAt - position), position);
      if (read === 0) throw new Error(`'${path}' ended at byte ${position}, before the split point`);
      parser.write(read === READ_BYTES ? buffer : buffer.subarray(0, read));
      position += read;
    }
    port.postMessage({ type: 'done', point: parser.endAtEdgeRecord() });
  } finally {
    closeSync(fd);
  }
}

try {
  run(workerData as PartWorkerInput);
} catch (error) {
  parentPort!.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}
