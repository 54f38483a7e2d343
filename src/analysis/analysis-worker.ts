/**
 * leaktop's analysis thread: holds parsed snapshots by id and runs the pure core on them — parse, grouping,
 * dominators, retainer paths, diffs, leak candidates — so that the thread that answers keys and signals never
 * computes for seconds or minutes. Started by `AnalysisWorker` (analysis-client.ts) with a heap limit: an analysis
 * that runs out of memory ends this thread, not leaktop. The messages are in protocol.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readSnapshotFile } from '../cli/read-snapshot-file.js';
import { diffWithExtras } from '../cli/diff-extras.js';
import type { HeapSnapshot } from '../core/snapshot/heap-snapshot.js';
import { diffSnapshots, prepareSnapshot, withShapesOf, type PreparedSnapshot } from '../core/snapshot/diff-snapshots.js';
import { groupNodes } from '../core/snapshot/group-nodes.js';
import { analyzeLeaks, findLeakCandidates, snapshotIds, type SnapshotIds } from '../core/snapshot/leak-candidates.js';
import { SnapshotParser } from '../core/snapshot/parse-snapshot.js';
import { classObjects, retainedSizes, retainedSizesFor, withRetainedSizes, type RetainedSizes } from '../core/snapshot/retained.js';
import { pathGroupJson, RetainerPaths } from '../core/snapshot/retainer-paths.js';
import { summarize } from '../core/snapshot/summarize.js';
import { UserError } from '../core/user-error.js';
import type { AnalysisWorkerData, ChunkMessage, Request, Requests, SerializedError } from './protocol.js';

/** One snapshot held here, in the furthest state it has reached. */
interface Held {
  /** While its chunks stream in. */
  parser: SnapshotParser | null;
  /** The first error of a `chunk`, reported by `finish`. */
  parseError: unknown;
  snapshot: HeapSnapshot | null;
  prepared: PreparedSnapshot | null;
  /** Dominator tree and retained sizes; undefined until asked for. */
  retained: RetainedSizes | undefined;
  /** Only the sorted ids are left (`idsOnly`), or they were sorted for a comparison. */
  ids: SnapshotIds | null;
  /** Built on the first request for paths, then reused (the TUI's Enter on one diff row after another). */
  paths: RetainerPaths | null;
}

const held = new Map<string, Held>();
const { delayMs } = workerData as AnalysisWorkerData;

function get(id: string): Held {
  const entry = held.get(id);
  if (!entry) throw new Error(`no snapshot '${id}' in the analysis worker`);
  return entry;
}

function snapshotOf(id: string): HeapSnapshot {
  const entry = get(id);
  if (!entry.snapshot) throw new Error(`snapshot '${id}' is ${entry.parser ? 'still streaming' : 'reduced to its ids'}`);
  return entry.snapshot;
}

function prepared(id: string, withIds = true): PreparedSnapshot {
  const entry = get(id);
  if (entry.prepared && (entry.prepared.byId || !withIds)) return entry.prepared;
  entry.prepared = prepareSnapshot(snapshotOf(id), withIds);
  return entry.prepared;
}

function retained(id: string): RetainedSizes {
  const entry = get(id);
  const p = prepared(id, false); // the grouping is all it needs; ids are sorted only for a comparison
  entry.retained ??= retainedSizes(p.snapshot, p.grouping);
  return entry.retained;
}

function idsOf(id: string): SnapshotIds {
  const entry = get(id);
  entry.ids ??= snapshotIds(snapshotOf(id));
  return entry.ids;
}

const fresh = (): Held => ({ parser: null, parseError: undefined, snapshot: null, prepared: null, retained: undefined, ids: null, paths: null });

/** Blocks this thread (not leaktop's), as a long analysis would: the test hook of protocol.ts. */
function testDelay(): void {
  if (delayMs > 0) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delayMs);
}

