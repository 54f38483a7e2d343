/**
 * Reads a large `.heapsnapshot` file on two threads: the parse is bound by one core (about 4 ns per number with
 * the WebAssembly scanner, plus the strings), and a 1 GB file holds 200+ million numbers.
 *
 * V8 writes `nodes` and then `edges`, and `edges` is the largest part of the file. So the file is cut at a comma
 * inside `edges`: a worker thread parses the header, the nodes and the edges before the cut; this thread parses the
 * edges after it and everything else (locations, strings). This thread must know the index of the first edge record
 * after the cut: it counts the commas from the cut to the end of `edges` (16 bytes at a time, many times faster than
 * parsing) — one per value — and moves the cut to the start of the next record. Commas, not line breaks: up to Node
 * 22, V8 puts each record on a line of its own, Node 24 writes none. Both parsers fill the same columns, in
 * SharedArrayBuffers. At the end the worker's record count must meet this thread's first record exactly.
 *
 * Anything unexpected — a small file, one core, no WebAssembly, a layout that is not V8's, a malformed file — returns
 * null, and the caller parses the file in one piece, which also gives the exact error for a malformed one.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SnapshotFormatError, type HeapSnapshot } from '../core/snapshot/heap-snapshot.js';
import { externalStringDataName } from '../core/snapshot/fold-owned-sizes.js';
import { nameNodes, type NodeNames } from '../core/snapshot/group-nodes.js';
import { SnapshotParser, type SplitPoint } from '../core/snapshot/parse-snapshot.js';
import { SnapshotScanner, SCANNER_WINDOW_BYTES } from '../core/snapshot/wasm/snapshot-scanner.js';

/** Below this a second thread costs more (its start, ~30 ms) than it saves. */
const MIN_SPLIT_BYTES = 64 * 1024 * 1024;
/**
 * Where to cut, as a fraction of the file: the worker's part is header + nodes + the first edges (nodes cost more
 * per byte: seven columns), this thread's the rest plus counting and the strings. Tuned on the 1 GB file of
 * `node dist/bench/snapshot.js --large`, where both parts then take about as long.
 */
const SPLIT_FRACTION = 0.5;
const READ_BYTES = 1024 * 1024;
const COMMA = 0x2c;
const CLOSE_BRACKET = 0x5d;
/** Bytes read to find the header's edge fields, or the end of the record a cut fell into. */
const HEAD_BYTES = 64 * 1024;

interface Split {
  /** Byte offset of the comma before the first edge record of the second part. */
  at: number;
  /** Edge records from there to the end of `edges`. */
  records: number;
}

type WorkerMessage =
  | { type: 'header'; columns: HeapSnapshot; locationFields: string[] }
  | { type: 'done'; point: SplitPoint }
  | { type: 'folded'; sizes?: Float64Array }
  | { type: 'error'; message: string };

export interface SplitReadOptions {
  /** Files smaller than this are not split (default MIN_SPLIT_BYTES); tests split small files. */
  minBytes?: number;
  /** Where to try the cut, as a fraction of the file (default SPLIT_FRACTION). */
  fraction?: number;
  /**
   * Also run the fold and name steps of the pipeline (analyze.ts) at once: the worker folds the sizes while this
   * thread names the nodes (detached nodes, object shapes). The snapshot comes back folded, with its `names`.
   */
  group?: boolean;
}

/** What the two threads read: the snapshot, and with `group` its node names (its sizes folded then); else null. */
export interface SplitRead {
  snapshot: HeapSnapshot;
  names: NodeNames | null;
}

