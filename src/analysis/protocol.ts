/**
 * The messages between leaktop and its analysis worker (analysis-worker.ts). Every request carries a `seq`; the
 * worker answers each one with a `Reply` of the same `seq`, except `chunk`, which is fire-and-forget (a parse error
 * is kept and reported by the `finish` of that snapshot). Snapshots are held in the worker under ids the caller
 * chooses; only plain results (summaries, diffs, reports, path groups) cross the thread boundary.
 */
import type { DiffSort } from '../core/snapshot/diff-snapshots.js';
import type { SourceLocation } from '../core/snapshot/heap-snapshot.js';
import type { LeakReport } from '../core/snapshot/leak-candidates.js';
import type { ClassObjects, ClassRef, RetainedDiff, RetainedSummary } from '../core/snapshot/retained.js';
import type { PathJson } from '../core/snapshot/retainer-paths.js';

/**
 * The objects of one constructor and their grouped retainer paths, as plain data: `classObjects` of retained.ts with
 * its path groups (which point into the snapshot) turned into their JSON.
 */
export type ClassObjectsResult = Omit<ClassObjects, 'paths' | 'pathObjects' | 'pathCandidates'> & { paths: PathJson[] };

/** What each request asks and what its reply carries. */
export interface Requests {
  /** Starts a snapshot that will arrive as `chunk`s. */
  open: { args: { id: string }; result: null };
  /** Ends the parse of a streamed snapshot. */
  finish: { args: { id: string }; result: { nodeCount: number } };
  /**
   * Reads and parses a `.heapsnapshot` file (large ones on two threads); with `group`, also folds, names and groups
   * it (`analyzeSnapshotFile`: steps 1-4 of src/core/snapshot/analyze.ts), else those wait for the first request.
   */
  readFile: { args: { id: string; path: string; group: boolean }; result: { nodeCount: number } };
  /**
   * Analyzes the snapshot (`analyze`, if not yet) and sorts the ids (what a diff by id needs; not with `ids: false`),
   * and computes the dominator tree and retained sizes when `retained`: what a series prepares while it waits.
   */
  prepare: { args: { id: string; retained: boolean; ids?: boolean }; result: null };
  /** Keeps only the sorted object ids of the snapshot: all a leak check needs of its baseline and target. */
  idsOnly: { args: { id: string }; result: null };
  summary: { args: { id: string; retained: boolean }; result: RetainedSummary };
  /** A's objects named by B's shapes, as DevTools' Comparison; `top`/`paths` as `diff --paths` (all rows without `top`). */
  diff: { args: { a: string; b: string; sort: DiffSort; idsComparable: boolean; retained: boolean; top?: number; paths: boolean }; result: RetainedDiff };
  /**
   * The objects of one constructor in snapshot `id` and their retainer paths; new ones first when `earlier` (a
   * snapshot of the same session) is given. `found` null with `near` (similar names) when the snapshot has none.
   */
  classObjects: {
    args: { id: string; ref: ClassRef; earlier?: string; limit: number; pathLimit: number };
    result: { found: ClassObjectsResult | null; known: boolean; near: string[] };
  };
  /** Three-snapshot leak detection (leak-candidates.ts) over three held snapshots of one session. */
  /** With `locations`: per candidate, where its constructor is defined (null when unknown). */
  leaks: { args: { baseline: string; target: string; final: string; locations?: boolean }; result: LeakReport & { locations?: Array<SourceLocation | null> } };
  /** Forgets a snapshot (a no-op for an unknown id). */
  drop: { args: { id: string }; result: null };
}

export type Op = keyof Requests;

export type Request = { [K in Op]: { seq: number; op: K } & Requests[K]['args'] }[Op];

/** A chunk of a streamed snapshot, as V8 sent it (a string) or as bytes. */
export interface ChunkMessage {
  seq: 0;
  op: 'chunk';
  id: string;
  chunk: string | Uint8Array;
}

/** A failure, as plain data: a `UserError` keeps its hint and exit code across the thread boundary. */
export interface SerializedError {
  message: string;
  stack?: string;
  userError: boolean;
  hint?: string;
  exitCode?: number;
}

export type Reply = { seq: number; ok: true; result: unknown } | { seq: number; ok: false; error: SerializedError };

/** What the worker is started with. */
export interface AnalysisWorkerData {
  /**
   * Test hook: each request for a result (`summary`, `diff`, `classObjects`, `leaks`; not the parse or the
   * preparation during a series) first blocks the worker this long, ms, as a long analysis would, so that a test
   * can act while one is under way. 0 in normal use; set through LEAKTOP_TEST_ANALYSIS_DELAY_MS.
   */
  delayMs: number;
}