const handlers: { [K in keyof Requests]: (args: Requests[K]['args']) => Promise<Requests[K]['result']> | Requests[K]['result'] } = {
  open({ id }) {
    held.set(id, { ...fresh(), parser: new SnapshotParser() });
    return null;
  },
  finish({ id }) {
    const entry = get(id);
    if (!entry.parser) throw new Error(`snapshot '${id}' was not streaming`);
    const parser = entry.parser;
    entry.parser = null;
    if (entry.parseError !== undefined) throw entry.parseError;
    entry.snapshot = parser.end();
    return { nodeCount: entry.snapshot.nodeCount };
  },
  async readFile({ id, path, group }) {
    const snapshot = await readSnapshotFile(path, { group });
    held.set(id, { ...fresh(), snapshot });
    return { nodeCount: snapshot.nodeCount };
  },
  prepare({ id, retained: withRetained, ids }) {
    prepared(id, ids !== false);
    if (withRetained) retained(id);
    return null;
  },
  idsOnly({ id }) {
    const ids = idsOf(id);
    held.set(id, { ...fresh(), ids });
    return null;
  },
  summary({ id, retained: withRetained }) {
    testDelay();
    const snapshot = snapshotOf(id);
    const grouping = groupNodes(snapshot);
    const byClass = withRetained ? (get(id).retained ??= retainedSizes(snapshot, grouping)).byClass : null;
    return withRetainedSizes(summarize(snapshot, grouping), byClass);
  },
  diff({ a, b, sort, idsComparable, retained: withRetained, top, paths }) {
    testDelay();
    const preparedA = prepared(a, idsComparable);
    const retainedA = withRetained ? retained(a) : null;
    const preparedB = prepared(b, idsComparable);
    const retainedB = withRetained ? retained(b) : null;
    // A's objects named by B's shapes, as DevTools' Comparison names them; A's retained sizes follow.
    const base = withShapesOf(preparedA, preparedB);
    const retainedBase = retainedA && retainedSizesFor(retainedA, base.grouping);
    const raw = diffSnapshots(base, preparedB, { idsComparable, sort });
    return diffWithExtras(raw, { top: top ?? raw.rows.length, a: base, b: preparedB, retainedA: retainedBase, retainedB, paths });
  },
  classObjects({ id, ref, earlier, limit, pathLimit }) {
    testDelay();
    const entry = get(id);
    const { snapshot, grouping } = prepared(id, false);
    if (!grouping.names.includes(ref.name)) {
      const lower = ref.name.toLowerCase();
      return { found: null, known: false, near: grouping.names.filter((n) => n.toLowerCase().includes(lower)).slice(0, 5) };
    }
    entry.paths ??= new RetainerPaths(snapshot, grouping);
    const tree = retained(id).tree;
    const found = classObjects(snapshot, grouping, entry.paths, ref, { tree, earlier: earlier === undefined ? null : idsOf(earlier), limit, pathLimit });
    return { found: found && { ...found, paths: found.paths.map(pathGroupJson) }, known: true, near: [] };
  },
  leaks({ baseline, target, final, locations }) {
    testDelay();
    const base = get(baseline);
    const next = get(target);
    if (!locations) return findLeakCandidates(base.snapshot ?? idsOf(baseline), next.snapshot ?? idsOf(target), snapshotOf(final));
    const analysis = analyzeLeaks(base.snapshot ?? idsOf(baseline), next.snapshot ?? idsOf(target), snapshotOf(final));
    return { ...analysis.report, locations: analysis.locations };
  },
  drop({ id }) {
    held.delete(id);
    return null;
  },
};

function serialize(error: unknown): SerializedError {
  if (error instanceof UserError) return { message: error.message, stack: error.stack, userError: true, hint: error.hint, exitCode: error.exitCode };
  if (error instanceof Error) return { message: error.message, stack: error.stack, userError: false };
  return { message: String(error), userError: false };
}

const port = parentPort!;

async function handle(message: Request | ChunkMessage): Promise<void> {
  if (message.op === 'chunk') {
    const entry = held.get(message.id);
    if (!entry?.parser || entry.parseError !== undefined) return;
    try {
      entry.parser.write(message.chunk);
    } catch (error) {
      entry.parseError = error;
    }
    return;
  }
  try {
    const handler = handlers[message.op] as (args: unknown) => unknown;
    port.postMessage({ seq: message.seq, ok: true, result: await handler(message) });
  } catch (error) {
    port.postMessage({ seq: message.seq, ok: false, error: serialize(error) });
  }
}

// One message at a time, in order: a `readFile` awaits its reads, and what follows may need its result.
let queue = Promise.resolve();
port.on('message', (message: Request | ChunkMessage) => {
  queue = queue.then(() => handle(message));
});
