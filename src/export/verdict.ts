import type { Verdict } from '../core/exported-metrics.js';
import { judgeGrowth, type ActionMark, type MemoryReading } from '../core/growth/judge-growth.js';
import type { TrackedProcess } from '../state/index.js';

/** Options of the verdict: the growth judgement's window (see src/core/growth/judge-growth.ts). */
export interface VerdictOptions {
  /** The shortest span judged, ms; undefined: the judgement's default. */
  minWindowMs?: number;
}

/**
 * The growth judgement of one tracked process, from the store's RSS and heap series; an attach is a mark (it moves
 * RSS by itself). Interim: once the store judges every process itself (branch growth), this reads its judgement.
 */
export function judgeTracked(tracked: TrackedProcess, attachedAtMs: number | undefined, options: VerdictOptions): Verdict {
  const times = tracked.rssBytes.times();
  const rss = tracked.rssBytes.values();
  const heap = tracked.heapUsedBytes.values();
  const readings: MemoryReading[] = times.map((atMs, i) => (Number.isFinite(heap[i]!) ? { atMs, rssBytes: rss[i]!, heapUsedBytes: heap[i]! } : { atMs, rssBytes: rss[i]! }));
  const marks: ActionMark[] = attachedAtMs === undefined ? [] : [{ atMs: attachedAtMs, action: 'attach' }];
  return judgeGrowth(readings, marks, options.minWindowMs === undefined ? {} : { minWindowMs: options.minWindowMs }).kind;
}
