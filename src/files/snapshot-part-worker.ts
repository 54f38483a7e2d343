/**
 * Worker thread of `readSnapshotInTwo` (split-snapshot-read.ts): parses the first part of a `.heapsnapshot` file —
 * header, nodes and the edges up to `splitAt` — into shared columns, while the main thread parses the rest.
 *
 * Messages to the parent: `{ type: 'header', columns, locationFields }` as soon as the columns exist (their
 * SharedArrayBuffers are shared, not copied), then `{ type: 'done', point }` or `{ type: 'error', message }`.
 * Then, if the parent sends `{ type: 'fold', externalStringData }` (the whole file read by then), it folds the
 * sizes in the shared columns and answers `{ type: 'folded', sizes? }` — a Float64Array only when a sum did not fit
 * 32 bits — or `{ type: 'error', message }`.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { foldSizesInPlace } from '../core/snapshot/fold-owned-sizes.js';
import type { HeapSnapshot } from '../core/snapshot/heap-snapshot.js';
import { SnapshotParser } from '../core/snapshot/parse-snapshot.js';

export interface PartWorkerInput {
  path: string;
  /** Byte offset where this part ends: the comma before an edge record. */
  splitAt: number;
}

const READ_BYTES = 1024 * 1024;

function run({ path, splitAt }: PartWorkerInput): HeapSnapshot | undefined {
  const port = parentPort!;
  let columns: HeapSnapshot | undefined;
  const parser = new SnapshotParser({
    allocate: (bytes) => new SharedArrayBuffer(bytes),
    onHeader: (made, locationFields) => {
      columns = made;
      port.postMessage({ type: 'header', columns: made, locationFields });
    },
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
  return columns;
}

function fail(error: unknown): void {
  parentPort!.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
}

try {
  const columns = run(workerData as PartWorkerInput);
  parentPort!.once('message', (message: { type: 'fold'; externalStringData: number }) => {
    try {
      if (!columns || message.type !== 'fold') throw new Error(`unexpected message '${message.type}'`);
      const sizes = foldSizesInPlace(columns, message.externalStringData);
      parentPort!.postMessage(sizes === columns.nodeSelfSize ? { type: 'folded' } : { type: 'folded', sizes }, sizes === columns.nodeSelfSize ? [] : [sizes.buffer as ArrayBuffer]);
    } catch (error) {
      fail(error);
    }
  });
} catch (error) {
  fail(error);
}
