/**
 * leaktop's analysis thread: holds parsed snapshots by id and runs the pure core on them — parse, grouping,
 * dominators, retainer paths, diffs, leak candidates — so that the thread that answers keys and signals never
 * computes for seconds or minutes. Started by `AnalysisWorker` (analysis-client.ts) with a heap limit: an analysis
 * that runs out of memory ends this thread, not leaktop. The messages are in protocol.ts.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { analyzeSnapshotFile, readSnapshotFile } from '../cli/read-snapshot-file.js';
import { diffWithExtras } from '../cli/diff-extras.js';
import { analyze, type SnapshotAnalysis } from '../core/snapshot/analyze.js';
import type { HeapSnapshot } from '../core/snapshot/heap-snapshot.js';
import { diffSnapshots, withShapesOf } from '../core/snapshot/diff-snapshots.js';
import { analyzeLeaks, findLeakCandidates, snapshotIds, type LeakOptions, type SnapshotIds } from '../core/snapshot/leak-candidates.js';
import { SnapshotParser } from '../core/snapshot/parse-snapshot.js';
import { classObjects, retainedSizesFor, withRetainedSizes } from '../core/snapshot/retained.js';
import { pathGroupJson } from '../core/snapshot/retainer-paths.js';
import { summarize } from '../core/snapshot/summarize.js';
import { UserError } from '../core/user-error.js';
import type { AnalysisWorkerData, ChunkMessage, Request, Requests, SerializedError } from './protocol.js';

/** One snapshot held here, in the furthest state it has reached. */
interface Held {
  /** While its chunks stream in. */
  parser: SnapshotParser | null;
  /** The first error of a `chunk`, reported by `finish`. */
  parseError: unknown;
  /** Parsed (step 1 of analyze.ts). */
  snapshot: HeapSnapshot | null;
  /** Folded and grouped (steps 2-4), on the first request that needs it; it keeps what later steps make. */
  analysis: SnapshotAnalysis | null;
  /** Only the sorted ids are left (`idsOnly`), or they were sorted for a comparison. */
  ids: SnapshotIds | null;
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

/** The snapshot's analysis, made (steps 2-4) on first need. */
function analysisOf(id: string): SnapshotAnalysis {
  const entry = get(id);
  entry.analysis ??= analyze(snapshotOf(id));
  return entry.analysis;
}

function idsOf(id: string): SnapshotIds {
  const entry = get(id);
  entry.ids ??= snapshotIds(snapshotOf(id));
  return entry.ids;
}

/** What the leak check reuses of the final snapshot's analysis: the grouping, and the dominator tree if made. */
function finalOf(id: string): { snapshot: HeapSnapshot; options: LeakOptions } {
  const analysis = analysisOf(id);
  return { snapshot: analysis.snapshot, options: { final: { grouping: analysis.grouping, tree: analysis.retainedIfDone?.tree } } };
}

const fresh = (): Held => ({ parser: null, parseError: undefined, snapshot: null, analysis: null, ids: null });

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
    if (group) {
      const analysis = await analyzeSnapshotFile(path);
      held.set(id, { ...fresh(), snapshot: analysis.snapshot, analysis });
      return { nodeCount: analysis.snapshot.nodeCount };
    }
    const snapshot = await readSnapshotFile(path);
    held.set(id, { ...fresh(), snapshot });
    return { nodeCount: snapshot.nodeCount };
  },
  prepare({ id, retained: withRetained, ids }) {
    const analysis = analysisOf(id);
    if (ids !== false) analysis.byId();
    if (withRetained) analysis.retained();
    return null;
  },
  idsOnly({ id }) {
    const ids = idsOf(id);
    held.set(id, { ...fresh(), ids });
    return null;
  },
  summary({ id, retained: withRetained }) {
    testDelay();
    const analysis = analysisOf(id);
    const byClass = withRetained ? analysis.retained().byClass : null;
    return withRetainedSizes(summarize(analysis.snapshot, analysis.grouping), byClass);
  },
  diff({ a, b, sort, idsComparable, retained: withRetained, top, paths }) {
    testDelay();
    const preparedA = analysisOf(a).diffInput(idsComparable);
    const retainedA = withRetained ? analysisOf(a).retained() : null;
    const preparedB = analysisOf(b).diffInput(idsComparable);
    const retainedB = withRetained ? analysisOf(b).retained() : null;
    // A's objects named by B's shapes, as DevTools' Comparison names them; A's retained sizes follow.
    const base = withShapesOf(preparedA, preparedB);
    const retainedBase = retainedA && retainedSizesFor(retainedA, base.grouping);
    const raw = diffSnapshots(base, preparedB, { idsComparable, sort });
    return diffWithExtras(raw, { top: top ?? raw.rows.length, a: base, b: preparedB, retainedA: retainedBase, retainedB, paths });
  },
  classObjects({ id, ref, earlier, limit, pathLimit }) {
    testDelay();
    const analysis = analysisOf(id);
    const { snapshot, grouping } = analysis;
    if (!grouping.names.includes(ref.name)) {
      const lower = ref.name.toLowerCase();
      return { found: null, known: false, near: grouping.names.filter((n) => n.toLowerCase().includes(lower)).slice(0, 5) };
    }
    const tree = analysis.retained().tree;
    const found = classObjects(snapshot, grouping, analysis.paths(), ref, { tree, earlier: earlier === undefined ? null : idsOf(earlier), limit, pathLimit });
    return { found: found && { ...found, paths: found.paths.map(pathGroupJson) }, known: true, near: [] };
  },
  leaks({ baseline, target, final, locations }) {
    testDelay();
    const base = get(baseline);
    const next = get(target);
    const last = finalOf(final);
    if (!locations) return findLeakCandidates(base.snapshot ?? idsOf(baseline), next.snapshot ?? idsOf(target), last.snapshot, last.options);
    const analysis = analyzeLeaks(base.snapshot ?? idsOf(baseline), next.snapshot ?? idsOf(target), last.snapshot, last.options);
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