/** The parsed snapshot, or null when the file is not worth or not fit for splitting (parse it in one piece). */
export async function readSnapshotInTwo(path: string, options: SplitReadOptions = {}): Promise<SplitRead | null> {
  // Without WebAssembly (node --jitless) the count is too slow to be worth it.
  const scanner = SnapshotScanner.create();
  if (availableParallelism() < 2 || !scanner) return null;
  const fd = openSync(path, 'r');
  let worker: Worker | undefined;
  try {
    const size = fstatSync(fd).size;
    if (size < (options.minBytes ?? MIN_SPLIT_BYTES)) return null;
    const split = findSplit(fd, size, options.fraction ?? SPLIT_FRACTION, scanner);
    if (!split) return null;
    worker = new Worker(new URL('./snapshot-part-worker.js', import.meta.url), { workerData: { path, splitAt: split.at } });
    const messages = workerMessages(worker);
    const header = await messages.next();
    if (header.type !== 'header') return null;
    const firstRecord = header.columns.edgeCount - split.records;
    if (firstRecord < 0) return null;
    const parser = SnapshotParser.resumeInEdges(header.columns, header.locationFields, firstRecord, split.at);
    const buffer = new Uint8Array(READ_BYTES);
    for (let position = split.at; position < size; ) {
      const read = readSync(fd, buffer, 0, READ_BYTES, position);
      if (read === 0) break;
      parser.write(read === READ_BYTES ? buffer : buffer.subarray(0, read));
      position += read;
    }
    const done = await messages.next();
    if (done.type !== 'done' || done.point.edgeRecords !== firstRecord) return null;
    parser.completeSplit(done.point);
    const snapshot = parser.end();
    if (!options.group) return { snapshot, names: null };
    const names = await foldAndName(snapshot, worker, messages);
    return names && { snapshot, names };
  } catch (error) {
    // A malformed file: the one-piece parse that follows reports it with its exact offset.
    if (error instanceof SnapshotFormatError) return null;
    throw error;
  } finally {
    closeSync(fd);
    if (worker) await worker.terminate();
  }
}

/**
 * The fold step on the worker (which still holds the shared columns) and the name step here, at the same time; the
 * group step is left to `analyze`. Null when the worker could not fold: the sizes may be half folded then, and the
 * caller reads the file again in one piece.
 */
async function foldAndName(snapshot: HeapSnapshot, worker: Worker, messages: { next(): Promise<WorkerMessage> }): Promise<NodeNames | null> {
  worker.postMessage({ type: 'fold', externalStringData: externalStringDataName(snapshot) });
  const names = nameNodes(snapshot);
  const folded = await messages.next();
  if (folded.type !== 'folded') return null;
  snapshot.sizesFolded = true;
  if (folded.sizes) snapshot.nodeSelfSize = folded.sizes;
  return names;
}

/** The worker's messages in order; an 'error' message also for a worker that fails or exits early. */
function workerMessages(worker: Worker): { next(): Promise<WorkerMessage> } {
  const queue: WorkerMessage[] = [];
  let waiting: ((message: WorkerMessage) => void) | undefined;
  const push = (message: WorkerMessage) => {
    if (waiting) {
      const resolve = waiting;
      waiting = undefined;
      resolve(message);
    } else queue.push(message);
  };
  worker.on('message', (message: WorkerMessage) => push(message));
  worker.on('error', (error) => push({ type: 'error', message: error.message }));
  worker.on('exit', () => push({ type: 'error', message: 'the worker exited' }));
  return {
    next: () => {
      const message = queue.shift();
      return message ? Promise.resolve(message) : new Promise((resolve) => (waiting = resolve));
    },
  };
}

/**
 * Where to cut and how many edge records follow: the first comma after `fraction` of the file, if it lies inside
 * `edges` (if inside `nodes`, the first one of `edges`), moved over the rest of the record it fell into.
 */
function findSplit(fd: number, size: number, fraction: number, scanner: SnapshotScanner): Split | null {
  const stride = edgeFieldCount(fd);
  const cut = stride > 0 ? findCut(fd, size, fraction) : -1;
  if (cut < 0) return null;
  const commas = countToBracket(fd, cut, size, COMMA, scanner);
  if (commas < 0) return null;
  // One value follows each of those commas; the first after the cut must start a record.
  const extra = commas % stride;
  const at = extra === 0 ? cut : nthByteAfter(fd, COMMA, cut, extra);
  return at < 0 ? null : { at, records: (commas - extra) / stride };
}

