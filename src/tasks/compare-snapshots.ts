/**
 * Compare: the diff of two snapshots held by the analysis worker (`diff A B`, `diff --pid`, the TUI's `d`), and the
 * in-session form — snapshot, wait, snapshot, detach, compare — of `diff --pid`.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { AnalysisWorker } from '../analysis/index.js';
import type { DiffSort } from '../core/snapshot/diff-snapshots.js';
import type { RetainedDiff } from '../core/snapshot/retained.js';
import { captureIntoAnalysis, type CaptureProgress, type SeriesContext } from './capture-snapshot.js';

export interface CompareOptions {
  sort: DiffSort;
  /** Count new and freed objects by id: only for two snapshots of one inspector session. */
  idsComparable: boolean;
  /** Retained sizes per constructor. */
  retained: boolean;
  /** Rows kept (all when absent). */
  top?: number;
  /** Retainer paths of the top growing constructors (`--paths`). */
  paths: boolean;
}

/** The diff from snapshot `a` to `b` (ids in the worker), computed in the worker. */
export function compareSnapshots(analysis: AnalysisWorker, a: string, b: string, options: CompareOptions): Promise<RetainedDiff> {
  const { sort, idsComparable, retained, top, paths } = options; // only data crosses to the worker
  return analysis.diff({ a, b, sort, idsComparable, retained, top, paths });
}

/** Where `compareInSession` is. */
export type CompareProgress =
  | { step: 'capture'; label: 'A' | 'B'; capture: CaptureProgress }
  | { step: 'wait'; secondsLeft: number }
  | { step: 'compare' };

export interface CompareInSessionOptions extends Omit<CompareOptions, 'idsComparable'> {
  /** Time between the two snapshots, ms. */
  waitMs: number;
  onProgress?: (progress: CompareProgress) => void;
}

/**
 * Snapshot A, wait, snapshot B — in the context's one session, so object ids match — then `afterLastCapture`
 * (detach) and the comparison. A's share of the work (grouping, ids, dominator tree) runs in the worker during
 * the wait.
 */
export async function compareInSession(context: SeriesContext, options: CompareInSessionOptions): Promise<{ diff: RetainedDiff; paths: [string, string] }> {
  const { analysis, session, signal } = context;
  const { onProgress } = options;
  const [a, b] = [`${context.idPrefix ?? ''}A`, `${context.idPrefix ?? ''}B`];
  const first = await captureIntoAnalysis(session, analysis, { id: a, path: context.pathFor('A'), signal, force: context.force, onRoomChecked: (check) => context.onRoomChecked?.(check, 'A'), onProgress: (capture) => onProgress?.({ step: 'capture', label: 'A', capture }) });
  onProgress?.({ step: 'wait', secondsLeft: Math.ceil(options.waitMs / 1000) });
  const prepared = analysis.prepare(a, { retained: options.retained });
  prepared.catch(() => undefined); // its failure is the diff's, below
  await sleep(options.waitMs, undefined, { signal });
  const second = await captureIntoAnalysis(session, analysis, { id: b, path: context.pathFor('B'), signal, force: context.force, onRoomChecked: (check) => context.onRoomChecked?.(check, 'B'), onProgress: (capture) => onProgress?.({ step: 'capture', label: 'B', capture }) });
  await context.afterLastCapture();
  onProgress?.({ step: 'compare' });
  await prepared;
  try {
    const diff = await compareSnapshots(analysis, a, b, { ...options, idsComparable: true });
    return { diff, paths: [first.path, second.path] };
  } finally {
    await Promise.all([analysis.drop(a), analysis.drop(b)]);
  }
}