/** The number of edge fields, from the header's `meta` (V8 writes the `snapshot` object first); -1 if not found. */
function edgeFieldCount(fd: number): number {
  const head = readText(fd, 0, HEAD_BYTES);
  const fields = /"edge_fields":(\[[^\]]*\])/.exec(head)?.[1];
  try {
    return fields ? (JSON.parse(fields) as unknown[]).length : -1;
  } catch {
    return -1;
  }
}

/**
 * The cut: the first comma after `fraction` of the file, if it lies inside `edges` — the numeric array that is
 * followed by `trace_function_infos` in V8's layout. If it lies inside `nodes` (followed by `edges`), the cut moves
 * to the first comma of `edges`. -1 when neither.
 */
function findCut(fd: number, size: number, fraction: number): number {
  let from = Math.floor(size * fraction);
  for (let attempt = 0; attempt < 2; attempt++) {
    const at = indexOfByte(fd, COMMA, from, size);
    const end = at < 0 ? -1 : indexOfByte(fd, CLOSE_BRACKET, at, size);
    if (end < 0) return -1;
    const next = readText(fd, end + 1, 32);
    if (next.startsWith(',\n"trace_function_infos":')) return at;
    if (!next.startsWith(',\n"edges":[')) return -1;
    from = end + 1 + ',\n"edges":['.length;
  }
  return -1;
}

function indexOfByte(fd: number, byte: number, from: number, size: number): number {
  const buffer = Buffer.alloc(READ_BYTES);
  for (let position = from; position < size; ) {
    const read = readSync(fd, buffer, 0, buffer.length, position);
    if (read === 0) return -1;
    const at = buffer.subarray(0, read).indexOf(byte);
    if (at >= 0) return position + at;
    position += read;
  }
  return -1;
}

/** The position of the `n`-th `byte` after position `from` (records are short: it is near), or -1. */
function nthByteAfter(fd: number, byte: number, from: number, n: number): number {
  const buffer = Buffer.alloc(HEAD_BYTES);
  const read = readSync(fd, buffer, 0, buffer.length, from + 1);
  let at = -1;
  for (let found = 0; found < n; found++) {
    at = buffer.subarray(0, read).indexOf(byte, at + 1);
    if (at < 0) return -1;
  }
  return from + 1 + at;
}

/**
 * How many `byte`s lie from `from` to the next ']' — the end of the numeric array, as numbers have no ']' — or -1.
 * The file is read straight into a WebAssembly scanner's memory; the ']' is found by Buffer#indexOf (memchr), the
 * bytes are counted 16 at a time: this runs before either thread can start parsing, over ~40 % of the file. Bytes
 * that do not belong in a numeric array are not looked for here; the parsers reject them, and the caller then
 * falls back to the one-piece parse.
 */
function countToBracket(fd: number, from: number, size: number, byte: number, scanner: SnapshotScanner): number {
  const window = scanner.inputWindow;
  // A Buffer view of the same memory: Buffer#indexOf is memchr, Uint8Array#indexOf a far slower loop.
  const buffer = Buffer.from(window.buffer, window.byteOffset, window.byteLength);
  let count = 0;
  for (let position = from; position < size; ) {
    const read = readSync(fd, buffer, 0, SCANNER_WINDOW_BYTES, position);
    if (read === 0) return -1;
    const bracket = buffer.subarray(0, read).indexOf(CLOSE_BRACKET);
    count += scanner.countInWindow(byte, bracket >= 0 ? bracket : read);
    if (bracket >= 0) return count;
    position += read;
  }
  return -1;
}

function readText(fd: number, position: number, length: number): string {
  const buffer = Buffer.alloc(length);
  return buffer.toString('latin1', 0, readSync(fd, buffer, 0, length, position));
}
